-- dm_update.sql - upsert the new rows into the datamart (the primary key
-- does what a ReplacingMergeTree does in school_datamart_clickhouse.yaml).
insert into school_dm.dm_courses_modules_lessons_streams
select * from school_dm.new_rows
on conflict (h_lesson_id) do update set
	h_lesson_title = excluded.h_lesson_title,
	h_lesson_start_at = excluded.h_lesson_start_at,
	h_lesson_end_at = excluded.h_lesson_end_at,
	h_lesson_teacher_id = excluded.h_lesson_teacher_id,
	h_module_id = excluded.h_module_id,
	h_module_title = excluded.h_module_title,
	h_module_order = excluded.h_module_order,
	h_stream_id = excluded.h_stream_id,
	h_stream_name = excluded.h_stream_name,
	h_stream_start_at = excluded.h_stream_start_at,
	h_stream_end_at = excluded.h_stream_end_at,
	h_course_id = excluded.h_course_id,
	h_course_title = excluded.h_course_title,
	row_hash = excluded.row_hash,
	updated_ds = excluded.updated_ds;
