-- weblog_parse.sql - this interval's raw lines, parsed from the Apache
-- combined log format (host ident user [time] "request" status bytes
-- "referer" "user-agent"); the device is classified from the user agent.
-- Lines that do not match go to weblog_rejects. A rerun replaces the slice.
delete from b2b_lake.weblog where interval_start = {{ data_interval_start | sql }}::timestamptz;
delete from b2b_lake.weblog_rejects where interval_start = {{ data_interval_start | sql }}::timestamptz;

create temp table parsed on commit drop as
select r.line, r.src_file,
       regexp_match(r.line,
           '^(\S+) \S+ (\S+) \[([^]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$') as m
from b2b_lake.weblog_raw r
where r.interval_start = {{ data_interval_start | sql }}::timestamptz;

insert into b2b_lake.weblog
select m[1]::inet, nullif(m[2], '-'), to_timestamp(m[3], 'DD/Mon/YYYY:HH24:MI:SS TZHTZM'),
       m[4], m[5], m[6], m[7]::int, nullif(m[8], '-')::bigint, nullif(m[9], '-'), m[10],
       case when m[10] ~* 'bot|crawler|spider' then 'Bot'
            when m[10] ~ 'iPad' then 'iPad'
            when m[10] ~ 'iPhone' then 'iPhone'
            when m[10] ~ 'Android' and m[10] ~ 'Mobile' then 'Android phone'
            when m[10] ~ 'Android' then 'Android tablet'
            when m[10] ~ 'Windows' then 'Windows PC'
            when m[10] ~ 'Macintosh' then 'Mac'
            when m[10] ~ 'Linux|X11' then 'Linux PC'
            else 'Other' end,
       {{ data_interval_start | sql }}::timestamptz
from parsed
where m is not null;

insert into b2b_lake.weblog_rejects
select line, {{ data_interval_start | sql }}::timestamptz, src_file
from parsed
where m is null;
