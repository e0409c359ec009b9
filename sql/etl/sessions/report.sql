-- report.sql - the sessions that started in this run's interval, by zone.
select business_zoned,
       count(*) as sessions,
       count(*) filter (where successful_booking = 'Y') as booked,
       round(count(*) filter (where successful_booking = 'Y')::numeric / count(*), 4) as booking_rate,
       round(avg(extract(epoch from ended_at - started_at)) / 60, 1) as avg_minutes
from mobile.sessions
where started_at >= ({{ data_interval_start | sql }}::timestamptz at time zone 'UTC')
  and started_at <  ({{ data_interval_end | sql }}::timestamptz at time zone 'UTC')
group by business_zoned
order by business_zoned
