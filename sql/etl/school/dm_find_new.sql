-- dm_find_new.sql - the vault's current rows that the datamart does not hold
-- in this form yet (compared by a hash of the whole row).
truncate school_dm.new_rows;

insert into school_dm.new_rows
select lesson_id, lesson_title, lesson_start_at, lesson_end_at, lesson_teacher_id,
       module_id, module_title, module_order,
       stream_id, stream_name, stream_start_at, stream_end_at,
       course_id, course_title, row_hash, {{ ds | sql }}::date
from (select v.*,
             md5(row(lesson_title, lesson_start_at, lesson_end_at, lesson_teacher_id,
                     module_id, module_title, module_order, stream_id, stream_name,
                     stream_start_at, stream_end_at, course_id, course_title)::text) as row_hash
      from school_dv.v_current v) v
where not exists (select 1 from school_dm.dm_courses_modules_lessons_streams d
                  where d.h_lesson_id = v.lesson_id and d.row_hash = v.row_hash);
