-- dm_export.sql - the vault's current rows as the datamart wants them, with
-- a hash of each row (for school_datamart_clickhouse.yaml, which compares
-- them with what ClickHouse holds).
select lesson_id as h_lesson_id, lesson_title as h_lesson_title,
       lesson_start_at as h_lesson_start_at, lesson_end_at as h_lesson_end_at,
       lesson_teacher_id as h_lesson_teacher_id, module_id as h_module_id,
       module_title as h_module_title, module_order as h_module_order,
       stream_id as h_stream_id, stream_name as h_stream_name,
       stream_start_at as h_stream_start_at, stream_end_at as h_stream_end_at,
       course_id as h_course_id, course_title as h_course_title,
       md5(row(lesson_title, lesson_start_at, lesson_end_at, lesson_teacher_id,
               module_id, module_title, module_order, stream_id, stream_name,
               stream_start_at, stream_end_at, course_id, course_title)::text) as row_hash,
       {{ ds | sql }}::date as updated_ds
from school_dv.v_current
order by lesson_id
