-- hubs.sql - one row per new business key.
insert into school_dv.h_course (course_hk, course_id, load_ts, record_source)
select distinct md5(course_id::text), course_id, now(), 'school_src.course'
from school_stage.new_rows
on conflict do nothing;

insert into school_dv.h_stream (stream_hk, stream_id, load_ts, record_source)
select distinct md5(stream_id::text), stream_id, now(), 'school_src.stream'
from school_stage.new_rows
on conflict do nothing;

insert into school_dv.h_module (module_hk, module_id, load_ts, record_source)
select distinct md5(module_id::text), module_id, now(), 'school_src.stream_module'
from school_stage.new_rows
on conflict do nothing;

insert into school_dv.h_lesson (lesson_hk, lesson_id, load_ts, record_source)
select distinct md5(lesson_id::text), lesson_id, now(), 'school_src.stream_module_lesson'
from school_stage.new_rows
on conflict do nothing;
