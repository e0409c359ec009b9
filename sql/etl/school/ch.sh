#!/bin/sh
# ch.sh - clickhouse-client on the `clickhouse` connection of the daemon
# config (a task with `conns: [clickhouse]` gets its parts as
# DAGD_CONN_CLICKHOUSE_*): host, native port (default 9000), user,
# password and database (CH_DATABASE overrides it: the task that creates
# the database connects to `default`). Arguments go to clickhouse-client;
# used by config/dags/school_datamart_clickhouse.yaml.
set -eu
: "${DAGD_CONN_CLICKHOUSE_HOST:?the clickhouse connection is not set (CLICKHOUSE_URL, e.g. clickhouse://localhost:9000/school_dm)}"
set -- --host "$DAGD_CONN_CLICKHOUSE_HOST" --port "${DAGD_CONN_CLICKHOUSE_PORT:-9000}" \
	--database "${CH_DATABASE:-${DAGD_CONN_CLICKHOUSE_DATABASE:-default}}" "$@"
[ -z "${DAGD_CONN_CLICKHOUSE_USER:-}" ] || set -- --user "$DAGD_CONN_CLICKHOUSE_USER" "$@"
if [ -n "${DAGD_CONN_CLICKHOUSE_PASSWORD:-}" ]; then
	# the password in a private config file, never on the command line
	umask 077
	cfg=$(mktemp)
	trap 'rm -f "$cfg"' EXIT
	pw=$(printf %s "$DAGD_CONN_CLICKHOUSE_PASSWORD" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
	printf '<config><password>%s</password></config>\n' "$pw" >"$cfg"
	clickhouse-client --config-file "$cfg" "$@"
	exit
fi
exec clickhouse-client "$@"
