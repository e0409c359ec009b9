#!/bin/sh
# docker-entrypoint.sh - the dagd image's entry point: a container's API
# listens on 0.0.0.0, which dagd allows only with an API token, so when
# $DAGD_API_TOKEN_FILE names a file that is missing or empty, write a
# random token there first (read it with
# `docker compose exec dagd cat /var/lib/dagd/api_token`). Then run the
# command (by default `dagd serve`).
set -eu
tok=${DAGD_API_TOKEN_FILE:-}
if [ -n "$tok" ] && [ ! -s "$tok" ]; then
	(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$tok")
	echo "dagd: wrote a new API token to $tok" >&2
fi
exec "$@"
