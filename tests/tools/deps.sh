#!/bin/sh
# deps.sh - make sure the Debian packages dagd builds and tests with are
# installed. As root it runs apt-get update, then apt-get install -y for what
# is missing; otherwise it prints the exact command and fails.
set -u
pkgs="build-essential pkg-config clang libclang-rt-14-dev libuv1-dev libmicrohttpd-dev
libyaml-dev libjansson-dev libpq-dev zlib1g-dev libsqlite3-dev sqlite3 libcmocka-dev
python3 python3-pytest python3-croniter postgresql postgresql-client tzdata
curl ca-certificates time systemd wrk clickhouse-server clickhouse-client"
# docker-compose only validates docker-compose.yml (test_packaging.py):
# installed without its recommended docker.io daemon
norec="docker-compose"
absent() { # PACKAGE... -> those not installed
	for p in "$@"; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$s" = "installed" ] || printf ' %s' "$p"
	done
}
missing=$(absent $pkgs)
missing_norec=$(absent $norec)
[ -z "$missing$missing_norec" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "dagd: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing${missing_norec:+ && apt-get install -y --no-install-recommends$missing_norec}" >&2
	exit 1
fi
echo "dagd: installing$missing$missing_norec"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "dagd: apt-get update failed" >&2; exit 1; }
if [ -n "$missing" ] && ! apt-get install -y -q $missing >/dev/null; then
	echo "dagd: apt-get install failed for:$missing" >&2
	exit 1
fi
# The clickhouse-server package starts a system service whose default user has
# no password. dagd's demo and tests start their own server under var/ch or a
# temp dir, so a service this script brought in is stopped and disabled.
case " $missing " in
*" clickhouse-server "*)
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		if systemctl disable --now clickhouse-server >/dev/null 2>&1; then
			echo "dagd: stopped and disabled the clickhouse-server system service the" \
				"package started (dagd runs its own); 'systemctl enable --now" \
				"clickhouse-server' brings it back"
		else
			echo "dagd: warning: could not stop the clickhouse-server system service" \
				"(its default user has no password): systemctl disable --now clickhouse-server" >&2
		fi
	fi
	;;
esac
if [ -n "$missing_norec" ] && ! apt-get install -y -q --no-install-recommends $missing_norec >/dev/null; then
	echo "dagd: apt-get install failed for:$missing_norec" >&2
	exit 1
fi
exit 0
