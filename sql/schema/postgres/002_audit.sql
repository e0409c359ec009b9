-- Audit log: every mutating API call (who, what, on what, when).
create table audit (
    id bigserial primary key,
    at_us bigint not null,
    who text not null,
    action text not null,
    dag text,
    detail text
);
create index audit_at on audit (at_us desc);
