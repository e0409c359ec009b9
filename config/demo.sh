#!/bin/sh
# demo.sh - `make demo`: check the example DAGs, start a throwaway
# PostgreSQL warehouse under var/pg (initdb once, as the postgres user when
# run as root; reused by the next demo) and a throwaway ClickHouse under
# var/ch (for school_datamart_clickhouse), run the daemon on the examples
# with its state under var/, backfill the last days of the example DAGs
# (config/demo_seed.sh) and print where to look. Ctrl-C stops the daemon
# (it drains and exits), then ClickHouse and the warehouse. DAGD_LISTEN
# overrides the address, DAGD_DEMO_PGPORT and DAGD_DEMO_CHPORT the
# servers' ports, DAGD_DEMO_DAYS the days backfilled.
set -eu
cd "$(dirname "$0")/.."
./build/dagd check config/dags
mkdir -p var
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgdir=$PWD/var/pg
pgport=${DAGD_DEMO_PGPORT:-55432}
chport=${DAGD_DEMO_CHPORT:-59000}
root=false
[ "$(id -u)" = 0 ] && root=true
as_pg() {
	if $root; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ -z "$pgbin" ]; then
	echo "dagd: PostgreSQL is not installed (make deps installs it)" >&2
	exit 1
fi
# As root the server runs as postgres, which may not reach var/ (a
# checkout under /root or a private temp dir): then its files live in a
# fresh private folder under /var/tmp (mktemp; root's, mode 0711, its pg/
# postgres's, mode 0700), and var/pg links to them. A link whose target
# was cleaned away is made again.
if [ -L var/pg ] && [ ! -e var/pg ]; then
	rm -f var/pg
fi
if $root && [ ! -e var/pg ] && ! runuser -u postgres -- test -x "$PWD/var"; then
	far=$(mktemp -d /var/tmp/dagd-demo-XXXXXXXX)
	chmod 711 "$far"
	mkdir -m 700 "$far/pg"
	ln -sfn "$far/pg" var/pg
	echo "dagd: the postgres user cannot reach $PWD/var: the warehouse is in $far/pg (var/pg links to it)"
fi
if [ -L var/pg ]; then
	pgdir=$(readlink var/pg)
fi
if [ ! -f "$pgdir/data/PG_VERSION" ]; then
	mkdir -p "$pgdir"
	$root && chown -h postgres "$pgdir" && chmod 700 "$pgdir"
	echo "dagd: creating the demo warehouse in $pgdir"
	as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres >"$pgdir/initdb.log"
fi
if ! as_pg "$pgbin/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
	as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
		-o "-p $pgport -k $pgdir -c listen_addresses='' -c unix_socket_permissions=0700" start >/dev/null
fi
chdir=$PWD/var/ch
stop_servers() {
	if [ -f "$chdir/pid" ] && chpid=$(cat "$chdir/pid") && kill "$chpid" 2>/dev/null; then
		i=0
		while kill -0 "$chpid" 2>/dev/null && [ "$i" -lt 100 ]; do
			i=$((i + 1))
			sleep 0.1
		done
	fi
	as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
}
as_pg "$pgbin/psql" -h "$pgdir" -p "$pgport" -U postgres -tAc \
	"select 1 from pg_database where datname = 'warehouse'" | grep -q 1 ||
	as_pg "$pgbin/createdb" -h "$pgdir" -p "$pgport" -U postgres warehouse
export WAREHOUSE_URL="postgresql://postgres@/warehouse?host=$pgdir&port=$pgport"

# ClickHouse: native protocol only, on loopback; its data under var/ch
if command -v clickhouse-server >/dev/null 2>&1; then
	sh config/clickhouse_config.sh "$chdir" "$chport"
	if ! clickhouse-client --port "$chport" --query "SELECT 1" >/dev/null 2>&1; then
		clickhouse-server --config-file="$chdir/config.xml" --pid-file="$chdir/pid" --daemon
		i=0
		until clickhouse-client --port "$chport" --query "SELECT 1" >/dev/null 2>&1; do
			i=$((i + 1))
			[ "$i" -lt 300 ] || { echo "dagd: ClickHouse did not start: $chdir/error.log" >&2; break; }
			sleep 0.1
		done
	fi
	export CLICKHOUSE_URL="clickhouse://127.0.0.1:$chport/school_dm"
else
	echo "dagd: clickhouse-server is not installed (make deps installs it):" \
		"school_datamart_clickhouse will fail"
fi

listen=${DAGD_LISTEN:-127.0.0.1:8080}
export DAGD_LISTEN="$listen"
echo
echo "dagd: starting on the example DAGs (warehouse: $pgdir, port $pgport)"
echo "      dashboard and API at http://$listen/"
echo "      try: curl -s http://$listen/api/v1/dags"
echo "      the seed pipelines by hand, in another shell (README, Example pipelines):"
echo "        export WAREHOUSE_URL='$WAREHOUSE_URL'"
echo "      Ctrl-C (or SIGTERM) stops it"
echo
# the daemon in its own session: Ctrl-C reaches it once, through the trap
stopping=false
trap 'stopping=true; kill -INT "$pid" 2>/dev/null || true' INT TERM
setsid ./build/dagd serve --config config/dagd.yaml &
pid=$!
sh config/demo_seed.sh "http://$listen" &
seed=$!
status=0
wait "$pid" || status=$?
# a signal interrupts the first wait: wait again for the drain to finish,
# and end with the daemon's own status (0 when it drained cleanly)
if $stopping; then
	status=0
	wait "$pid" 2>/dev/null || status=$?
fi
kill "$seed" 2>/dev/null || true
stop_servers
exit "$status"
