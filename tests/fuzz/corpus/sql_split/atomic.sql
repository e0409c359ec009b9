create function g(x int) returns int language sql
begin atomic
  select x + 2;
end;
select 1 /* a /* nested */ ; */ ; -- c ;
