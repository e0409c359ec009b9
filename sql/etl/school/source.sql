-- source.sql - the source database of seed 002 (an online school: courses,
-- streams of a course, the modules of a stream, the lessons of a module),
-- standing in as schema school_src of the warehouse. Deterministic rows from
-- generate_series; each has a created_at from params.origin on (a course
-- a day, a new stream of it every two weeks), so a run only sees what existed
-- by the end of its interval. Idempotent: existing ids are left alone, so a
-- second run changes nothing and rows a user adds by hand stay. With
-- generate: false only the tables are made (for a source filled otherwise).
create schema if not exists school_src;

create table if not exists school_src.course (
	id                    int primary key,
	title                 text not null,
	icon_url              text,
	is_auto_course_enroll boolean not null default false,
	is_demo_enabled       boolean not null default false,
	created_at            timestamp not null,
	updated_at            timestamp not null,
	deleted_at            timestamp
);
create table if not exists school_src.stream (
	id                     int primary key,
	course_id              int not null references school_src.course,
	name                   text not null,
	start_at               timestamp,
	end_at                 timestamp,
	is_open                boolean not null default true,
	homework_deadline_days int,
	created_at             timestamp not null,
	updated_at             timestamp not null,
	deleted_at             timestamp
);
create table if not exists school_src.stream_module (
	id              int primary key,
	stream_id       int not null references school_src.stream,
	title           text not null,
	order_in_stream int not null,
	created_at      timestamp not null,
	updated_at      timestamp not null,
	deleted_at      timestamp
);
create table if not exists school_src.stream_module_lesson (
	id               int primary key,
	stream_module_id int not null references school_src.stream_module,
	title            text not null,
	description      text,
	start_at         timestamp,
	end_at           timestamp,
	homework_url     text,
	teacher_id       int,
	online_lesson_join_url text,
	created_at       timestamp not null,
	updated_at       timestamp not null,
	deleted_at       timestamp
);

-- ids: course c, stream c*100+s, module stream*10+m, lesson module*10+l
insert into school_src.course (id, title, icon_url, created_at, updated_at)
select c,
       coalesce((array['Data Analysis', 'Data Science', 'Data Engineering', 'Machine Learning',
                       'Product Analytics', 'Data Visualisation'])[c], 'Course ' || c),
       'https://cdn.example.org/icons/' || c || '.png',
       {{ params.origin | sql }}::timestamp + (c - 1) * interval '1 day',
       {{ params.origin | sql }}::timestamp + (c - 1) * interval '1 day'
from generate_series(1, {{ params.courses }}) c
where {{ params.generate }}
on conflict (id) do nothing;

insert into school_src.stream (id, course_id, name, start_at, end_at, homework_deadline_days,
                               created_at, updated_at)
select c * 100 + s, c, 'Stream ' || s,
       t + interval '7 days', t + interval '97 days', 7, t, t
from generate_series(1, {{ params.courses }}) c,
     generate_series(1, {{ params.streams }}) s,
     lateral (select {{ params.origin | sql }}::timestamp
                     + ((c - 1) + (s - 1) * 14) * interval '1 day' + interval '9 hours' as t) x
where {{ params.generate }}
on conflict (id) do nothing;

insert into school_src.stream_module (id, stream_id, title, order_in_stream, created_at, updated_at)
select (c * 100 + s) * 10 + m, c * 100 + s, 'Module ' || m, m,
       t + m * interval '1 minute', t + m * interval '1 minute'
from generate_series(1, {{ params.courses }}) c,
     generate_series(1, {{ params.streams }}) s,
     generate_series(1, {{ params.modules }}) m,
     lateral (select {{ params.origin | sql }}::timestamp
                     + ((c - 1) + (s - 1) * 14) * interval '1 day' + interval '9 hours' as t) x
where {{ params.generate }}
on conflict (id) do nothing;

insert into school_src.stream_module_lesson (id, stream_module_id, title, description, start_at,
                                             end_at, homework_url, teacher_id,
                                             online_lesson_join_url, created_at, updated_at)
select x.lid, x.module_id, course.title || ': lesson ' || m || '.' || l, 'Lesson ' || l || ' of module ' || m,
       t + interval '7 days' + ((m - 1) * {{ params.lessons }} + (l - 1)) * 2 * interval '1 day',
       t + interval '7 days 1 hour 30 minutes' + ((m - 1) * {{ params.lessons }} + (l - 1)) * 2 * interval '1 day',
       'https://lms.example.org/hw/' || x.lid, 1 + x.lid % 7, 'https://meet.example.org/' || md5(x.lid::text),
       t + m * interval '1 minute' + l * interval '1 second',
       t + m * interval '1 minute' + l * interval '1 second'
from generate_series(1, {{ params.courses }}) c,
     generate_series(1, {{ params.streams }}) s,
     generate_series(1, {{ params.modules }}) m,
     generate_series(1, {{ params.lessons }}) l,
     lateral (select ((c * 100 + s) * 10 + m) * 10 + l as lid, (c * 100 + s) * 10 + m as module_id,
                     {{ params.origin | sql }}::timestamp
                     + ((c - 1) + (s - 1) * 14) * interval '1 day' + interval '9 hours' as t) x,
     school_src.course course
where course.id = c and {{ params.generate }}
on conflict (id) do nothing;

-- fresh statistics: the extract's four-way join plans badly without them
analyze school_src.course;
analyze school_src.stream;
analyze school_src.stream_module;
analyze school_src.stream_module_lesson;
