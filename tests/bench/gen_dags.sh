#!/bin/sh
# gen_dags.sh DIR N TASKS - write N DAG files of TASKS tasks each (a layered
# graph with templates, defaults and params) for the loading benchmark.
set -eu
dir=$1 n=${2:-1000} tasks=${3:-20}
mkdir -p "$dir"
i=0
while [ "$i" -lt "$n" ]; do
	{
		echo "dag: gen_$i"
		echo "description: generated DAG $i"
		echo "schedule: \"$((i % 60)) $((i % 24)) * * *\""
		echo "timezone: Europe/Berlin"
		echo "start_date: 2026-01-01"
		echo "paused: true"
		echo "params:"
		echo "  n: {default: $i, type: int}"
		echo "defaults: {retries: 1, retry_delay: 30s, timeout: 1h}"
		echo "tasks:"
		t=0
		while [ "$t" -lt "$tasks" ]; do
			if [ "$t" -lt 4 ]; then
				echo "  t$t: {shell: \"echo {{ ds }} {{ params.n }} $t\"}"
			else
				echo "  t$t: {depends: [t$((t - 4)), t$((t - 3))], shell: \"echo {{ ds_nodash }} $t\"}"
			fi
			t=$((t + 1))
		done
	} >"$dir/gen_$i.yaml"
	i=$((i + 1))
done
