-- popular_products.sql - the country most B2B users logged in from over
-- the window_days days up to the end of the interval (successful POST
-- /login, the address looked up in ip2geo), and the top_n products by
-- units sold in that window to companies of that country.
delete from b2b_mart.popular_products where report_ds = {{ ds | sql }};

insert into b2b_mart.popular_products
with logins as (
	select w.remote_user, g.country_code, g.country_name
	from b2b_lake.weblog w
	cross join lateral (
		select country_code, country_name, ip_to
		from b2b_lake.ip2geo
		where ip_from <= (w.ip - '0.0.0.0'::inet)
		order by ip_from desc
		limit 1) g
	where w.method = 'POST' and w.path = '/login' and w.status = 302
	  and w.remote_user is not null
	  and (w.ip - '0.0.0.0'::inet) <= g.ip_to and g.country_code <> '-'
	  and w.request_ts >= {{ data_interval_end | sql }}::timestamptz - {{ params.window_days }} * interval '1 day'
	  and w.request_ts < {{ data_interval_end | sql }}::timestamptz
), top_country as (
	select country_code, country_name, count(distinct remote_user) as users
	from logins
	group by country_code, country_name
	order by users desc, country_code
	limit 1
), sold as (
	select s.product_id, sum(s.quantity) as units, sum(s.quantity * s.unit_price) as revenue
	from b2b_lake.orders o
	join b2b_lake.sales s using (order_id)
	join b2b_lake.customer cu using (customer_id)
	join b2b_lake.company co using (company_id)
	join top_country t on t.country_code = co.country_code
	where o.status <> 'cancelled'
	  and o.order_ts >= ({{ data_interval_end | sql }}::timestamptz at time zone 'UTC')
	                    - {{ params.window_days }} * interval '1 day'
	  and o.order_ts < ({{ data_interval_end | sql }}::timestamptz at time zone 'UTC')
	group by s.product_id
)
select {{ ds | sql }}::date, t.country_code, t.country_name, t.users,
       row_number() over (order by sold.units desc, sold.revenue desc, sold.product_id),
       sold.product_id, p.name, sold.units, sold.revenue
from sold
cross join top_country t
join b2b_lake.product p using (product_id)
order by 5
limit {{ params.top_n }};

select country_code, country_name, login_users, rank, product_id, product_name, units, revenue
from b2b_mart.popular_products
where report_ds = {{ ds | sql }}
order by rank
