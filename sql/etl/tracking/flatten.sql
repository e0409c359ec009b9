-- flatten.sql - the day's raw records into typed rows (replacing the day's
-- slice, so a rerun is idempotent).
delete from tracking.events where ds = {{ ds | sql }};

insert into tracking.events
select anonymous_id, event, event_ts,
       context ->> 'os', context ->> 'app_version', context ->> 'locale',
       properties ->> 'city', properties ->> 'vehicle_id', properties ->> 'ride_id',
       (properties ->> 'battery')::int, (properties ->> 'duration_s')::int,
       (properties ->> 'distance_m')::int, (properties ->> 'price_eur')::numeric,
       file_ds
from tracking.track_events_raw
where file_ds = {{ ds | sql }};

delete from tracking.weather where ds = {{ ds | sql }};

insert into tracking.weather
select distinct on (name, dt)
       name, to_timestamp(dt),
       (main ->> 'temp')::numeric, (main ->> 'feels_like')::numeric, (main ->> 'humidity')::int,
       weather -> 0 ->> 'main', weather -> 0 ->> 'description', (wind ->> 'speed')::numeric,
       file_ds
from tracking.weather_raw
where file_ds = {{ ds | sql }}
order by name, dt
on conflict (city, observed_at) do update set
	temp_c = excluded.temp_c, feels_like = excluded.feels_like, humidity = excluded.humidity,
	condition = excluded.condition, description = excluded.description,
	wind_speed = excluded.wind_speed, ds = excluded.ds;

-- fresh statistics for the result query's joins (autovacuum may come later)
analyze tracking.events;
analyze tracking.weather;
