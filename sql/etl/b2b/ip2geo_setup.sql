-- ip2geo_setup.sql - the IP-to-country table (IP2Location LITE DB1 layout).
select pg_advisory_xact_lock(3003);
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists b2b_lake;

create table if not exists b2b_lake.ip2geo (
	ip_from bigint not null, ip_to bigint not null,
	country_code text not null, country_name text not null);
create index if not exists ip2geo_ip_from on b2b_lake.ip2geo (ip_from);
