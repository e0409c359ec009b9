-- dm_feature_retention_rate.sql - 7-day retention of each feature by the
-- month of its first use, and its difference to the product's previous
-- feature (by feature number) in the same month.
delete from feature_dm.feature_retention_rate where as_of = {{ ds | sql }};

insert into feature_dm.feature_retention_rate
select {{ ds | sql }}::date, m.month, m.product, m.feature, m.feature_no, m.users, m.retained,
       m.rate,
       m.rate - lag(m.rate) over (partition by m.month, m.product order by m.feature_no)
from (
	select date_trunc('month', c.first_used_on)::date as month, c.product, c.feature,
	       f.feature_no, count(*) as users, count(*) filter (where c.retained_7d) as retained,
	       round(count(*) filter (where c.retained_7d)::numeric / count(*), 4) as rate
	from feature_core.feature_first_use c
	join feature_raw.features f using (product, feature)
	group by 1, 2, 3, 4
) m;

select month, product, feature, feature_no, users, retained, retention_rate, diff_to_previous_feature
from feature_dm.feature_retention_rate
where as_of = {{ ds | sql }}
order by month, product, feature_no
