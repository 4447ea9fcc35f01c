#!/usr/bin/env bash
# The benchmark: our release build against nginx (one worker) serving the same bytes, start-up,
# a million jobs, 100,000 timers, 10,000 idle connections. Prints a table; writes
# bench/out/results.json. Options go to bench/bench.py (--seconds N, --rounds N).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in wrk nginx; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update >/dev/null
    apt-get install -y "${need[@]}" >/dev/null
fi
swift build -c release --product evs-jobs-mock >/dev/null
ulimit -n "$(ulimit -Hn)"  # 10,000 connections need 10,000 descriptors on each side
python3 bench/bench.py --binary .build/release/evs-jobs-mock --out bench/out "$@"
