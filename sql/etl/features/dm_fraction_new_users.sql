-- dm_fraction_new_users.sql - the fraction of a month's new users of a
-- product who used a feature within their first 14 days.
delete from feature_dm.fraction_of_new_users_use_feature where as_of = {{ ds | sql }};

insert into feature_dm.fraction_of_new_users_use_feature
select {{ ds | sql }}::date, date_trunc('month', signup_date)::date, product, feature,
       sum(new_users), sum(users_used_14d),
       round(sum(users_used_14d)::numeric / sum(new_users), 4)
from feature_core.new_users_feature_use
group by 2, 3, 4;

select month, product, feature, new_users, users_used_14d, fraction
from feature_dm.fraction_of_new_users_use_feature
where as_of = {{ ds | sql }}
order by month, product, feature
