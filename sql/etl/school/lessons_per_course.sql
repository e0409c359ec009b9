-- lessons_per_course.sql - the seed's result query: the number of distinct
-- lessons (by title) of each course, kept in school_dm.lessons_per_course
-- and written as this run's report.
delete from school_dm.lessons_per_course;

insert into school_dm.lessons_per_course (course_title, lessons_qty, as_of)
with h_courses_lessons_grouped as (
	select h_course_title, h_lesson_title
	from school_dm.dm_courses_modules_lessons_streams
	group by h_course_title, h_lesson_title
)
select h_course_title, count(h_lesson_title), {{ ds | sql }}::date
from h_courses_lessons_grouped
group by h_course_title;

select course_title, lessons_qty
from school_dm.lessons_per_course
order by course_title
