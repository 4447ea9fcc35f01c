#!/usr/bin/env bash
# Soak: mixed traffic for MINUTES (polls, unknown jobs, HEAD, 404s, connection churn, resets,
# malformed requests, half-closes) against the release build, sampling RSS and descriptors every
# second. Fails when descriptors leak or RSS grows more than 10 % after warm-up.
# Usage: bench/soak.sh MINUTES
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update >/dev/null; apt-get install -y wrk >/dev/null; }
swift build -c release --product evs-jobs-mock >/dev/null
ulimit -n "$(ulimit -Hn)"
python3 bench/soak.py .build/release/evs-jobs-mock "${1:-1}" --check
