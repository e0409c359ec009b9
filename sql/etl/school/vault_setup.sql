-- vault_setup.sql - staging and data vault tables of seed 002; idempotent.
-- Hash keys are MD5s of the business keys, so hubs, links and satellites
-- load in one pass (the original read the hubs' keys back from the
-- warehouse before it could load links and satellites). They are text, not
-- char(32): a char(32) key compared with md5()'s text cannot use its index.
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists school_stage;
create schema if not exists school_dv;

-- the source, denormalised: one row per lesson (replaced by every run)
create table if not exists school_stage.source_rows (
	course_id          int not null,
	course_title       text,
	course_created_at  timestamp,
	course_updated_at  timestamp,
	stream_id          int not null,
	stream_name        text,
	stream_start_at    timestamp,
	stream_end_at      timestamp,
	stream_is_open     boolean,
	stream_created_at  timestamp,
	stream_updated_at  timestamp,
	module_id          int not null,
	module_title       text,
	module_order       int,
	module_created_at  timestamp,
	module_updated_at  timestamp,
	lesson_id          int not null,
	lesson_title       text,
	lesson_start_at    timestamp,
	lesson_end_at      timestamp,
	lesson_teacher_id  int,
	lesson_created_at  timestamp,
	lesson_updated_at  timestamp
);
-- the source rows the vault does not have yet (new or changed)
create table if not exists school_stage.new_rows (like school_stage.source_rows);

-- hubs
create table if not exists school_dv.h_course (
	course_hk text primary key, course_id int not null unique,
	load_ts timestamptz not null, record_source text not null);
create table if not exists school_dv.h_stream (
	stream_hk text primary key, stream_id int not null unique,
	load_ts timestamptz not null, record_source text not null);
create table if not exists school_dv.h_module (
	module_hk text primary key, module_id int not null unique,
	load_ts timestamptz not null, record_source text not null);
create table if not exists school_dv.h_lesson (
	lesson_hk text primary key, lesson_id int not null unique,
	load_ts timestamptz not null, record_source text not null);

-- links
create table if not exists school_dv.l_course_stream (
	link_hk text primary key, course_hk text not null, stream_hk text not null,
	load_ts timestamptz not null, record_source text not null);
create table if not exists school_dv.l_stream_module (
	link_hk text primary key, stream_hk text not null, module_hk text not null,
	load_ts timestamptz not null, record_source text not null);
create table if not exists school_dv.l_module_lesson (
	link_hk text primary key, module_hk text not null, lesson_hk text not null,
	load_ts timestamptz not null, record_source text not null);

-- satellites: a row per change of the descriptive attributes (hashdiff)
create table if not exists school_dv.s_course (
	course_hk text not null, load_ts timestamptz not null, hashdiff text not null,
	title text, created_at timestamp, updated_at timestamp,
	primary key (course_hk, load_ts));
create table if not exists school_dv.s_stream (
	stream_hk text not null, load_ts timestamptz not null, hashdiff text not null,
	name text, start_at timestamp, end_at timestamp, is_open boolean,
	created_at timestamp, updated_at timestamp,
	primary key (stream_hk, load_ts));
create table if not exists school_dv.s_module (
	module_hk text not null, load_ts timestamptz not null, hashdiff text not null,
	title text, order_in_stream int, created_at timestamp, updated_at timestamp,
	primary key (module_hk, load_ts));
create table if not exists school_dv.s_lesson (
	lesson_hk text not null, load_ts timestamptz not null, hashdiff text not null,
	title text, start_at timestamp, end_at timestamp, teacher_id int,
	created_at timestamp, updated_at timestamp,
	primary key (lesson_hk, load_ts));

-- the vault as the source looks, denormalised like school_stage.source_rows:
-- the latest satellite row of every hub, joined through the links
create or replace view school_dv.v_current as
with sc as (select distinct on (course_hk) * from school_dv.s_course order by course_hk, load_ts desc),
     ss as (select distinct on (stream_hk) * from school_dv.s_stream order by stream_hk, load_ts desc),
     sm as (select distinct on (module_hk) * from school_dv.s_module order by module_hk, load_ts desc),
     sl as (select distinct on (lesson_hk) * from school_dv.s_lesson order by lesson_hk, load_ts desc)
select hc.course_id, sc.title as course_title, sc.created_at as course_created_at,
       sc.updated_at as course_updated_at,
       hs.stream_id, ss.name as stream_name, ss.start_at as stream_start_at,
       ss.end_at as stream_end_at, ss.is_open as stream_is_open,
       ss.created_at as stream_created_at, ss.updated_at as stream_updated_at,
       hm.module_id, sm.title as module_title, sm.order_in_stream as module_order,
       sm.created_at as module_created_at, sm.updated_at as module_updated_at,
       hl.lesson_id, sl.title as lesson_title, sl.start_at as lesson_start_at,
       sl.end_at as lesson_end_at, sl.teacher_id as lesson_teacher_id,
       sl.created_at as lesson_created_at, sl.updated_at as lesson_updated_at,
       hc.course_hk, hs.stream_hk, hm.module_hk, hl.lesson_hk
from school_dv.h_lesson hl
join sl using (lesson_hk)
join school_dv.l_module_lesson lml on lml.lesson_hk = hl.lesson_hk
join school_dv.h_module hm on hm.module_hk = lml.module_hk
join sm on sm.module_hk = hm.module_hk
join school_dv.l_stream_module lsm on lsm.module_hk = hm.module_hk
join school_dv.h_stream hs on hs.stream_hk = lsm.stream_hk
join ss on ss.stream_hk = hs.stream_hk
join school_dv.l_course_stream lcs on lcs.stream_hk = hs.stream_hk
join school_dv.h_course hc on hc.course_hk = lcs.course_hk
join sc on sc.course_hk = hc.course_hk;
