-- result.sql - the result query: for each city and weather condition of the
-- day, app opens, rides started, riders, the share of app opens that became
-- a ride, and the rides' mean duration and revenue. Every event is matched
-- with its city's weather in the hour it happened. The day is the run's
-- data interval, not current_date, so a catchup computes every past day.
delete from tracking.rides_by_weather where ds = {{ ds | sql }};

insert into tracking.rides_by_weather
with ev as (
	select e.*, w.condition, w.temp_c
	from tracking.events e
	join tracking.weather w
	  on w.city = e.city and w.observed_at = date_trunc('hour', e.event_ts)
	where e.event_ts >= {{ data_interval_start | sql }}::timestamptz
	  and e.event_ts <  {{ data_interval_end | sql }}::timestamptz
), finished as (
	select ride_id, duration_s, price_eur
	from tracking.events
	where event = 'ride_finished' and ds = {{ ds | sql }}
)
select {{ ds | sql }}::date, ev.city, ev.condition,
       count(*) filter (where ev.event = 'app_opened'),
       count(*) filter (where ev.event = 'ride_started'),
       count(distinct ev.anonymous_id) filter (where ev.event = 'ride_started'),
       round(count(*) filter (where ev.event = 'ride_started')::numeric
             / nullif(count(*) filter (where ev.event = 'app_opened'), 0), 4),
       round(avg(f.duration_s) / 60.0, 1),
       coalesce(sum(f.price_eur), 0),
       round(avg(ev.temp_c), 1)
from ev
left join finished f on ev.event = 'ride_started' and f.ride_id = ev.ride_id
group by ev.city, ev.condition;

select city, condition, app_opens, rides, riders, conversion, avg_duration_min, revenue_eur, avg_temp_c
from tracking.rides_by_weather
where ds = {{ ds | sql }}
order by city, condition
