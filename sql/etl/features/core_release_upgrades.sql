-- core_release_upgrades.sql - per product and release: the users who had
-- signed up before the release, and how many of them upgraded to it within
-- 30 days. Releases less than 30 days before the interval end are left out.
analyze feature_raw.users;
analyze feature_raw.upgrades;

truncate feature_core.release_upgrades;

insert into feature_core.release_upgrades
with releases as (
	select product, release, released_at
	from feature_raw.releases
	where released_at + interval '30 days' <= {{ data_interval_end | sql }}::timestamptz
), upgraded as (
	select distinct r.product, r.release, g.user_id
	from releases r
	join feature_raw.upgrades g on g.product = r.product and g.to_release = r.release
	where g.upgraded_at >= r.released_at and g.upgraded_at < r.released_at + interval '30 days'
)
select r.product, r.release, r.released_at, count(u.user_id), count(g.user_id)
from releases r
left join feature_raw.users u on u.product = r.product and u.signed_up_at < r.released_at
left join upgraded g on g.product = r.product and g.release = r.release and g.user_id = u.user_id
group by r.product, r.release, r.released_at;
