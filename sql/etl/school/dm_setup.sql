-- dm_setup.sql - the datamart of seed 002 (a ClickHouse database in the
-- original, a PostgreSQL schema here): the vault denormalised, one row per
-- lesson, as the original's dm_courses_modules_lessons_streams; idempotent.
-- two runs' "if not exists" DDL at once collide in PostgreSQL (a
-- duplicate key in pg_namespace): the setups take turns
select pg_advisory_xact_lock(hashtext('dagd etl setup'));
create schema if not exists school_dm;

create table if not exists school_dm.dm_courses_modules_lessons_streams (
	h_lesson_id         int primary key,
	h_lesson_title      text,
	h_lesson_start_at   timestamp,
	h_lesson_end_at     timestamp,
	h_lesson_teacher_id int,
	h_module_id         int not null,
	h_module_title      text,
	h_module_order      int,
	h_stream_id         int not null,
	h_stream_name       text,
	h_stream_start_at   timestamp,
	h_stream_end_at     timestamp,
	h_course_id         int not null,
	h_course_title      text,
	row_hash            text not null,
	updated_ds          date not null
);
create table if not exists school_dm.new_rows (like school_dm.dm_courses_modules_lessons_streams);

create table if not exists school_dm.lessons_per_course (
	course_title text primary key,
	lessons_qty  int not null,
	as_of        date not null
);
