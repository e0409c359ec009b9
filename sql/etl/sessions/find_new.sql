-- find_new.sql - the rows of this run's export that are not in mobile.events
-- yet, by the MD5 of the whole row (the original added this hash after an
-- append load, so a rerun or an overlapping export loaded rows twice).
truncate mobile.new_events;

insert into mobile.new_events
select distinct on (h.row_hash)
	h.anonymous_id, h.business_zoned, h.context_app_version, h.context_device_id,
	h.context_os_name, h.event_name, h.received_at, h.created_at, h.row_hash,
	{{ ds | sql }}::date
from (
	select s.*,
	       md5(row(s.anonymous_id, s.business_zoned, s.context_app_version, s.context_device_id,
	               s.context_os_name, s.event_name, s.received_at, s.created_at)::text) as row_hash
	from mobile.stage_events s
) h
where not exists (select 1 from mobile.events e where e.row_hash = h.row_hash)
order by h.row_hash;
