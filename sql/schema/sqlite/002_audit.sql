-- Audit log: every mutating API call (who, what, on what, when).
create table audit (
    id integer primary key,
    at_us integer not null,
    who text not null,
    action text not null,
    dag text,
    detail text
);
create index audit_at on audit (at_us desc);
