-- setup.sql - the tables of the event ingestion (seed 001); idempotent.
-- The raw tables are the load's schema (the original's Spark StructTypes):
-- a record whose value does not fit its column, or with a key that is not
-- a column, fails the load with its file and line instead of becoming NULL.
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists tracking;

create table if not exists tracking.track_events_raw (
	anonymous_id text not null,
	event        text not null,
	event_ts     timestamptz not null,     -- the record's "timestamp"
	context      jsonb,
	properties   jsonb,
	file_ds      date not null
);
create index if not exists track_events_raw_ds on tracking.track_events_raw (file_ds);

create table if not exists tracking.weather_raw (
	name    text not null,
	dt      bigint not null,               -- unix time of the observation
	main    jsonb not null,
	weather jsonb not null,
	wind    jsonb,
	file_ds date not null
);
create index if not exists weather_raw_ds on tracking.weather_raw (file_ds);

-- flattened and typed
create table if not exists tracking.events (
	anonymous_id text not null,
	event        text not null,
	event_ts     timestamptz not null,
	os           text,
	app_version  text,
	locale       text,
	city         text,
	vehicle_id   text,
	ride_id      text,
	battery      int,
	duration_s   int,
	distance_m   int,
	price_eur    numeric(8, 2),
	ds           date not null
);
create index if not exists events_ds on tracking.events (ds);

create table if not exists tracking.weather (
	city        text not null,
	observed_at timestamptz not null,
	temp_c      numeric(5, 1),
	feels_like  numeric(5, 1),
	humidity    int,
	condition   text,
	description text,
	wind_speed  numeric(5, 1),
	ds          date not null,
	primary key (city, observed_at)
);

-- the result: rides by city and weather condition, one slice per day
create table if not exists tracking.rides_by_weather (
	ds               date not null,
	city             text not null,
	condition        text not null,
	app_opens        int not null,
	rides            int not null,
	riders           int not null,
	conversion       numeric(6, 4),
	avg_duration_min numeric(6, 1),
	revenue_eur      numeric(10, 2),
	avg_temp_c       numeric(5, 1),
	primary key (ds, city, condition)
);
