#!/bin/sh
# demo.sh - `make demo`: check the example DAGs, then run the daemon on them
# with its state under var/ and print where to look. Ctrl-C stops it (the
# daemon drains and exits cleanly). DAGD_LISTEN overrides the address.
set -eu
cd "$(dirname "$0")/.."
./build/dagd check config/dags
mkdir -p var
listen=${DAGD_LISTEN:-127.0.0.1:8080}
export DAGD_LISTEN="$listen"
echo
echo "dagd: starting on the example DAGs; API and dashboard at http://$listen/"
echo "      try: curl -s http://$listen/api/v1/dags"
echo "      Ctrl-C stops it"
echo
exec ./build/dagd serve --config config/dagd.yaml
