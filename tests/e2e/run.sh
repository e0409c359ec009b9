#!/usr/bin/env bash
# run.sh - the e2e suite: the dashboard in Debian's headless Chromium,
# driven by playwright-core (npm; it downloads no browser). Installs what
# is missing (chromium and sqlite3 with apt-get when root, playwright-core
# from the committed package-lock.json), then runs dashboard.test.mjs,
# which starts its own daemons on free ports, and demo.test.mjs (`make
# demo` in a fresh copy of the tree). Ends with the line "N passed, N
# failed" (both summed) and exits non-zero on any failure. E2E_TESTS
# names the files to run instead.
# DAGD_E2E_README=1 also rewrites the README's screenshots (readme/).
set -u
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
export DAGD_BIN=${DAGD_BIN:-$ROOT/build/dagd}
export DAGD_JOB_BIN=${DAGD_JOB_BIN:-$ROOT/build/dagd-job}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

die() {
	echo "e2e: $*"
	echo "0 passed, 1 failed"
	exit 1
}

apt_install() {
	[ "$(id -u)" -eq 0 ] || die "$* missing and not root: apt-get install $*"
	if [ -z "${APT_UPDATED:-}" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
		die "apt-get install $* failed"
}

need=()
[ -x "$CHROMIUM" ] || need+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
[ -x "$CHROMIUM" ] || die "no chromium at $CHROMIUM"
[ -x "$DAGD_BIN" ] || die "no daemon at $DAGD_BIN: run make first"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] || die "playwright-core needs node 20 or later, not $(node --version 2>&1)"

if [ ! -f node_modules/playwright-core/package.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
		npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
		die "npm could not install playwright-core"
fi

mkdir -p screenshots
export CHROMIUM
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in ${E2E_TESTS:-dashboard.test.mjs demo.test.mjs}; do
	node "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	p=${last%% passed*}
	f=${last##*, }
	f=${f%% failed}
	[ -n "$last" ] || { p=0; f=0; }
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
