#!/bin/sh
# demo_seed.sh - the first runs of `make demo`, started by config/demo.sh
# once the daemon answers: writes the CSV drops example_warehouse waits for
# (var/drop/orders_<day>.csv, 20 orders a day), then backfills the last
# DAGD_DEMO_DAYS days (default 3, up to yesterday) of every example DAG that
# is paused in its file, so each has runs to look at without being switched
# on (a paused DAG runs its backfills; a catchup since start_date would be
# hundreds of runs). The monthly ip2geo_ingest gets its months. The report
# DAGs' sensors wait for the ingestion runs of their day. A second demo
# backfills nothing that already ran. Usage: demo_seed.sh URL
set -eu
cd "$(dirname "$0")/.."
url=$1
days=${DAGD_DEMO_DAYS:-3}
dagd=./build/dagd

i=0
until curl -fs "$url/readyz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { echo "dagd: the daemon did not answer at $url" >&2; exit 1; }
	sleep 0.1
done

first=$(date -u -d "$days days ago" +%F)
last=$(date -u -d yesterday +%F)
# ip2geo_ingest (monthly): the month before the first day's, which a
# report's `latest` sensor needs (a run that ended by the report's end)
month=$(date -u -d "$(date -u -d "$first" +%Y-%m-01) -1 month" +%F)

# example_warehouse: the drops of those days (deterministic, 20 orders each)
mkdir -p var/drop
d=$first
while [ "$d" != "$(date -u -d "$last +1 day" +%F)" ]; do
	f=var/drop/orders_$(date -u -d "$d" +%Y%m%d).csv
	if [ ! -f "$f" ]; then
		awk -v ds="$d" -v n="$(date -u -d "$d" +%j)" 'BEGIN {
			print "id,amount,created_at"
			for (i = 0; i < 20; i++)
				printf "%d,%.2f,%sT%02d:%02d:00Z\n", n * 1000 + i, 5 + (n * 37 + i * 53) % 500 / 10,
				       ds, 4 + int(i / 2), (i % 2) * 30
		}' >"$f.tmp" && mv "$f.tmp" "$f"
	fi
	d=$(date -u -d "$d +1 day" +%F)
done

backfill() { # DAG FROM TO
	if ! out=$("$dagd" backfill "$1" "$2" "$3" --url "$url" --json); then
		echo "dagd: demo: the backfill of $1 failed" >&2
		return 0
	fi
	n=$(printf '%s\n' "$out" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
	printf 'dagd: demo: %-28s %s run(s) for %s..%s\n' "$1" "$n" "$2" "${3%%T*}"
}
echo "dagd: demo: backfilling the example DAGs over $first..$last"
for f in config/dags/*.yaml; do
	grep -q '^paused: true' "$f" || continue
	dag=$(sed -n 's/^dag: *//p' "$f")
	case $dag in
	ip2geo_ingest) backfill "$dag" "$month" "${last}T23:59:59Z" ;;
	*) backfill "$dag" "$first" "${last}T23:59:59Z" ;;
	esac
done
# school_vault is on (its catchup is off): add the days before its first run
backfill school_vault "$first" "${last}T23:59:59Z"
echo "dagd: demo: watch them at $url/ (a few seconds to finish on a quiet machine)"
