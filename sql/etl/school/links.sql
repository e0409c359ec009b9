-- links.sql - one row per new relationship between hubs.
insert into school_dv.l_course_stream (link_hk, course_hk, stream_hk, load_ts, record_source)
select distinct md5(course_id || '|' || stream_id), md5(course_id::text), md5(stream_id::text),
       now(), 'school_src.stream'
from school_stage.new_rows
on conflict do nothing;

insert into school_dv.l_stream_module (link_hk, stream_hk, module_hk, load_ts, record_source)
select distinct md5(stream_id || '|' || module_id), md5(stream_id::text), md5(module_id::text),
       now(), 'school_src.stream_module'
from school_stage.new_rows
on conflict do nothing;

insert into school_dv.l_module_lesson (link_hk, module_hk, lesson_hk, load_ts, record_source)
select distinct md5(module_id || '|' || lesson_id), md5(module_id::text), md5(lesson_id::text),
       now(), 'school_src.stream_module_lesson'
from school_stage.new_rows
on conflict do nothing;
