-- dm_fraction_upgraded.sql - the fraction of a product's users who upgraded
-- to a release within a month (30 days) of it, by the release's month.
delete from feature_dm.fraction_of_users_upgraded_in_one_month where as_of = {{ ds | sql }};

insert into feature_dm.fraction_of_users_upgraded_in_one_month
select {{ ds | sql }}::date, date_trunc('month', released_at at time zone 'UTC')::date, product,
       release, users, upgraded_30d,
       case when users = 0 then 0 else round(upgraded_30d::numeric / users, 4) end
from feature_core.release_upgrades;

select month, product, release, users, upgraded, fraction
from feature_dm.fraction_of_users_upgraded_in_one_month
where as_of = {{ ds | sql }}
order by month, product, release
