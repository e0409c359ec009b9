-- Totals of one day of orders, replacing that day's slice.
create schema if not exists example;
create table if not exists example.daily_totals (ds date primary key, orders int, amount numeric);
delete from example.daily_totals where ds = {{ ds | sql }};
insert into example.daily_totals
select {{ ds | sql }}::date, count(*), coalesce(sum(amount), 0)
from example.orders
where created_at >= {{ data_interval_start | sql }} and created_at < {{ data_interval_end | sql }};
