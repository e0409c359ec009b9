select 1;
insert into t values ($$a;b$$, E'x\';y');
