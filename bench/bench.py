"""The benchmark of bench/run.sh: throughput and latency against nginx serving the same bytes,
start-up, a million jobs, 100,000 timers, 10,000 idle connections. Prints a table, writes JSON."""
import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from common import Mock, cpu_seconds, get, nginx_conf, percentile, save, write_disks, wrk, write_jobs

TARGETS = "Default options: throughput >= 0.9 x nginx (access log on), CPU per request <= 1.2 x, p99 <= 2 x; start-up <= 20 ms (default) and <= 1 s (100k); " \
          "1M jobs load <= 5 s at <= 600 B/job; 100k idle timers < 1 % CPU, lag p99 <= 10 ms; <= 16 KiB/connection"



def free_port():
    with socket.socket() as probe:  # only for nginx, which cannot report a port it picked
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throughput(args, work):
    """Ours with its default options (access log on, to a file) and nginx (one process, access
    log on), alternately, at 32 and 256 connections; CPU per request from /proc."""
    fixture = os.path.join(work, "one-running-job.json")
    write_jobs(fixture, 1, project="bench")
    path = "/v1/bench/jobs/%032x" % 0
    mock = Mock(args.binary, fixtures=[fixture], log=open(os.path.join(work, "mock-access.log"), "w"))
    status, body, sock = get(mock.port, path)
    sock.close()
    assert status == 200 and b'"status":"RUNNING"' in body, body
    html = os.path.join(work, "html", "v1", "bench", "jobs")
    os.makedirs(html, exist_ok=True)
    with open(os.path.join(html, "%032x" % 0), "wb") as out:
        out.write(body)
    nginx_port = free_port()
    with open(os.path.join(work, "nginx.conf"), "w") as conf:
        conf.write(nginx_conf(work, nginx_port, access_log=True, single_process=True))
    os.chmod(work, 0o755)  # nginx's worker runs as nobody
    nginx = subprocess.Popen(["nginx", "-c", os.path.join(work, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    try:
        nginx_body = b""
        for _ in range(100):
            try:
                status, nginx_body, sock = get(nginx_port, path)
                sock.close()
                break
            except OSError:
                time.sleep(0.05)
        assert nginx_body == body, f"nginx must serve the same bytes, got {nginx_body[:200]!r}"
        for connections in (32, 256):
            runs = {"ours": [], "nginx": []}
            for _ in range(args.rounds):
                for name, pid, url in (("ours", mock.pid, mock.url + path), ("nginx", nginx.pid, f"http://127.0.0.1:{nginx_port}{path}")):
                    before = cpu_seconds(pid)
                    run = wrk(url, connections, args.seconds)
                    run["cpu_us"] = (cpu_seconds(pid) - before) * 1e6 / max(1, run["requests"])
                    runs[name].append(run)
            summary = {name: {key: statistics.median(run[key] for run in rs) for key in ("rps", "p50_ms", "p99_ms", "cpu_us")}
                       for name, rs in runs.items()}
            summary["errors"] = sorted({run["errors"] for rs in runs.values() for run in rs if run["errors"]})
            summary["ratio"] = summary["ours"]["rps"] / summary["nginx"]["rps"]
            summary["p99_ratio"] = summary["ours"]["p99_ms"] / summary["nginx"]["p99_ms"]
            summary["cpu_ratio"] = summary["ours"]["cpu_us"] / summary["nginx"]["cpu_us"]
            results[str(connections)] = summary
    finally:
        mock.stop()
        nginx.terminate()
        nginx.wait()
    return results


def startup(args, fixtures, runs=10):
    """Milliseconds from exec to the first 200 answer; the median of `runs`."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        mock = Mock(args.binary, fixtures=fixtures)
        status, _, sock = get(mock.port, "/v1/p/jobs/4010a32d535527910153552b492c0002" if not fixtures else "/v1/p/jobs/%032x" % 0)
        times.append((time.perf_counter() - began) * 1000)
        sock.close()
        mock.stop()
        assert status == 200
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def base_rss_kb(args, work, name, write):
    """The RSS of a mock holding one item of a fixture `write` makes: what a figure per item
    is measured from."""
    fixture = os.path.join(work, name)
    write(fixture, 1)
    base = Mock(args.binary, fixtures=[fixture])
    try:
        return base.rss_kb()
    finally:
        base.stop()


def load_runs(args, fixture):
    """Starts the mock on `fixture` `--load-runs` times: the load times, and the last mock (left
    running) with its RSS."""
    loads = []
    for _ in range(args.load_runs):
        mock = Mock(args.binary, fixtures=[fixture])
        loads.append(mock.ready - mock.started)
        rss_kb = mock.rss_kb()
        if len(loads) < args.load_runs:
            mock.stop()
    return loads, mock, rss_kb


def scale(args, work):
    """A million jobs: load time, RSS per job, then random polls at full speed."""
    base_kb = base_rss_kb(args, work, "one-job.json", write_jobs)
    fixture = os.path.join(work, "jobs-1m.json")
    write_jobs(fixture, 1_000_000)
    loads, mock, rss_kb = load_runs(args, fixture)
    script = os.path.join(work, "random.lua")
    with open(script, "w") as lua:
        lua.write('math.randomseed(42)\nrequest = function()\n'
                  '  return wrk.format("GET", string.format("/v1/p/jobs/%032x", math.random(0, 999999)))\nend\n')
    try:
        polls = wrk(mock.url + "/", 32, args.seconds, script=script)
    finally:
        mock.stop()
    os.remove(fixture)
    return {
        "load_s": statistics.median(loads),
        "load_runs_s": loads,
        "rss_mb": rss_kb / 1024,
        "bytes_per_job": (rss_kb - base_kb) * 1024 / 1_000_000,
        "random_poll_rps": polls["rps"],
        "random_poll_p99_ms": polls["p99_ms"],
    }


def disks(args, work, count=100_000):
    """100,000 disks with their jobs: load time, RSS per disk (with its job), a page of the list."""
    base_kb = base_rss_kb(args, work, "one-disk.json", write_disks)
    fixture = os.path.join(work, "disks-100k.json")
    write_disks(fixture, count)
    loads, mock, rss_kb = load_runs(args, fixture)
    try:
        started = time.perf_counter()
        status, body, sock = get(mock.port, "/v2/p/cloudvolumes/detail?limit=1000")
        list_ms = (time.perf_counter() - started) * 1000
        listed = json.loads(body)
        sock.close()
        assert status == 200 and listed["count"] == count and len(listed["volumes"]) == 1000, (status, listed.get("count"))
    finally:
        mock.stop()
    os.remove(fixture)
    return {"count": count, "load_s": statistics.median(loads), "load_runs_s": loads, "rss_mb": rss_kb / 1024,
            "bytes_per_disk": (rss_kb - base_kb) * 1024 / count, "list_1000_ms": list_ms}


def timers(args, work):
    """100,000 running jobs: CPU while none is due, then how late a reader sees a transition."""
    fixture = os.path.join(work, "jobs-100k-timed.json")
    first_due_ms, spread_ms = 14_000, 5  # job i finishes first_due_ms + (i % 1000) * spread_ms after load
    write_jobs(fixture, 100_000, spread_ms=spread_ms, offset_ms=first_due_ms)
    mock = Mock(args.binary, fixtures=[fixture])
    try:
        time.sleep(2)
        cpu0, wall0 = mock.cpu_seconds(), time.monotonic()
        time.sleep(8)
        idle_cpu = (mock.cpu_seconds() - cpu0) / (time.monotonic() - wall0) * 100
        # 200 sampled jobs, due 25 ms apart: each is polled from just before its due time until
        # it reports SUCCESS; lag = when we first saw it minus its end_time.
        sock = None
        status, body, sock = get(mock.port, "/v1/p/jobs/%032x" % 0, sock)
        begin = body.split(b'"begin_time":"')[1][:23].decode()
        t0 = time.mktime(time.strptime(begin[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone + int(begin[20:23]) / 1000
        lags = []
        for k in range(200):
            job = "/v1/p/jobs/%032x" % (5 * k)
            due = t0 + (first_due_ms + 5 * k * spread_ms) / 1000
            pause = due - 0.003 - time.time()
            if pause > 0:
                time.sleep(pause)
            while True:
                status, body, sock = get(mock.port, job, sock)
                if b'"status":"SUCCESS"' in body:
                    lags.append((time.time() - due) * 1000)
                    break
        sock.close()
    finally:
        mock.stop()
    os.remove(fixture)
    return {"idle_cpu_percent": idle_cpu, "lag_p50_ms": percentile(lags, 0.5), "lag_p99_ms": percentile(lags, 0.99),
            "lag_max_ms": max(lags), "samples": len(lags)}


def connections(args, count=10_000):
    """`count` idle keep-alive connections: RSS each, and a poll still answered meanwhile."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 1000)), hard))
    mock = Mock(args.binary)
    path = "/v1/p/jobs/4010a32d535527910153552b492c0002"
    sockets = []
    try:
        _, _, warm = get(mock.port, path)
        before_kb = mock.rss_kb()
        for _ in range(count):
            _, _, sock = get(mock.port, path)
            sockets.append(sock)
        after_kb = mock.rss_kb()
        began = time.perf_counter()
        status, _, probe = get(mock.port, path)
        probe_ms = (time.perf_counter() - began) * 1000
        probe.close()
        warm.close()
    finally:
        for sock in sockets:
            sock.close()
        mock.stop()
    return {"connections": count, "rss_before_mb": before_kb / 1024, "rss_after_mb": after_kb / 1024,
            "bytes_per_connection": (after_kb - before_kb) * 1024 / count, "poll_status": status, "poll_ms": probe_ms}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/evs-jobs-mock")
    parser.add_argument("--out", default="bench/out")
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating ours/nginx rounds")
    parser.add_argument("--load-runs", type=int, default=3)
    parser.add_argument("--only", choices=["disks", "throughput"], help="run one part and print its figures as JSON")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="evs-bench-")
    if args.only:
        try:
            print(json.dumps({"disks": disks, "throughput": throughput}[args.only](args, work), indent=1))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cores": os.cpu_count()}
        print("throughput ...", file=sys.stderr)
        results["throughput"] = throughput(args, work)
        print("start-up ...", file=sys.stderr)
        results["startup_default"] = startup(args, None)
        hundred_k = os.path.join(work, "jobs-100k.json")
        write_jobs(hundred_k, 100_000)
        results["startup_100k"] = startup(args, [hundred_k])
        print("a million jobs ...", file=sys.stderr)
        results["scale_1m"] = scale(args, work)
        print("100,000 disks ...", file=sys.stderr)
        results["disks_100k"] = disks(args, work)
        print("100,000 timers ...", file=sys.stderr)
        results["timers_100k"] = timers(args, work)
        print("10,000 connections ...", file=sys.stderr)
        results["connections_10k"] = connections(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    save(os.path.join(args.out, "results.json"), results)
    print(table(results))


def table(r):
    t = r["throughput"]
    rows = []
    def row(what, value, target, ok):
        rows.append(f"| {what} | {value} | {target} | {'met' if ok else 'MISSED'} |")
    for c in ("32", "256"):
        s = t[c]
        row(f"GET job, {c} connections: req/s ours / nginx", f"{s['ours']['rps']:,.0f} / {s['nginx']['rps']:,.0f} (x{s['ratio']:.2f})",
            ">= 0.9 x nginx", s["ratio"] >= 0.9)
        row(f"GET job, {c} connections: CPU us per request ours / nginx",
            f"{s['ours']['cpu_us']:.1f} / {s['nginx']['cpu_us']:.1f} (x{s['cpu_ratio']:.2f})", "<= 1.2 x nginx", s["cpu_ratio"] <= 1.2)
        row(f"GET job, {c} connections: p50 / p99 ms ours vs nginx",
            f"{s['ours']['p50_ms']:.2f} / {s['ours']['p99_ms']:.2f} vs {s['nginx']['p50_ms']:.2f} / {s['nginx']['p99_ms']:.2f}",
            "p99 <= 2 x nginx", s["p99_ratio"] <= 2)
    row("start-up to first 200, default fixtures (median of 10)", f"{r['startup_default']['median_ms']:.1f} ms", "<= 20 ms",
        r["startup_default"]["median_ms"] <= 20)
    row("start-up to first 200, 100,000 jobs (median of 10)", f"{r['startup_100k']['median_ms']:.0f} ms", "<= 1000 ms",
        r["startup_100k"]["median_ms"] <= 1000)
    s = r["scale_1m"]
    row("1,000,000 jobs: load time (median)", f"{s['load_s']:.2f} s", "<= 5 s", s["load_s"] <= 5)
    row("1,000,000 jobs: RSS, bytes per job", f"{s['rss_mb']:.0f} MB, {s['bytes_per_job']:.0f} B", "<= 600 B", s["bytes_per_job"] <= 600)
    row("1,000,000 jobs: random polls, 32 connections", f"{s['random_poll_rps']:,.0f} req/s", "(reported)", True)
    s = r["disks_100k"]
    row("100,000 disks with their jobs: load time (median)", f"{s['load_s']:.2f} s", "< 2 s", s["load_s"] < 2)
    row("100,000 disks with their jobs: RSS, bytes per disk and job", f"{s['rss_mb']:.0f} MB, {s['bytes_per_disk']:.0f} B", "< 1 KiB",
        s["bytes_per_disk"] < 1024)
    row("100,000 disks: one list page of 1,000", f"{s['list_1000_ms']:.0f} ms", "(reported)", True)
    s = r["timers_100k"]
    row("100,000 running jobs: CPU while none is due", f"{s['idle_cpu_percent']:.2f} % of a core", "< 1 %", s["idle_cpu_percent"] < 1)
    row("100,000 running jobs: transition lag seen by a reader", f"p50 {s['lag_p50_ms']:.2f} ms, p99 {s['lag_p99_ms']:.2f} ms",
        "p99 <= 10 ms", s["lag_p99_ms"] <= 10)
    s = r["connections_10k"]
    row("10,000 idle keep-alive connections: RSS each", f"{s['bytes_per_connection'] / 1024:.1f} KiB (poll meanwhile: {s['poll_status']}, {s['poll_ms']:.1f} ms)",
        "<= 16 KiB", s["bytes_per_connection"] <= 16 * 1024 and s["poll_status"] == 200)
    return "\n".join([f"bench/run.sh, {r['date']}, {r['cores']} cores", "", "| what | measured | target | |", "| --- | --- | --- | --- |", *rows])


if __name__ == "__main__":
    main()
