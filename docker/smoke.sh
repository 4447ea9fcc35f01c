#!/usr/bin/env bash
# The container image, proved without a Docker engine (none runs on CI's machine).
#
# The Dockerfile is read, not restated: its two stages run instruction by instruction, each in a
# Debian root filesystem made by `debootstrap --variant=minbase`, through chroot.
# 1. Build stage: the root holds what the official Swift image holds (Debian 12, the packages
#    its Dockerfile installs, and this machine's Swift toolchain, checked to be the version the
#    image tag names). The build context is this repository as .dockerignore leaves it. The
#    stage's RUN, COPY and WORKDIR lines run in order. Swift packages come from this machine's
#    mirror of GitHub, where a Docker build would fetch them.
# 2. Runtime stage: the root is slimmed as the debian:*-slim images are, and the stage's RUN
#    lines run in it. Its COPY lines are applied, from the build stage's root or the context.
#    Then the program runs as its ENTRYPOINT, ENV and USER say, in a network namespace of its
#    own, as in a container.
# 3. Checks:
#    - the HEALTHCHECK command exits 0 while the mock serves and 1 once it has stopped;
#    - a job poll answers as the API page shows;
#    - a folder mounted over /fixtures replaces the defaults;
#    - HTTPS with a self-signed certificate works as the non-root user;
#    - SIGTERM (docker stop) exits 0;
#    - every EVS_MOCK_* variable and flag the README's recipes name exists.
# 4. Prints the binary's size and the runtime root filesystem's size.
#
# Each root filesystem, as it stands after the RUN lines that come before the first COPY, is
# cached under EVS_MOCK_ROOTFS_CACHE (default /var/cache/evs-jobs-mock), keyed by those lines and
# the packages. Only the first run downloads packages; the build itself runs every time.
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
# Each stage becomes a list of "KIND|ARGUMENT" steps (RUN, COPY, WORKDIR), plus the runtime
# stage's settings, as shell assignments.
python3 - docker/Dockerfile >"$work/stages.sh" <<'PY'
import json, re, shlex, sys
lines, current = [], ""
for raw in open(sys.argv[1]):
    text = raw.rstrip("\n")
    if text.lstrip().startswith("#") or (not current and not text.strip()):
        continue  # comments, also inside a continued instruction
    if text.endswith("\\"):
        current += text[:-1] + " "
        continue
    lines.append(current + text)
    current = ""
args, stages = {}, []
for line in lines:
    word, _, rest = line.strip().partition(" ")
    word, rest = word.upper(), rest.strip()
    if word == "ARG" and not stages:
        name, _, default = rest.partition("=")
        args[name] = default
    elif word == "FROM":
        image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), rest.split()[0])
        stages.append({"from": image, "steps": [], "settings": {}})
    elif stages and word in ("RUN", "COPY", "WORKDIR"):
        stages[-1]["steps"].append(f"{word}|{rest}")
    elif stages:
        stages[-1]["settings"].setdefault(word, []).append(rest)
build, runtime = stages[0], stages[-1]
settings = runtime["settings"]
out = {
    "BUILD_FROM": build["from"],
    "RUNTIME_FROM": runtime["from"],
    "USER": settings["USER"][-1],
    "EXPOSE": " ".join(settings.get("EXPOSE", [])),
    "ENTRYPOINT": " ".join(shlex.quote(a) for a in json.loads(settings["ENTRYPOINT"][-1])),
    "HEALTHCHECK": " ".join(shlex.quote(a) for a in json.loads(re.sub(r"^.*?\bCMD\s+", "", settings["HEALTHCHECK"][-1]))),
}
for key, value in out.items():
    print(f"{key}={shlex.quote(value)}")
print("BUILD_STEPS=(" + " ".join(shlex.quote(s) for s in build["steps"]) + ")")
print("RUNTIME_STEPS=(" + " ".join(shlex.quote(s) for s in runtime["steps"]) + ")")
print("ENVS=(" + " ".join(shlex.quote(t) for rest in settings.get("ENV", []) for t in shlex.split(rest)) + ")")
PY
# shellcheck source=/dev/null
source "$work/stages.sh"
case "$BUILD_FROM" in
    swift:*-bookworm) swift_version=${BUILD_FROM#swift:}; swift_version=${swift_version%-bookworm} ;;
    *) fail "docker/Dockerfile: the build stage's image $BUILD_FROM is not an official swift:<version>-bookworm" ;;
esac
case "$RUNTIME_FROM" in
    debian:bookworm-slim) ;;
    *) fail "docker/Dockerfile: the runtime stage's image $RUNTIME_FROM is not debian:bookworm-slim" ;;
esac
have=$( (swift --version 2>/dev/null || true) | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
[ "$have" = "$swift_version" ] || fail "the image builds with Swift $swift_version; this machine's toolchain is $have"
say "build stage: FROM $BUILD_FROM (this machine: Debian 12, Swift $have at $(dirname "$(dirname "$(dirname "$(command -v swift)")")"))"
say "runtime stage: FROM $RUNTIME_FROM, USER $USER, EXPOSE $EXPOSE, ENTRYPOINT $ENTRYPOINT"

# make_root DIR SLIM PACKAGES STEP...: a bookworm root filesystem in DIR, after installing
# PACKAGES and running the RUN steps that come before the first COPY; from the cache when it
# holds one made from the same inputs. Prints the index of the first step not yet run.
cache=${EVS_MOCK_ROOTFS_CACHE:-/var/cache/evs-jobs-mock}
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9  # one run at a time makes, reads and prunes the cache
make_root() {
    local dir=$1 slim=$2 packages=$3; shift 3
    local runs=() first=0 step
    for step in "$@"; do
        [ "${step%%|*}" = RUN ] || break
        runs+=("${step#RUN|}")
        first=$((first + 1))
    done
    local key tarball
    key=$(printf '%s\n' bookworm "minbase-2" "$slim" "$packages" "${runs[@]}" | sha256sum | cut -c1-16)
    tarball="$cache/rootfs-$key.tar"
    if [ ! -f "$tarball" ]; then
        local base="$work/base" start
        start=$(date +%s)
        say "making a root filesystem (first run): debootstrap --variant=minbase bookworm${packages:+, then $packages}"
        debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
            { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
        if [ "$slim" = slim ]; then
            # As the debian:*-slim images are: no documentation, manuals or translations, now or
            # from packages installed later.
            mkdir -p "$base/etc/dpkg/dpkg.cfg.d"
            printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
                'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
                'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/lintian/*' >"$base/etc/dpkg/dpkg.cfg.d/docker"
            find "$base/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
            rm -rf "$base"/usr/share/{man,info,locale,groff,lintian}/*
        fi
        rm -rf "$base"/var/cache/apt/*.bin "$base"/var/lib/apt/lists/*
        cp /etc/resolv.conf "$base/etc/resolv.conf"
        mount -t proc proc "$base/proc"; mounts+=("$base/proc")
        local script="set -e; export DEBIAN_FRONTEND=noninteractive"
        [ -z "$packages" ] || script+="; apt-get -q update; apt-get -q install -y $packages; rm -rf /var/lib/apt/lists/*"
        for step in "${runs[@]}"; do script+="; $step"; done
        chroot "$base" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            /bin/sh -c "$script" >"$work/run.log" 2>&1 || { tail -20 "$work/run.log"; fail "a RUN line failed in the root filesystem"; }
        umount "$base/proc"; unset 'mounts[-1]'
        rm -f "$base/etc/resolv.conf" "$base"/var/cache/apt/*.bin "$base"/var/cache/apt/archives/*.deb
        tar -C "$base" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
        rm -rf "$base"
        say "made in $(( $(date +%s) - start )) s, cached as $tarball"
    fi
    mkdir -p "$dir"
    tar -C "$dir" -xf "$tarball"
    echo "$tarball" >>"$work/tarballs"
    echo "$first" >"$work/first"
}

# The build context: the working tree's files (tracked, or new and not ignored by git), less
# what .dockerignore leaves out (its last matching line wins; "!" keeps).
context="$work/context"
mkdir -p "$context"
git ls-files -co --exclude-standard -z | python3 -c '
import fnmatch, sys
patterns = [l.strip() for l in open(".dockerignore") if l.strip() and not l.lstrip().startswith("#")]
def kept(path):
    keep = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            keep = negated
    return keep
for path in sys.stdin.read().split("\0"):
    if path and kept(path):
        sys.stdout.write(path + "\0")
' | tar -C "$repo" --null -T - -cf - | tar -C "$context" -xf -
say "build context: $(find "$context" -type f -o -type l | wc -l) files ($(ls "$context" | tr '\n' ' '))"

# run_steps ROOT FIRST STEP...: the steps from FIRST on, Docker's way: WORKDIR changes (and
# makes) the directory, COPY SOURCE... DEST copies from the context (or, with --from=build,
# from the build stage's root), RUN runs /bin/sh -c there.
workdir=/
run_steps() {
    local root=$1 first=$2; shift 2
    local steps=("$@") i kind argument
    for ((i = 0; i < ${#steps[@]}; i++)); do
        kind=${steps[$i]%%|*}; argument=${steps[$i]#*|}
        if [ "$kind" = WORKDIR ]; then
            workdir=$argument; mkdir -p "$root$workdir"
        elif [ "$kind" = COPY ]; then
            local words=() from=$context
            read -r -a words <<<"$argument"
            case "${words[0]}" in --from=build) from=$build_root; words=("${words[@]:1}") ;; --*) fail "COPY ${words[0]} not understood" ;; esac
            local destination=${words[-1]} source
            [ "${destination:0:1}" = / ] || destination="$workdir/$destination"
            for source in "${words[@]:0:${#words[@]}-1}"; do
                [ -e "$from/${source#/}" ] || fail "COPY $source: not in the ${from##*/}"
                if [ -d "$from/${source#/}" ]; then
                    mkdir -p "$root$destination"; cp -a "$from/${source#/}/." "$root$destination/"
                elif [ "${destination: -1}" = / ]; then
                    mkdir -p "$root$destination"; cp -a "$from/${source#/}" "$root$destination"
                else
                    mkdir -p "$(dirname "$root$destination")"; cp -a "$from/${source#/}" "$root$destination"
                fi
            done
        elif ((i >= first)); then
            say "RUN ${argument:0:100}"
            chroot "$root" /usr/bin/env -i PATH="$path" HOME=/root /bin/sh -c "cd $workdir && $argument" ||
                fail "RUN failed: $argument"
        fi
    done
}

# --- Build stage ------------------------------------------------------------------------------
# The official image is Debian 12, these packages (swiftlang/swift-docker, 6.3/debian/12) and the
# toolchain; here the toolchain and the mirror of GitHub are this machine's, mounted read-only.
swift_image_packages="binutils libicu-dev libcurl4-openssl-dev libedit-dev libsqlite3-dev libncurses-dev libpython3-dev libxml2-dev pkg-config uuid-dev tzdata git gcc libstdc++-12-dev"
build_root="$work/build-root"
make_root "$build_root" full "$swift_image_packages" "${BUILD_STEPS[@]}"
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
mkdir -p "$build_root/opt/swift" "$build_root/opt/swift-packages"
mount --bind -o ro "$toolchain" "$build_root/opt/swift"; mounts+=("$build_root/opt/swift")
if [ -d /opt/swift-packages ]; then
    mount --bind -o ro /opt/swift-packages "$build_root/opt/swift-packages"; mounts+=("$build_root/opt/swift-packages")
    printf '[url "/opt/swift-packages/"]\n\tinsteadOf = https://github.com/\n' >"$build_root/etc/gitconfig"
fi
mount -t proc proc "$build_root/proc"; mounts+=("$build_root/proc")
path=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
start=$(date +%s)
run_steps "$build_root" "$(cat "$work/first")" "${BUILD_STEPS[@]}"
say "build stage took $(( $(date +%s) - start )) s"
binary="$build_root/out/evs-jobs-mock"
[ -x "$binary" ] || fail "the build stage left no /out/evs-jobs-mock"

# --- Runtime stage ----------------------------------------------------------------------------
root="$work/rootfs"
make_root "$root" slim "" "${RUNTIME_STEPS[@]}"
workdir=/
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
run_steps "$root" "$(cat "$work/first")" "${RUNTIME_STEPS[@]}"
binary="$root/usr/local/bin/evs-jobs-mock"
[ -x "$binary" ] || fail "the runtime stage has no /usr/local/bin/evs-jobs-mock"
# Cache entries made from other lines than these are of no more use.
find "$cache" -maxdepth 1 -name 'rootfs-*.tar' | { grep -v -x -F -f "$work/tarballs" || true; } | xargs -r rm -f
flock -u 9

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
    local others=() other  # reaped: its number may be reused, so cleanup must not kill it
    for other in "${pids[@]}"; do [ "$other" = "$pid" ] || others+=("$other"); done
    pids=("${others[@]}")
    [ "$status" -eq 0 ] || fail "SIGTERM: exit $status, expected 0"
}
poll() {  # poll PROJECT JOB [curl options]: the body of a poll from outside the container
    ip netns exec "$netns" curl -sS --max-time 5 "${@:3}" "http://127.0.0.1:8080/v1/$1/jobs/$2"
}

# The image as it comes: default fixtures, port 8080, running as the unprivileged user.
start_container default
say "start-up line: $(head -1 "$work/default.out")"
grep -q '^listening on http://0.0.0.0:8080$' "$work/default.out" || fail "expected to listen on 0.0.0.0:8080"
owner=$( (ps -o uid=,gid= -p "$pid" || true) | xargs | tr ' ' ':')
[ "$owner" = "$USER" ] || fail "runs as $owner, not as USER $USER"
grep -q "^evs-mock:x:${USER%%:*}:${USER##*:}:" "$root/etc/passwd" || fail "USER $USER is not the image's evs-mock user"
grep -q "^evs-mock:x:${USER##*:}:" "$root/etc/group" || fail "USER $USER's group is not the image's evs-mock group"
[ "$(health)" -eq 0 ] || fail "HEALTHCHECK failed while the mock serves"
expected="$repo/fixtures/default/api-example-running.json"
job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$expected")
poll 0123456789abcdef0123456789abcdef "$job" >"$work/poll.json"
python3 - "$work/poll.json" "$expected" <<'PY' || fail "the poll did not answer as the API page shows"
import json, sys
got, expected = (json.load(open(path)) for path in sys.argv[1:3])
assert got == expected, got
PY
say "HEALTHCHECK exits 0; a poll answers as the API page shows; the process runs as $owner (evs-mock)"
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
