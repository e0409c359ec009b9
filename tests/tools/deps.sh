#!/bin/sh
# deps.sh - make sure the Debian packages dagd builds and tests with are
# installed. As root it runs apt-get update, then apt-get install -y for what
# is missing; otherwise it prints the exact command and fails.
set -u
pkgs="build-essential pkg-config clang libclang-rt-14-dev libuv1-dev libmicrohttpd-dev
libyaml-dev libjansson-dev libpq-dev zlib1g-dev libsqlite3-dev sqlite3 libcmocka-dev
python3 python3-pytest python3-croniter postgresql postgresql-client tzdata
curl ca-certificates time systemd wrk clickhouse-server clickhouse-client"
missing=""
for p in $pkgs; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "dagd: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "dagd: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null || {
	echo "dagd: apt-get install failed for:$missing" >&2
	exit 1
}
