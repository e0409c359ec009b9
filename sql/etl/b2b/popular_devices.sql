-- popular_devices.sql - the top five devices of B2B clients (logged-in
-- requests) over the window_days days up to the end of the run's interval,
-- by distinct clients, then requests.
delete from b2b_mart.popular_devices where report_ds = {{ ds | sql }};

insert into b2b_mart.popular_devices
select {{ ds | sql }}::date,
       row_number() over (order by count(distinct remote_user) desc, count(*) desc, device),
       device, count(distinct remote_user), count(*)
from b2b_lake.weblog
where remote_user is not null
  and request_ts >= {{ data_interval_end | sql }}::timestamptz - {{ params.window_days }} * interval '1 day'
  and request_ts < {{ data_interval_end | sql }}::timestamptz
group by device
order by 2
limit 5;

select rank, device, clients, requests
from b2b_mart.popular_devices
where report_ds = {{ ds | sql }}
order by rank
