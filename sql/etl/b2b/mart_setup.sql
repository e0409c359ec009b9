-- mart_setup.sql - the report tables of the B2B datamart (seed 003), one
-- slice per report day (report_ds).
select pg_advisory_xact_lock(3003);
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists b2b_mart;

create table if not exists b2b_mart.monthly_sales (
	report_ds date not null, month date not null, orders int not null, customers int not null,
	units int not null, revenue numeric(14, 2) not null,
	primary key (report_ds, month));
create table if not exists b2b_mart.popular_devices (
	report_ds date not null, rank int not null, device text not null, clients int not null,
	requests int not null,
	primary key (report_ds, rank));
create table if not exists b2b_mart.popular_products (
	report_ds date not null, country_code text not null, country_name text not null,
	login_users int not null, rank int not null, product_id int not null, product_name text,
	units int not null, revenue numeric(14, 2) not null,
	primary key (report_ds, rank));
