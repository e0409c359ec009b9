-- b2b_setup.sql - the B2B platform's tables in the lake (seed 003);
-- idempotent. The advisory lock keeps the setups of the ingestion and
-- report DAGs, which share the schemas, from racing each other.
select pg_advisory_xact_lock(3003);
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists b2b_lake;

create table if not exists b2b_lake.company (
	company_id int primary key, name text not null, country_code char(2) not null, industry text);
create table if not exists b2b_lake.customer (
	customer_id int primary key, company_id int not null, email text not null,
	created_at timestamp not null);
create table if not exists b2b_lake.product (
	product_id int primary key, name text not null, category text, unit_price numeric(10, 2) not null);
create table if not exists b2b_lake.inventory (
	product_id int not null, warehouse text not null, quantity int not null,
	primary key (product_id, warehouse));
create table if not exists b2b_lake.orders (
	order_id bigint primary key, customer_id int not null, order_ts timestamp not null,
	status text not null, order_ds date not null);
create index if not exists orders_order_ts on b2b_lake.orders (order_ts);
create table if not exists b2b_lake.sales (
	order_id bigint not null, line_no int not null, product_id int not null,
	quantity int not null, unit_price numeric(10, 2) not null, order_ds date not null,
	primary key (order_id, line_no));
create index if not exists sales_order_ds on b2b_lake.sales (order_ds);
