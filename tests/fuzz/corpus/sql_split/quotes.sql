select "a;""b" from (select 1;) x; $tag$ $x$ ; $tag$;
\copy t
