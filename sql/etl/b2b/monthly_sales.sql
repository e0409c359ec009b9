-- monthly_sales.sql - all sales of the platform by month, for the year up
-- to the report day: the twelve months ending with the month of ds, and
-- only orders placed before the end of the run's interval (not "today":
-- a rerun or a catchup of an old day reports that day's year).
-- Cancelled orders do not count.
delete from b2b_mart.monthly_sales where report_ds = {{ ds | sql }};

insert into b2b_mart.monthly_sales
select {{ ds | sql }}::date, date_trunc('month', o.order_ts)::date,
       count(distinct o.order_id), count(distinct o.customer_id),
       sum(s.quantity), sum(s.quantity * s.unit_price)
from b2b_lake.orders o
join b2b_lake.sales s using (order_id)
where o.status <> 'cancelled'
  and o.order_ts >= date_trunc('month', {{ ds | sql }}::date) - interval '11 months'
  and o.order_ts < ({{ data_interval_end | sql }}::timestamptz at time zone 'UTC')
group by 2;

select month, orders, customers, units, revenue
from b2b_mart.monthly_sales
where report_ds = {{ ds | sql }}
order by month
