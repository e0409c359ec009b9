-- sessions.sql - rebuild the sessions of every (user, device) that got new
-- events, from all of its events: a new session starts at a user's first
-- event and after every gap of 15 minutes or more. A session is a successful
-- booking when one of its events is a ride start, a ride end or the rating
-- screen (the original's rule). Ids are compared lower-cased, as the app
-- sends some in upper case.
create temp table touched on commit drop as
select distinct lower(anonymous_id) as anonymous_id, lower(context_device_id) as device_id
from mobile.new_events;

delete from mobile.sessions s
using touched t
where s.anonymous_id = t.anonymous_id and s.device_id = t.device_id;

insert into mobile.sessions
with ev as (
	select lower(e.anonymous_id) as anonymous_id, lower(e.context_device_id) as device_id,
	       e.created_at, e.event_name, e.business_zoned, e.context_os_name, e.row_hash,
	       case when lag(e.created_at) over w is null
	              or e.created_at - lag(e.created_at) over w >= interval '15 minutes'
	            then 1 else 0 end as starts_session
	from mobile.events e
	join touched t on lower(e.anonymous_id) = t.anonymous_id
	              and lower(e.context_device_id) = t.device_id
	window w as (partition by lower(e.anonymous_id), lower(e.context_device_id)
	             order by e.created_at, e.row_hash)
), numbered as (
	select ev.*,
	       sum(starts_session) over (partition by anonymous_id, device_id
	                                 order by created_at, row_hash
	                                 rows between unbounded preceding and current row) as session_no
	from ev
)
select anonymous_id, device_id, session_no::int,
       (array_agg(business_zoned order by created_at, row_hash))[1],
       (array_agg(context_os_name order by created_at, row_hash))[1],
       min(created_at), max(created_at), count(*)::int,
       (array_agg(event_name order by created_at, row_hash))[1],
       (array_agg(event_name order by created_at desc, row_hash desc))[1],
       case when bool_or(event_name similar to '%(Ride Started|Ride Done|Rating Screen)%')
            then 'Y' else 'N' end,
       {{ ds | sql }}::date
from numbered
group by anonymous_id, device_id, session_no;
