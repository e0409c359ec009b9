-- weblog_setup.sql - the web shop's access log: raw lines, parsed requests,
-- and the lines that did not parse.
select pg_advisory_xact_lock(3003);
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists b2b_lake;

create table if not exists b2b_lake.weblog_raw (
	line text, interval_start timestamptz not null, src_file text not null);
create index if not exists weblog_raw_interval on b2b_lake.weblog_raw (interval_start);

create table if not exists b2b_lake.weblog (
	ip inet not null, remote_user text, request_ts timestamptz not null,
	method text, path text, protocol text, status int, bytes bigint,
	referer text, user_agent text, device text not null,
	interval_start timestamptz not null);
create index if not exists weblog_request_ts on b2b_lake.weblog (request_ts);
create index if not exists weblog_interval on b2b_lake.weblog (interval_start);

create table if not exists b2b_lake.weblog_rejects (
	line text, interval_start timestamptz not null, src_file text not null);
