#!/usr/bin/env bash
# Smoke test of a built binary, as a user runs it: start on the built-in fixtures with port 0,
# read the real address from the start-up line, check the API page's two example jobs come back
# as the page shows them, then SIGTERM and check it exits 0 within a second.
# Usage: scripts/smoke.sh [path/to/evs-jobs-mock]   (default: the release build)
# With SDK_PYTHON=/path/to/python that has huaweicloudsdkevs, the real SDK polls it too and runs
# the disk flow; with OTC_PYTHON=/path/to/python that has otcextensions, so does otcextensions.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/evs-jobs-mock}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

start_ns=$(date +%s%N)
"$binary" --port 0 --log-level warning >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 500); do
    grep -q '^listening on ' "$work/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/err"; echo "smoke: the server exited at start-up"; exit 1; }
    sleep 0.01
done
url=$(sed -n 's/^listening on //p' "$work/out")
[ -n "$url" ] || { echo "smoke: no start-up line"; exit 1; }

python3 - "$url" "$start_ns" <<'PY'
import json, sys, time, urllib.request
url, start_ns = sys.argv[1], int(sys.argv[2])
first = None
for name in ("api-example-running", "api-example-batch"):
    expected = json.load(open(f"fixtures/default/{name}.json"))
    with urllib.request.urlopen(f"{url}/v1/0123456789abcdef0123456789abcdef/jobs/{expected['job_id']}") as response:
        first = first or time.time_ns()
        assert response.status == 200, response.status
        assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
        got = json.loads(response.read())
    assert got == expected, f"{name}: got {got}"
    print(f"smoke: {name} served exactly as the API page shows it")
print(f"smoke: start-up to first answer {(first - start_ns) / 1e6:.1f} ms (includes python start)")
PY

# A real client: the Huawei Cloud Python SDK, when the caller has installed it (SDK_PYTHON).
if [ -n "${SDK_PYTHON:-}" ]; then
    "$SDK_PYTHON" scripts/sdk_check.py "$url"
    # And signed, over HTTPS: a second mock that demands AK/SK signatures and serves a
    # self-signed certificate, which the SDK is told not to verify.
    "$binary" --port 0 --log-level warning --auth aksk --credential AK:SK --tls-self-signed --https-port 0 >"$work/out2" 2>"$work/err2" &
    signed=$!
    for _ in $(seq 1 500); do grep -q '^listening on ' "$work/out2" 2>/dev/null && break; sleep 0.01; done
    "$SDK_PYTHON" scripts/sdk_check.py "$(sed -n 's/^listening on .* and //p' "$work/out2")" --signed --insecure
    kill -TERM "$signed"
    wait "$signed"
    # The disk APIs (issue 13): create -> job -> show -> expand -> retype -> delete -> 404, and a
    # batch of three, by the SDK signing with AK/SK and no admin call; then once more with a plan
    # (an admin call) that makes a create FAIL.
    "$binary" --port 0 --log-level warning --auth aksk --credential AK:SK --job-timing 50,100 >"$work/out3" 2>"$work/err3" &
    disks=$!
    for _ in $(seq 1 500); do grep -q '^listening on ' "$work/out3" 2>/dev/null && break; sleep 0.01; done
    "$SDK_PYTHON" scripts/disk_flow.py "$(sed -n 's/^listening on //p' "$work/out3")" --ak AK --sk SK
    "$SDK_PYTHON" scripts/disk_flow.py "$(sed -n 's/^listening on //p' "$work/out3")" --ak AK --sk SK --plan-admin
    kill -TERM "$disks"
    wait "$disks"
fi

# otcextensions (openstacksdk's block storage proxy, the native API) creates, waits for, reads and
# deletes a disk, when the caller has installed it (OTC_PYTHON); the default timing applies.
if [ -n "${OTC_PYTHON:-}" ]; then
    "$OTC_PYTHON" scripts/otc_flow.py "$url"
fi
# The README's Python snippets, as written, with the interpreters given.
if [ -n "${SDK_PYTHON:-}${OTC_PYTHON:-}" ]; then
    python3 scripts/readme_snippets.py "$url" ${SDK_PYTHON:+--sdk "$SDK_PYTHON"} ${OTC_PYTHON:+--otc "$OTC_PYTHON"}
fi

stop_ns=$(date +%s%N)
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
elapsed_ms=$(( ($(date +%s%N) - stop_ns) / 1000000 ))
echo "smoke: SIGTERM -> exit $status after ${elapsed_ms} ms"
[ "$status" -eq 0 ] || { echo "smoke: expected exit 0"; exit 1; }
[ "$elapsed_ms" -lt 1000 ] || { echo "smoke: expected exit within a second"; exit 1; }
echo "smoke: ok"
