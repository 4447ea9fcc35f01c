"""Helpers shared by the benchmark, soak and stop scripts: start the mock, read /proc, run wrk."""
import json
import os
import re
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Mock:
    """The mock as a child process, started on port 0; `port` comes from its start-up line."""

    def __init__(self, binary, *args, fixtures=None, env=None, log=None):
        """With `log` (a file), the mock runs with its default log level and writes there;
        without, at `--log-level warning`."""
        argv = [binary, "--port", "0", *([] if log else ["--log-level", "warning"]), *args]
        for path in fixtures or []:
            argv += ["--fixtures", path]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, stderr=log)
        line = self.proc.stdout.readline().decode()
        self.ready = time.perf_counter()
        match = re.match(r"listening on http://(.+):(\d+)", line)
        if not match:
            raise RuntimeError(f"no start-up line from the mock: {line!r}")
        self.port = int(match.group(2))
        self.pid = self.proc.pid

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def rss_kb(self):
        return rss_kb(self.pid)

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rss_kb(pid):
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE // 1024


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def get(port, path, sock=None):
    """One GET on a keep-alive socket (a new one if none is given): (status, body, socket)."""
    if sock is None:
        sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a body")
        body += chunk
    return int(head.split(b" ", 2)[1]), body, sock


def write_jobs(path, count, running_ms=3_600_000, project=None, spread_ms=None, offset_ms=0):
    """A fixture of `count` createVolume jobs with ids "%032x" % i."""
    with open(path, "w") as out:
        out.write('{"jobs": [\n' if project is None else f'{{"project_id": "{project}", "jobs": [\n')
        for i in range(count):
            ms = running_ms if spread_ms is None else offset_ms + (i % 1000) * spread_ms
            out.write('{"job_id": "%032x", "job_type": "createVolume", "scenario": {"running_ms": %d}}%s\n'
                      % (i, ms, "," if i < count - 1 else ""))
        out.write("]}\n")


def nginx_conf(directory, port, access_log=False, single_process=False):
    """nginx serving `directory`/html on `port`, one worker (with `single_process`, no master:
    one process to count under valgrind), keep-alive without limit, JSON content type; the
    access log off, or to `directory`/access.log."""
    return "\n".join([
        "worker_processes 1;",
        *(["master_process off;"] if single_process else []),
        "daemon off;",
        f"pid {directory}/nginx.pid;",
        f"error_log {directory}/error.log;",
        "events { worker_connections 20000; }",
        "http {",
        f"    access_log {directory}/access.log;" if access_log else "    access_log off;",
        "    keepalive_requests 100000000;",
        "    keepalive_timeout 60s;",
        "    server {",
        f"        listen 127.0.0.1:{port};",
        f"        root {directory}/html;",
        '        location / { default_type "application/json;charset=UTF-8"; }',
        "    }",
        "}",
        "",
    ])


def write_disks(path, count, project="p"):
    """A fixture of `count` available disks with ids "00000000-0000-4000-8000-%012x" % i, each with
    the finished createVolume job that made it (job id "%032x" % i, entities naming the disk)."""
    with open(path, "w") as out:
        out.write(f'{{"project_id": "{project}", "volumes": [\n')
        for i in range(count):
            out.write('{"id": "00000000-0000-4000-8000-%012x", "name": "disk-%d", "size": 10, "volume_type": "SSD", '
                      '"availability_zone": "eu-de-01"}%s\n' % (i, i, "," if i < count - 1 else ""))
        out.write('], "jobs": [\n')
        for i in range(count):
            out.write('{"job_id": "%032x", "job_type": "createVolume", "entities": {"volume_id": "00000000-0000-4000-8000-%012x", '
                      '"name": "disk-%d", "size": 10, "volume_type": "SSD"}, "scenario": {"running_ms": 0}}%s\n'
                      % (i, i, i, "," if i < count - 1 else ""))
        out.write("]}\n")


def wrk(url, connections, seconds, script=None, threads=2):
    """Runs wrk; returns requests/s and the p50/p99 latencies in ms."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        argv += ["-s", script]
    output = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    def latency(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Socket errors: (.*)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": (errors.group(1) if errors else "") + (f" non-2xx {non2xx.group(1)}" if non2xx else ""),
    }


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def save(path, data):
    with open(path, "w") as out:
        json.dump(data, out, indent=2)
