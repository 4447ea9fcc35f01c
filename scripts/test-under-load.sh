#!/usr/bin/env bash
# Runs the whole test suite N times (default 10) while two busy loops hold both cores, as a
# loaded CI machine would: a test that flakes under load shows here. Prints one line per run and
# a closing "N passed, N failed" line; exits non-zero if any run failed.
# Usage: scripts/test-under-load.sh [N]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
swift build --build-tests >/dev/null || { echo "test-under-load: the build failed"; exit 1; }
busy=()
for _ in 1 2; do
    # Bounded, so that an interrupted script leaves nothing spinning for long.
    timeout 3600 sh -c 'while :; do :; done' &
    busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
passed=0 failed=0
log=$(mktemp)
for run in $(seq 1 "$runs"); do
    if swift test --skip-build >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "run $run: $(grep -E 'Test run with' "$log" | tail -1 | sed 's/^[^A-Za-z]*//')"
    else
        failed=$((failed + 1))
        echo "run $run: FAILED"
        grep -E '✘|error:' "$log" | head -10
    fi
done
rm -f "$log"
echo "test-under-load: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
