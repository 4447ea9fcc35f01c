"""Instructions and mallocs per request, counted by valgrind's callgrind: our release build with
its DEFAULT options (access log on) and nginx (one process, access log on) serving the same job
bytes, the same number of keep-alive requests over 8 connections after a warm-up. Prints both
counts and their ratio. Usage: python3 bench/cost.py [--binary B] [--requests N]

valgrind 3.19 cannot read the debug info clang 21 writes, so a `strip --strip-debug` copy runs;
it also writes into the signal mask libdispatch passes to sigsuspend as read-only, so a tiny
preloaded shim hands sigsuspend a copy."""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from common import nginx_conf

SHIM = r"""
#define _GNU_SOURCE
#include <signal.h>
#include <dlfcn.h>
int sigsuspend(const sigset_t *mask) {
    static int (*real)(const sigset_t *);
    if (!real) real = dlsym(RTLD_NEXT, "sigsuspend");
    sigset_t copy = *mask;
    return real(&copy);
}
"""

PATH = "/v1/p/jobs/4010a32d535527910153552b492c0002"



def load(port, count, connections=8):
    """`count` GETs round-robin over keep-alive connections, each read to its end."""
    request = f"GET {PATH} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    body = b""
    for k in range(count):
        sock = socks[k % connections]
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        while len(body) < length:
            body += sock.recv(65536)
    for sock in socks:
        sock.close()
    return body


def callgrind(argv, port_of, work, name, requests, warmup, env=None):
    """Runs argv under callgrind; returns (instructions, malloc calls) for `requests` requests."""
    out = os.path.join(work, f"cg.{name}.out")
    stdout = open(os.path.join(work, f"{name}.stdout"), "w+")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
                            stdout=stdout, stderr=open(os.path.join(work, f"{name}.stderr"), "w"), env=env)
    try:
        port = None
        for _ in range(600):
            port = port_of(stdout)
            if port:
                try:
                    socket.create_connection(("127.0.0.1", port)).close()
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        body = load(port, warmup)
        subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, stdout=subprocess.DEVNULL)
        load(port, requests)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, stdout=subprocess.DEVNULL)
        dump = f"{out}.1"
        for _ in range(100):
            if os.path.exists(dump) and os.path.getsize(dump) > 0:
                break
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait()
    text = open(dump).read()
    instructions = int(re.search(r"^summary: (\d+)", text, re.M).group(1))
    return instructions, malloc_calls(text), body


def malloc_calls(text):
    """Calls to malloc, calloc and realloc in a callgrind file (names are compressed to ids)."""
    names = {}
    for match in re.finditer(r"^c?fn=\((\d+)\)(?: (.*))?$", text, re.M):
        if match.group(2):
            names[match.group(1)] = match.group(2)
    wanted = {key for key, value in names.items() if value in ("malloc", "calloc", "realloc")}
    total = 0
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^cfn=\((\d+)\)", line)
        if match and match.group(1) in wanted and index + 1 < len(lines) and lines[index + 1].startswith("calls="):
            total += int(lines[index + 1].split("=")[1].split()[0])
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/release/evs-jobs-mock")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=1000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="evs-cost-")
    os.chmod(work, 0o755)
    try:
        shim = os.path.join(work, "shim.so")
        with open(os.path.join(work, "shim.c"), "w") as source:
            source.write(SHIM)
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", shim, os.path.join(work, "shim.c"), "-ldl"], check=True)
        binary = os.path.join(work, "evs-jobs-mock")
        shutil.copy(args.binary, binary)
        subprocess.run(["strip", "--strip-debug", binary], check=True)

        def mock_port(stdout):
            stdout.seek(0)
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", stdout.read())
            return int(match.group(1)) if match else None

        env = dict(os.environ, LD_PRELOAD=shim)
        env = {key: value for key, value in env.items() if not key.startswith("EVS_MOCK_")}
        ours = callgrind([binary, "--port", "0"], mock_port, work, "ours", args.requests, args.warmup, env=env)

        os.makedirs(os.path.join(work, "html", os.path.dirname(PATH.lstrip("/"))), exist_ok=True)
        with open(os.path.join(work, "html", PATH.lstrip("/")), "wb") as out:
            out.write(ours[2])
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            nginx_port = probe.getsockname()[1]
        with open(os.path.join(work, "nginx.conf"), "w") as conf:
            conf.write(nginx_conf(work, nginx_port, access_log=True, single_process=True))
        nginx = callgrind(["nginx", "-c", os.path.join(work, "nginx.conf")], lambda _: nginx_port, work, "nginx",
                          args.requests, args.warmup)
        assert nginx[2] == ours[2], "nginx must serve the same bytes"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = args.requests
    print(f"bench/cost.py: {n} keep-alive GETs over 8 connections after {args.warmup}, callgrind")
    print("| server | instructions per request | mallocs per request |")
    print("| --- | --- | --- |")
    print(f"| evs-jobs-mock, default options | {ours[0] / n:,.0f} | {ours[1] / n:.1f} |")
    print(f"| nginx, 1 process, access log on | {nginx[0] / n:,.0f} | {nginx[1] / n:.1f} |")
    print(f"| ratio | x{ours[0] / nginx[0]:.2f} | |")


if __name__ == "__main__":
    main()
