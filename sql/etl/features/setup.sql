-- setup.sql - raw, core and datamart layers of the feature analytics
-- (seed 000); idempotent.
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists feature_raw;
create schema if not exists feature_core;
create schema if not exists feature_dm;

-- raw: the five files as loaded (each load replaces its table's contents)
create table if not exists feature_raw.users (
	user_id int not null, product text not null, signed_up_at timestamptz not null, country text);
create table if not exists feature_raw.features (
	product text not null, feature text not null, feature_no int not null,
	released_at timestamptz not null);
create table if not exists feature_raw.releases (
	product text not null, release text not null, released_at timestamptz not null);
create table if not exists feature_raw.feature_usage (
	user_id int not null, product text not null, feature text not null, used_at timestamptz not null);
create table if not exists feature_raw.upgrades (
	user_id int not null, product text not null, from_release text, to_release text not null,
	upgraded_at timestamptz not null);

-- core: per user and feature, per signup day, per release (not by month,
-- as in the original: late data can still change the recent days)
create table if not exists feature_core.feature_first_use (
	product text not null, feature text not null, user_id int not null,
	first_used_on date not null, retained_7d boolean not null,
	primary key (product, feature, user_id));
create table if not exists feature_core.new_users_feature_use (
	product text not null, feature text not null, signup_date date not null,
	new_users int not null, users_used_14d int not null,
	primary key (product, feature, signup_date));
create table if not exists feature_core.release_upgrades (
	product text not null, release text not null, released_at timestamptz not null,
	users int not null, upgraded_30d int not null,
	primary key (product, release));

-- datamart: by month, one slice per run (as_of = the run's ds)
create table if not exists feature_dm.feature_retention_rate (
	as_of date not null, month date not null, product text not null, feature text not null,
	feature_no int not null, users int not null, retained int not null,
	retention_rate numeric(6, 4) not null, diff_to_previous_feature numeric(6, 4),
	primary key (as_of, month, product, feature));
create table if not exists feature_dm.fraction_of_new_users_use_feature (
	as_of date not null, month date not null, product text not null, feature text not null,
	new_users int not null, users_used_14d int not null, fraction numeric(6, 4) not null,
	primary key (as_of, month, product, feature));
create table if not exists feature_dm.fraction_of_users_upgraded_in_one_month (
	as_of date not null, month date not null, product text not null, release text not null,
	users int not null, upgraded int not null, fraction numeric(6, 4) not null,
	primary key (as_of, month, product, release));
