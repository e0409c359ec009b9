#!/bin/sh
# demo.sh - `make demo`: check the example DAGs, start a throwaway
# PostgreSQL warehouse under var/pg (initdb once, as the postgres user when
# run as root; reused by the next demo), then run the daemon on the examples
# with its state under var/ and print where to look. Ctrl-C stops the daemon
# (it drains and exits) and then the warehouse. DAGD_LISTEN overrides the
# address, DAGD_DEMO_PGPORT the warehouse's port.
set -eu
cd "$(dirname "$0")/.."
./build/dagd check config/dags
mkdir -p var
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgdir=$PWD/var/pg
pgport=${DAGD_DEMO_PGPORT:-55432}
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ -z "$pgbin" ]; then
	echo "dagd: PostgreSQL is not installed (make deps installs it)" >&2
	exit 1
fi
if [ ! -f "$pgdir/data/PG_VERSION" ]; then
	mkdir -p "$pgdir"
	[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
	echo "dagd: creating the demo warehouse in $pgdir"
	as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres >"$pgdir/initdb.log"
fi
if ! as_pg "$pgbin/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
	as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
		-o "-p $pgport -k $pgdir -c listen_addresses=''" start >/dev/null
fi
stop_pg() {
	as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
}
as_pg "$pgbin/psql" -h "$pgdir" -p "$pgport" -U postgres -tAc \
	"select 1 from pg_database where datname = 'warehouse'" | grep -q 1 ||
	as_pg "$pgbin/createdb" -h "$pgdir" -p "$pgport" -U postgres warehouse
export WAREHOUSE_URL="postgresql://postgres@/warehouse?host=$pgdir&port=$pgport"
listen=${DAGD_LISTEN:-127.0.0.1:8080}
export DAGD_LISTEN="$listen"
echo
echo "dagd: starting on the example DAGs (warehouse: $pgdir, port $pgport)"
echo "      dashboard and API at http://$listen/"
echo "      try: curl -s http://$listen/api/v1/dags"
echo "      Ctrl-C stops it"
echo
# the daemon in its own session: Ctrl-C reaches it once, through the trap
trap 'kill -INT "$pid" 2>/dev/null || true' INT TERM
setsid ./build/dagd serve --config config/dagd.yaml &
pid=$!
status=0
wait "$pid" || status=$?
# a signal interrupts the first wait: wait again for the drain to finish
wait "$pid" 2>/dev/null || true
stop_pg
exit "$status"
