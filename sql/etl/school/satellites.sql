-- satellites.sql - a satellite row for every entity whose attributes differ
-- from its latest satellite row (or that has none yet).
insert into school_dv.s_course (course_hk, load_ts, hashdiff, title, created_at, updated_at)
select n.hk, now(), n.hashdiff, n.course_title, n.course_created_at, n.course_updated_at
from (select distinct md5(course_id::text) as hk,
             md5(row(course_title, course_created_at, course_updated_at)::text) as hashdiff,
             course_title, course_created_at, course_updated_at
      from school_stage.new_rows) n
left join lateral (select hashdiff from school_dv.s_course s where s.course_hk = n.hk
                   order by load_ts desc limit 1) cur on true
where cur.hashdiff is distinct from n.hashdiff;

insert into school_dv.s_stream (stream_hk, load_ts, hashdiff, name, start_at, end_at, is_open,
                                created_at, updated_at)
select n.hk, now(), n.hashdiff, n.stream_name, n.stream_start_at, n.stream_end_at,
       n.stream_is_open, n.stream_created_at, n.stream_updated_at
from (select distinct md5(stream_id::text) as hk,
             md5(row(stream_name, stream_start_at, stream_end_at, stream_is_open,
                     stream_created_at, stream_updated_at)::text) as hashdiff,
             stream_name, stream_start_at, stream_end_at, stream_is_open,
             stream_created_at, stream_updated_at
      from school_stage.new_rows) n
left join lateral (select hashdiff from school_dv.s_stream s where s.stream_hk = n.hk
                   order by load_ts desc limit 1) cur on true
where cur.hashdiff is distinct from n.hashdiff;

insert into school_dv.s_module (module_hk, load_ts, hashdiff, title, order_in_stream,
                                created_at, updated_at)
select n.hk, now(), n.hashdiff, n.module_title, n.module_order, n.module_created_at,
       n.module_updated_at
from (select distinct md5(module_id::text) as hk,
             md5(row(module_title, module_order, module_created_at, module_updated_at)::text)
                 as hashdiff,
             module_title, module_order, module_created_at, module_updated_at
      from school_stage.new_rows) n
left join lateral (select hashdiff from school_dv.s_module s where s.module_hk = n.hk
                   order by load_ts desc limit 1) cur on true
where cur.hashdiff is distinct from n.hashdiff;

insert into school_dv.s_lesson (lesson_hk, load_ts, hashdiff, title, start_at, end_at,
                                teacher_id, created_at, updated_at)
select n.hk, now(), n.hashdiff, n.lesson_title, n.lesson_start_at, n.lesson_end_at,
       n.lesson_teacher_id, n.lesson_created_at, n.lesson_updated_at
from (select distinct md5(lesson_id::text) as hk,
             md5(row(lesson_title, lesson_start_at, lesson_end_at, lesson_teacher_id,
                     lesson_created_at, lesson_updated_at)::text) as hashdiff,
             lesson_title, lesson_start_at, lesson_end_at, lesson_teacher_id,
             lesson_created_at, lesson_updated_at
      from school_stage.new_rows) n
left join lateral (select hashdiff from school_dv.s_lesson s where s.lesson_hk = n.hk
                   order by load_ts desc limit 1) cur on true
where cur.hashdiff is distinct from n.hashdiff;
