-- load_new.sql - append the new rows (the primary key on row_hash makes a
-- rerun of the same run a no-op).
insert into mobile.events
select * from mobile.new_events
on conflict (row_hash) do nothing;
