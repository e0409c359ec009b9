-- weblog_parse.sql - this interval's raw lines, parsed from the Apache
-- combined log format (host ident user [time] "request" status bytes
-- "referer" "user-agent"); the device is classified from the user agent.
-- A line is checked against the format with one regular expression without
-- captures (PostgreSQL matches those fast) and then cut into fields with
-- split_part, which is many times quicker than regexp_match's captures.
-- Lines that do not match go to weblog_rejects. A rerun replaces the slice.
delete from b2b_lake.weblog where interval_start = {{ data_interval_start | sql }}::timestamptz;
delete from b2b_lake.weblog_rejects where interval_start = {{ data_interval_start | sql }}::timestamptz;

create temp table parsed on commit drop as
select r.line, r.src_file,
       r.line ~ '^[0-9A-Fa-f:.]+ [^ "]+ [^ "]+ \[[^]"]+\] "[^ "]+ [^ "]+ [^"]*" [0-9]{3} ([0-9]+|-) "[^"]*" "[^"]*"$'
           as ok,
       split_part(r.line, '"', 2) as request,
       split_part(r.line, '"', 6) as agent
from b2b_lake.weblog_raw r
where r.interval_start = {{ data_interval_start | sql }}::timestamptz;

insert into b2b_lake.weblog
select split_part(line, ' ', 1)::inet,
       nullif(split_part(line, ' ', 3), '-'),
       to_timestamp(split_part(split_part(line, '[', 2), ']', 1), 'DD/Mon/YYYY:HH24:MI:SS TZHTZM'),
       split_part(request, ' ', 1),
       split_part(request, ' ', 2),
       substr(request, length(split_part(request, ' ', 1)) + length(split_part(request, ' ', 2)) + 3),
       split_part(trim(split_part(line, '"', 3)), ' ', 1)::int,
       nullif(split_part(trim(split_part(line, '"', 3)), ' ', 2), '-')::bigint,
       nullif(split_part(line, '"', 4), '-'),
       agent,
       case when agent ~* 'bot|crawler|spider' then 'Bot'
            when agent ~ 'iPad' then 'iPad'
            when agent ~ 'iPhone' then 'iPhone'
            when agent ~ 'Android' and agent ~ 'Mobile' then 'Android phone'
            when agent ~ 'Android' then 'Android tablet'
            when agent ~ 'Windows' then 'Windows PC'
            when agent ~ 'Macintosh' then 'Mac'
            when agent ~ 'Linux|X11' then 'Linux PC'
            else 'Other' end,
       {{ data_interval_start | sql }}::timestamptz
from parsed
where ok;

insert into b2b_lake.weblog_rejects
select line, {{ data_interval_start | sql }}::timestamptz, src_file
from parsed
where not ok;
