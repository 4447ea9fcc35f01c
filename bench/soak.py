"""Mixed traffic for a while, sampling the mock's RSS and open descriptors every second.
Usage: soak.py BINARY MINUTES [--check]. With --check it fails when descriptors are left open
after the traffic, or RSS grew more than 10 % from the end of the warm-up to the end."""
import argparse
import os
import random
import socket
import struct
import subprocess
import threading
import time

from common import Mock, get, open_fds, write_jobs

parser = argparse.ArgumentParser()
parser.add_argument("binary")
parser.add_argument("minutes", type=float)
parser.add_argument("--check", action="store_true")
args = parser.parse_args()
seconds = args.minutes * 60
warmup = min(30.0, seconds / 4)

work = f"/tmp/evs-soak-{os.getpid()}"
os.makedirs(work, exist_ok=True)
fixture = os.path.join(work, "jobs.json")
write_jobs(fixture, 10_000, project="soak", spread_ms=60, offset_ms=1_000)
mock = Mock(args.binary, fixtures=[fixture])
stop = threading.Event()
counts = {"polls": 0, "churned": 0, "resets": 0, "garbage": 0}
random.seed(7)


def churn():
    """New connection, one request, close: as short-lived clients do."""
    while not stop.is_set():
        try:
            status, _, sock = get(mock.port, "/v1/soak/jobs/%032x" % random.randrange(10_000))
            sock.close()
            counts["churned"] += 1
        except OSError:
            pass


def resets():
    """Half a request, then a TCP reset."""
    linger = struct.pack("ii", 1, 0)
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", mock.port))
            sock.sendall(b"GET /v1/soak/jobs/0 HTTP/1.1\r\nHost: soak\r\nContent-Length: 50\r\n\r\nhalf")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            sock.close()
            counts["resets"] += 1
            time.sleep(0.005)
        except OSError:
            pass


def garbage():
    """Malformed requests, pipelined requests, half-closes."""
    payloads = [b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"GET / HTTP/9.9\r\n\r\n",
                b"GET /v1/soak/jobs/%032x HTTP/1.1\r\nHost: s\r\n\r\n" % 1 * 20, b"POST /x HTTP/1.1\r\nHost: s\r\nContent-Length: 5\r\n\r\nhello"]
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", mock.port), timeout=2)
            sock.sendall(random.choice(payloads))
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
            sock.close()
            counts["garbage"] += 1
            time.sleep(0.002)
        except OSError:
            pass


# The baseline: after one request, so that Dispatch's own descriptors for timers exist.
_, _, first = get(mock.port, "/v1/soak/jobs/%032x" % 0)
first.close()
time.sleep(0.5)
baseline_fds = open_fds(mock.pid)
wrk_script = os.path.join(work, "mixed.lua")
with open(wrk_script, "w") as lua:
    lua.write('math.randomseed(3)\nrequest = function()\n  local r = math.random(9)\n'
              '  if r <= 7 then return wrk.format("GET", string.format("/v1/soak/jobs/%032x", math.random(0, 9999))) end\n'
              '  if r == 8 then return wrk.format("GET", "/v1/other/jobs/none") end\n'
              '  return wrk.format("GET", "/nowhere")\nend\n')
load = subprocess.Popen(["wrk", "-t1", "-c16", f"-d{int(seconds)}s", "-s", wrk_script, mock.url + "/"],
                        stdout=subprocess.PIPE, text=True)
threads = [threading.Thread(target=f) for f in (churn, resets, garbage)]
for thread in threads:
    thread.start()

samples = []
began = time.monotonic()
while time.monotonic() - began < seconds:
    time.sleep(1)
    samples.append((time.monotonic() - began, mock.rss_kb(), open_fds(mock.pid)))
stop.set()
for thread in threads:
    thread.join()
wrk_output = load.communicate()[0]
requests = next((line.split()[0] for line in wrk_output.splitlines() if "requests in" in line), "?")

# Quiet again: every connection the traffic made should close (lingering ones within 2 s).
deadline = time.monotonic() + 5
while open_fds(mock.pid) > baseline_fds and time.monotonic() < deadline:
    time.sleep(0.1)
final_fds = open_fds(mock.pid)
leftover = sorted(os.readlink(f"/proc/{mock.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{mock.pid}/fd"))
status, _, sock = get(mock.port, "/v1/soak/jobs/%032x" % 0)
sock.close()
mock.stop()

after_warmup = [s for s in samples if s[0] >= warmup]
warm_rss = after_warmup[0][1]
end_rss = after_warmup[-1][1]
peak_rss = max(s[1] for s in after_warmup)
drift = (end_rss - warm_rss) / warm_rss * 100
peak_fds = max(s[2] for s in samples)
print(f"soak: {args.minutes:g} min; wrk {requests} requests, {counts['churned']} short connections, "
      f"{counts['resets']} resets, {counts['garbage']} malformed/half-closed")
print(f"soak: RSS after {warmup:.0f} s warm-up {warm_rss / 1024:.1f} MB, at the end {end_rss / 1024:.1f} MB "
      f"(drift {drift:+.1f} %), peak {peak_rss / 1024:.1f} MB")
print(f"soak: open descriptors before {baseline_fds}, peak {peak_fds}, after the traffic {final_fds}; "
      f"a poll afterwards: {status}")
ok = final_fds <= baseline_fds and drift <= 10 and status == 200
if final_fds > baseline_fds:
    print("soak: descriptors still open:", ", ".join(leftover))
print("soak:", "ok" if ok else "FAILED")
if args.check and not ok:
    raise SystemExit(1)
