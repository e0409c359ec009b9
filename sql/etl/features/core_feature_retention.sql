-- core_feature_retention.sql - every user's first use of each feature, and
-- whether they used it again 7 to 13 days later (the week after). Only
-- first uses whose 14 days have passed by the end of the run's interval
-- are kept, and nothing after that end is looked at, so a catchup run for
-- an old day gives what that day would have given.
analyze feature_raw.feature_usage;

truncate feature_core.feature_first_use;

insert into feature_core.feature_first_use
with uses as (
	select distinct product, feature, user_id, (used_at at time zone 'UTC')::date as day
	from feature_raw.feature_usage
	where used_at < {{ data_interval_end | sql }}::timestamptz
), first_use as (
	select product, feature, user_id, min(day) as first_day
	from uses
	group by product, feature, user_id
), retained as (
	select distinct f.product, f.feature, f.user_id
	from first_use f
	join uses u using (product, feature, user_id)
	where u.day between f.first_day + 7 and f.first_day + 13
)
select f.product, f.feature, f.user_id, f.first_day, r.user_id is not null
from first_use f
left join retained r using (product, feature, user_id)
where f.first_day + 14 <= ({{ data_interval_end | sql }}::timestamptz at time zone 'UTC')::date;
