#!/usr/bin/env bash
# run.sh - runs the test suites (SUITES, default "unit integration fuzz e2e")
# against the binaries in $BUILD and prints their sum as the last line:
# "N passed, N failed". A suite that cannot start counts as one failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SUITES=${SUITES:-"unit integration fuzz e2e"}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
export DAGD_BIN=${DAGD_BIN:-$PWD/$BUILD/dagd}
export DAGD_JOB_BIN=${DAGD_JOB_BIN:-$PWD/$BUILD/dagd-job}
export DAGD_SQL_BIN=${DAGD_SQL_BIN:-$PWD/$BUILD/dagd-sql}
pass=0
fail=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

count() { # count FILE REGEX -> the number before REGEX on the last match
	grep -oE "[0-9]+ $2" "$1" | tail -n 1 | grep -oE '^[0-9]+' || echo 0
}

run_unit() {
	local t out p f rc
	for t in "$BUILD"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		out="$log/$(basename "$t").out"
		"$t" >"$out" 2>&1
		rc=$?
		cat "$out"
		p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -n 1)
		f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "unit: $(basename "$t") exited $rc"
			f=1
		fi
		pass=$((pass + p))
		fail=$((fail + f))
	done
}

run_integration() {
	local out="$log/integration.out" rc p f e
	[ -d tests/integration ] || return 0
	ls tests/integration/test_*.py >/dev/null 2>&1 || return 0
	/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(count "$out" passed)
	f=$(count "$out" failed)
	e=$(count "$out" error)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$e" -eq 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f + e))
}

run_fuzz() {
	local h name corpus work rc
	for h in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$h" ] || continue
		name=$(basename "$h")
		corpus="tests/fuzz/corpus/${name#fuzz_}"
		work="$log/corpus-$name"
		mkdir -p "$work"
		[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
		dict=""
		[ -f "tests/fuzz/${name#fuzz_}.dict" ] && dict="-dict=tests/fuzz/${name#fuzz_}.dict"
		"$h" -max_total_time="$FUZZ_SECONDS" -print_final_stats=0 $dict \
			-artifact_prefix="$log/" "$work" >"$log/$name.out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "fuzz: $name ran ${FUZZ_SECONDS}s clean"
			pass=$((pass + 1))
		else
			tail -n 40 "$log/$name.out"
			echo "fuzz: $name FAILED (exit $rc)"
			fail=$((fail + 1))
		fi
	done
}

run_e2e() {
	[ -f tests/e2e/run.sh ] || return 0
	local out="$log/e2e.out" rc
	bash tests/e2e/run.sh 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	local p f
	p=$(count "$out" passed)
	f=$(count "$out" failed)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f))
}

for s in $SUITES; do
	echo "== $s"
	"run_$s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
