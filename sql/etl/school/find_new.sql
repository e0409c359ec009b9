-- find_new.sql - the rows of the source (as of this run's interval end)
-- that the vault does not hold in their current form: new lessons, streams,
-- modules, courses, or changed attributes. The whole denormalised row is
-- compared, as the original compared its two dataframes.
truncate school_stage.new_rows;

insert into school_stage.new_rows
select * from school_stage.source_rows
except
select course_id, course_title, course_created_at, course_updated_at,
       stream_id, stream_name, stream_start_at, stream_end_at, stream_is_open,
       stream_created_at, stream_updated_at,
       module_id, module_title, module_order, module_created_at, module_updated_at,
       lesson_id, lesson_title, lesson_start_at, lesson_end_at, lesson_teacher_id,
       lesson_created_at, lesson_updated_at
from school_dv.v_current;

-- statistics for the hub, link and satellite loads that read it
analyze school_stage.new_rows;
