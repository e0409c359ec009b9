-- core_new_users.sql - per product, feature and signup day: the new users,
-- and how many of them used the feature within 14 days of signing up.
-- Features released after a user signed up do not count for that user;
-- signup days whose 14 days have not passed by the interval end are left out.
analyze feature_raw.users;
analyze feature_raw.feature_usage;

truncate feature_core.new_users_feature_use;

insert into feature_core.new_users_feature_use
with new_users as (
	select user_id, product, signed_up_at
	from feature_raw.users
	where signed_up_at + interval '14 days' <= {{ data_interval_end | sql }}::timestamptz
), used as (
	select distinct n.user_id, x.feature
	from new_users n
	join feature_raw.feature_usage x on x.user_id = n.user_id and x.product = n.product
	where x.used_at >= n.signed_up_at and x.used_at < n.signed_up_at + interval '14 days'
)
select n.product, f.feature, (n.signed_up_at at time zone 'UTC')::date,
       count(*), count(u.user_id)
from new_users n
join feature_raw.features f on f.product = n.product and f.released_at <= n.signed_up_at
left join used u on u.user_id = n.user_id and u.feature = f.feature
group by n.product, f.feature, (n.signed_up_at at time zone 'UTC')::date;
