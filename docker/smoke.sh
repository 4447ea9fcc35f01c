#!/usr/bin/env bash
# The container image, proved without a Docker engine (none runs on CI's machine).
#
# 1. Build stage: runs the Dockerfile's own build command on this machine, which has the same
#    system (Debian 12) and Swift toolchain as the official image the Dockerfile names.
# 2. Runtime stage: a Debian root filesystem from `debootstrap --variant=minbase`, slimmed as
#    the debian:*-slim images are, in which the stage's RUN lines run; its COPY lines are applied
#    and the program runs as its ENTRYPOINT, ENV and USER say, chrooted into that root filesystem
#    and in a network namespace of its own, as in a container.
# 3. Checks: the HEALTHCHECK command exits 0 while the mock serves and 1 once it has stopped; a
#    job poll answers as the API page shows; a folder mounted over /fixtures replaces the
#    defaults; HTTPS with a self-signed certificate works as the non-root user; SIGTERM (docker
#    stop) exits 0; every EVS_MOCK_* variable and flag the README's recipes name exists.
# 4. Prints the binary's size and the root filesystem's size.
#
# The root filesystem after the RUN lines is cached (EVS_MOCK_ROOTFS_CACHE, default
# /var/cache/evs-jobs-mock), keyed by those lines, so only the first run downloads packages.
# Needs root (chroot, mount, ip netns). Usage: bash docker/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
say() { echo "docker-smoke: $*"; }
fail() { echo "docker-smoke: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root for chroot, mount and ip netns"
need=()
for package in debootstrap iproute2 curl python3; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update
    apt-get install -y "${need[@]}"
fi

work=$(mktemp -d /tmp/evs-docker-smoke.XXXXXX)
netns=evs-mock-smoke-$$
mounts=()
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
    ip netns del "$netns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# --- The Dockerfile, read rather than restated -----------------------------------------------
python3 - docker/Dockerfile >"$work/stage.sh" <<'PY'
import json, re, shlex, sys
lines, current = [], ""
for raw in open(sys.argv[1]):
    text = raw.rstrip("\n")
    if not current and (not text.strip() or text.lstrip().startswith("#")):
        continue
    if current and text.lstrip().startswith("#"):
        continue  # a comment inside a continued instruction
    if text.endswith("\\"):
        current += text[:-1] + " "
        continue
    lines.append(current + text)
    current = ""
stages = []
for line in lines:
    word, _, rest = line.strip().partition(" ")
    if word.upper() == "FROM":
        stages.append({"from": rest.split()[0], "items": []})
    elif stages:
        stages[-1]["items"].append((word.upper(), rest.strip()))
build, runtime = stages[0], stages[-1]
out = {}
out["BUILD_RUN"] = [rest for word, rest in build["items"] if word == "RUN"][-1]
out["BASE"] = runtime["from"]
out["RUNS"] = " && ".join(rest for word, rest in runtime["items"] if word == "RUN")
copies, env = [], []
for word, rest in runtime["items"]:
    if word == "COPY":
        parts = rest.split()
        source = "build" if parts[0].startswith("--from=") else "context"
        parts = [p for p in parts if not p.startswith("--")]
        copies.append(f"{source}|{parts[0]}|{parts[1]}")
    elif word == "ENV":
        env += [token for token in shlex.split(rest)]
    elif word == "USER":
        out["USER"] = rest
    elif word == "EXPOSE":
        out["EXPOSE"] = rest
    elif word == "ENTRYPOINT":
        out["ENTRYPOINT"] = " ".join(shlex.quote(a) for a in json.loads(rest))
    elif word == "HEALTHCHECK":
        out["HEALTHCHECK"] = " ".join(shlex.quote(a) for a in json.loads(re.sub(r"^.*?\bCMD\s+", "", rest)))
for key, value in out.items():
    print(f"{key}={shlex.quote(value)}")
print("COPIES=(" + " ".join(shlex.quote(c) for c in copies) + ")")
print("ENVS=(" + " ".join(shlex.quote(e) for e in env) + ")")
PY
# shellcheck source=/dev/null
source "$work/stage.sh"
for name in BUILD_RUN BASE RUNS USER ENTRYPOINT HEALTHCHECK; do
    [ -n "${!name:-}" ] || fail "docker/Dockerfile: the runtime stage has no $name"
done
case "$BASE" in
    debian:*-slim) suite=${BASE#debian:}; suite=${suite%-slim} ;;
    *) fail "docker/Dockerfile: runtime base $BASE is not a debian:<suite>-slim image" ;;
esac
say "runtime stage: FROM $BASE, USER $USER, EXPOSE $EXPOSE, ENTRYPOINT $ENTRYPOINT"

# --- Build stage: the Dockerfile's build command, /out redirected into the work folder -------
build_command=${BUILD_RUN//\/out\//$work/out/}
say "build: $build_command"
start=$(date +%s)
bash -c "set -e; $build_command"
binary="$work/out/evs-jobs-mock"
[ -x "$binary" ] || fail "the build command left no $binary"
say "build took $(( $(date +%s) - start )) s"

# --- Runtime stage: base root filesystem plus the RUN lines, cached -------------------------
cache=${EVS_MOCK_ROOTFS_CACHE:-/var/cache/evs-jobs-mock}
key=$(printf '%s\n%s\n%s\n' "$suite" "minbase-slim-1" "$RUNS" | sha256sum | cut -c1-16)
tarball="$cache/rootfs-$suite-$key.tar"
root="$work/rootfs"
mkdir -p "$root"
if [ ! -f "$tarball" ]; then
    say "making the root filesystem (first run): debootstrap --variant=minbase $suite"
    start=$(date +%s)
    base="$work/base"
    debootstrap --variant=minbase "$suite" "$base" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
        { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
    # Slim as the debian:*-slim images are: no documentation, manuals or translations, now or
    # from packages installed later.
    mkdir -p "$base/etc/dpkg/dpkg.cfg.d"
    cat >"$base/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
CFG
    find "$base/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$base"/usr/share/{man,info,locale,groff,lintian}/* "$base"/var/cache/apt/*.bin "$base"/var/lib/apt/lists/*
    # The stage's RUN lines, inside it, with the network and /proc a build container has.
    cp /etc/resolv.conf "$base/etc/resolv.conf"
    mount -t proc proc "$base/proc"; mounts+=("$base/proc")
    chroot "$base" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        /bin/sh -c "set -e; $RUNS" >"$work/run.log" 2>&1 || { tail -20 "$work/run.log"; fail "the runtime stage's RUN failed"; }
    umount "$base/proc"; unset 'mounts[-1]'
    rm -f "$base/etc/resolv.conf" "$base"/var/cache/apt/*.bin "$base"/var/cache/apt/archives/*.deb
    mkdir -p "$cache"
    tar -C "$base" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$base"
    say "root filesystem made in $(( $(date +%s) - start )) s, cached as $tarball"
else
    say "root filesystem from the cache: $tarball"
fi
tar -C "$root" -xf "$tarball"

# COPY lines: from the build stage's /out, or from the build context (this repository).
for copy in "${COPIES[@]}"; do
    IFS='|' read -r from source destination <<<"$copy"
    if [ "$from" = build ]; then source="$work${source}"; else source="$repo/$source"; fi
    mkdir -p "$root$(dirname "${destination%/}")"
    if [ -d "$source" ]; then
        mkdir -p "$root$destination"; cp -a "$source/." "$root$destination"
    else
        cp -a "$source" "$root$destination"
    fi
done

# Every shared library the binary needs is in the image.
missing=$(chroot "$root" /usr/bin/ldd /usr/local/bin/evs-jobs-mock | grep 'not found' || true)
[ -z "$missing" ] || fail "libraries missing from the image: $missing"
say "shared libraries: $(chroot "$root" /usr/bin/ldd /usr/local/bin/evs-jobs-mock | awk '{print $1}' | grep -v -e vdso -e ld-linux | tr '\n' ' ')"

# --- Running it as the image would ------------------------------------------------------------
ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
mkdir -p "$root/tmp" && chmod 1777 "$root/tmp"

# `docker run [-e NAME=VALUE]... image`: the command line, in the namespace, chrooted, as USER,
# with ENV, left in $command; ip, chroot and env each exec the next, so its PID is the server's.
container_command() {  # container_command [NAME=VALUE]... -- PROGRAM [ARGUMENT]...
    local extra=()
    while [ "$1" != -- ]; do extra+=("$1"); shift; done
    shift
    command=(ip netns exec "$netns" chroot --userspec="$USER" "$root" /usr/bin/env -i
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOSTNAME=evs-mock HOME=/
        "${ENVS[@]}" "${extra[@]}" "$@")
}
start_container() {  # start_container NAME [NAME=VALUE]...: runs ENTRYPOINT, waits for its line
    local name=$1; shift
    # shellcheck disable=SC2086
    container_command "$@" -- $ENTRYPOINT
    "${command[@]}" >"$work/$name.out" 2>"$work/$name.err" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 1 500); do
        grep -q '^listening on ' "$work/$name.out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$work/$name.err"; fail "$name: the server exited at start-up"; }
        sleep 0.01
    done
    fail "$name: no start-up line"
}
health() {  # health [NAME=VALUE]...: the HEALTHCHECK command's exit status
    local status=0
    # shellcheck disable=SC2086
    container_command "$@" -- $HEALTHCHECK
    "${command[@]}" || status=$?
    echo "$status"
}
stop_container() {  # docker stop: SIGTERM, which must end it with 0
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || fail "SIGTERM: exit $status, expected 0"
}
poll() {  # poll PROJECT JOB [curl options]: the body of a poll from outside the container
    ip netns exec "$netns" curl -sS --max-time 5 "${@:3}" "http://127.0.0.1:8080/v1/$1/jobs/$2"
}

# The image as it comes: default fixtures, port 8080, running as the unprivileged user.
start_container default
say "start-up line: $(head -1 "$work/default.out")"
grep -q '^listening on http://0.0.0.0:8080$' "$work/default.out" || fail "expected to listen on 0.0.0.0:8080"
owner=$(ps -o user= -p "$pid" | tr -d ' ')
[ "$owner" = "10001" ] || [ "$owner" = "evs-mock" ] || fail "runs as $owner, not the image's user"
[ "$(health)" -eq 0 ] || fail "HEALTHCHECK failed while the mock serves"
expected="$repo/fixtures/default/api-example-running.json"
job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$expected")
poll 0123456789abcdef0123456789abcdef "$job" >"$work/poll.json"
python3 - "$work/poll.json" "$expected" <<'PY' || fail "the poll did not answer as the API page shows"
import json, sys
got, expected = (json.load(open(path)) for path in sys.argv[1:3])
assert got == expected, got
PY
say "HEALTHCHECK exits 0; a poll answers as the API page shows; process user $owner"
stop_container
[ "$(health)" -eq 1 ] || fail "HEALTHCHECK should exit 1 once the mock has stopped"
say "SIGTERM exits 0; HEALTHCHECK then exits 1"

# `-v ./fixtures/examples:/fixtures:ro`, JSON logs, and a port of one's own.
mount --bind "$repo/fixtures/examples" "$root/fixtures"; mounts+=("$root/fixtures")
mount -o remount,bind,ro "$root/fixtures"
start_container mounted EVS_MOCK_LOG_FORMAT=json EVS_MOCK_PORT=9090 EVS_MOCK_ADMIN_TOKEN=t0ken
[ "$(health EVS_MOCK_LOG_FORMAT=json EVS_MOCK_PORT=9090 EVS_MOCK_ADMIN_TOKEN=t0ken)" -eq 0 ] || fail "HEALTHCHECK with another port"
python3 - "$work/mounted.err" <<'PY' || fail "the JSON start-up log does not name the mounted fixture files"
import json, sys
objects = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
files = {o.get("fixture") for o in objects}
assert {"/fixtures/frozen-states.json", "/fixtures/project-scoped.json"} <= files, files
PY
# A job only the mounted folder has, frozen in RUNNING; the admin API wants the token.
body=$(ip netns exec "$netns" curl -sS --max-time 5 http://127.0.0.1:9090/v1/any-project/jobs/examples-frozen-running)
grep -q '"status":"RUNNING"' <<<"$body" || fail "a job from the mounted folder does not answer: $body"
body=$(poll 0123456789abcdef0123456789abcdef "$job" --connect-to ::127.0.0.1:9090)
grep -q '"code":"Common.0011"' <<<"$body" || fail "a default job answers with the defaults replaced: $body"
code=$(ip netns exec "$netns" curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/__admin/health)
[ "$code" = 401 ] || fail "the admin API answered $code without its token"
stop_container
umount "$root/fixtures"; unset 'mounts[-1]'
say "a folder mounted over /fixtures replaces the defaults; JSON logs; port 9090; admin token"

# HTTPS with a certificate made at start-up, written where the unprivileged user may write.
start_container tls EVS_MOCK_TLS_SELF_SIGNED=1 EVS_MOCK_TLS_CERT_OUT=/tmp/mock.pem
grep -q '^listening on http://0.0.0.0:8080 and https://0.0.0.0:8443$' "$work/tls.out" || fail "TLS start-up line: $(head -1 "$work/tls.out")"
ip netns exec "$netns" curl -sS --max-time 5 --cacert "$root/tmp/mock.pem" \
    "https://localhost:8443/v1/0123456789abcdef0123456789abcdef/jobs/$job" | grep -q "\"job_id\":\"$job\"" ||
    fail "no answer over HTTPS"
stop_container
say "HTTPS on 8443 with the self-signed certificate trusted"

# --- The README's recipes name only what the binary has -------------------------------------
help=$("$binary" --help; "$binary" health --help)
recipes=$(sed -n '/^## Running it in a container/,/^## [^R]/p' README.md; cat docker/Dockerfile docker/compose.yaml)
[ -n "$(sed -n '/^## Running it in a container/p' README.md)" ] || fail "README has no 'Running it in a container' section"
for name in $(grep -o 'EVS_MOCK_[A-Z_]*' <<<"$recipes" | sort -u); do
    grep -q -- "$name" <<<"$help" || fail "$name is named in the recipes but the binary has no such variable"
done
# Flags: those after the last "evs-jobs-mock" of a line (the image or the binary), not docker's.
for flag in $(grep -e 'evs-jobs-mock' <<<"$recipes" | sed 's/.*evs-jobs-mock//' | grep -o -- ' --[a-z][a-z-]*' | sort -u); do
    grep -q -- "$flag" <<<"$help" || fail "$flag is named in the recipes but the binary has no such option"
done
python3 - docker/compose.yaml <<'PY' || fail "docker/compose.yaml"
import sys, yaml
service = yaml.safe_load(open(sys.argv[1]))["services"]["evs-mock"]
assert service["build"]["dockerfile"] == "docker/Dockerfile", service["build"]
assert any(volume.endswith(":/fixtures:ro") for volume in service["volumes"]), service["volumes"]
PY
say "the recipes' $(grep -o 'EVS_MOCK_[A-Z_]*' <<<"$recipes" | sort -u | wc -l) EVS_MOCK_* variables and flags ($(grep -e 'evs-jobs-mock' <<<"$recipes" | sed 's/.*evs-jobs-mock//' | grep -o -- ' --[a-z][a-z-]*' | sort -u | tr -d ' ' | tr '\n' ' ')) exist; compose.yaml reads"

# --- Sizes -----------------------------------------------------------------------------------
umount "$root/proc"; unset 'mounts[-1]'
binary_bytes=$(stat -c %s "$binary")
root_bytes=$(du -sb "$root" | cut -f1)
say "binary (stripped, static Swift runtime): $binary_bytes bytes ($(( binary_bytes / 1048576 )) MiB)"
say "runtime root filesystem with the binary: $root_bytes bytes ($(( root_bytes / 1048576 )) MiB)"
say "PASS"
