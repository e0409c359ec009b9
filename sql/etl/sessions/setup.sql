-- setup.sql - the tables of the session estimate (seed 004); idempotent.
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists mobile;

-- one day's export, as read (replaced by every run)
create table if not exists mobile.stage_events (
	anonymous_id        varchar(36),
	business_zoned      varchar(7),
	context_app_version varchar(6),
	context_device_id   varchar(36),
	context_os_name     varchar(7),
	event_name          varchar(51),
	received_at         timestamp not null,
	created_at          timestamp not null
);

-- every distinct event ever loaded, keyed by the MD5 of the whole row
create table if not exists mobile.events (
	anonymous_id        varchar(36),
	business_zoned      varchar(7),
	context_app_version varchar(6),
	context_device_id   varchar(36),
	context_os_name     varchar(7),
	event_name          varchar(51),
	received_at         timestamp not null,
	created_at          timestamp not null,
	row_hash            text primary key,
	file_ds             date not null
);
create index if not exists events_session_key
	on mobile.events (lower(anonymous_id), lower(context_device_id), created_at);

-- the rows of the current run that were not loaded before
create table if not exists mobile.new_events (like mobile.events);

-- sessions: a user's events on one device with gaps under 15 minutes
create table if not exists mobile.sessions (
	anonymous_id       varchar(36) not null,
	device_id          varchar(36) not null,
	session_no         int not null,
	business_zoned     varchar(7),
	os_name            varchar(7),
	started_at         timestamp not null,
	ended_at           timestamp not null,
	n_events           int not null,
	first_event        varchar(51),
	last_event         varchar(51),
	successful_booking char(1) not null check (successful_booking in ('Y', 'N')),
	built_ds           date not null,
	primary key (anonymous_id, device_id, session_no)
);
create index if not exists sessions_started_at on mobile.sessions (started_at);
