#!/usr/bin/env bash
# run.sh - `make bench`: every benchmark, figures with their references.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tests/bench/bench.py
