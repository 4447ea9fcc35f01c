#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each one for SECONDS.
#
#   fuzz/run.sh SECONDS [target...]        targets: request-decoder fixture-decoder (default: all)
#
# For each target: build into .build-fuzz/ (swiftc, -sanitize=fuzzer,address), replay the repo corpus
# once (-runs=0) as a regression check, then fuzz a temporary copy of the repo corpus, so new inputs
# never touch the repo. A crash (or timeout, OOM, leak) is copied into the target's repo corpus as
# crash-<sha1> and makes the script exit non-zero; the replay then fails until the source is fixed.
#
# Environment: SWIFTC (default: swiftc on PATH), FUZZ_OPT (default: -O), NICE (default: 10),
# FUZZ_ARGS (extra libFuzzer flags for the fuzzing run).
set -u -o pipefail

usage() {
    echo "usage: $0 SECONDS [target...]   (targets: request-decoder fixture-decoder)" >&2
    exit 2
}
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
shift

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/.build-fuzz"
swiftc=${SWIFTC:-swiftc}
opt=${FUZZ_OPT:--O}
nice_level=${NICE:-10}
all_targets=(request-decoder fixture-decoder)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

# The Swift runtime's own crash reporter does not work under ASan and leaves processes behind:
# turn it off and let ASan report traps (SIGILL from a failed precondition) with a stack.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-handle_sigill=1:handle_abort=1:detect_leaks=1}
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
    symbolizer="$(dirname "$(command -v "$swiftc")")/llvm-symbolizer"
    [[ -x $symbolizer ]] && export ASAN_SYMBOLIZER_PATH=$symbolizer
fi
demangle="$(dirname "$(command -v "$swiftc")")/swift-demangle"
[[ -x $demangle ]] || demangle=""

tmp=$(mktemp -d "${TMPDIR:-/tmp}/evs-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# target -> module name, max_len, sources (relative to the repo root)
target_config() {
    case $1 in
    request-decoder)
        module=FuzzHTTP1
        max_len=4096
        sources=(Sources/Bytes/*.swift Sources/HTTP1/*.swift fuzz/FuzzRequestDecoder.swift)
        ;;
    fixture-decoder)
        module=FuzzFixtures
        max_len=8192
        sources=(
            Sources/Bytes/*.swift Sources/EVSJobs/JSON/*.swift
            Sources/EVSJobs/APITime.swift Sources/EVSJobs/Jobs/*.swift Sources/EVSJobs/JobJSON.swift
            Sources/EVSJobs/Fixtures/FixtureDecoder*.swift Sources/EVSJobs/Fixtures/Identifiers.swift
            Sources/EVSJobs/Fixtures/FixtureProblem.swift Sources/EVSJobs/JobRef.swift
            Sources/EVSJobs/Disks/Volume.swift Sources/EVSJobs/Disks/VolumeID.swift Sources/EVSJobs/Disks/Plan.swift
            fuzz/FuzzFixtureDecoder.swift
        )
        ;;
    *)
        echo "unknown target: $1 (targets: ${all_targets[*]})" >&2
        return 1
        ;;
    esac
}

# Readable stacks: Swift symbols demangled.
readable() {
    if [[ -n $demangle ]]; then "$demangle" --simplified; else cat; fi
}

# Copies every artifact libFuzzer wrote into the repo corpus as crash-<sha1>; prints their paths.
save_artifacts() {
    local artifacts=$1 corpus=$2 file sha
    for file in "$artifacts"/*; do
        [[ -f $file ]] || continue
        case $(basename "$file") in slow-unit-*) continue ;; esac
        sha=$(sha1sum "$file" | cut -d' ' -f1)
        cp "$file" "$corpus/crash-$sha"
        echo "$corpus/crash-$sha ($(basename "$file" | cut -d- -f1))"
    done
}

# The last line of libFuzzer's progress log with cov: and ft:, e.g. "cov: 922 ft: 2385 corp: 206/4739b".
coverage_of() {
    grep -E '^#[0-9]+' "$1" | grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' | tail -1
}

stat_of() {
    grep -o "^stat::$2: *[0-9]*" "$1" | tail -1 | grep -o '[0-9]*$'
}

mkdir -p "$build"
failed=0
summary=()

for target in "${targets[@]}"; do
    target_config "$target" || { failed=1; summary+=("$target: unknown target"); continue; }
    corpus="$root/fuzz/corpus/$target"
    binary="$build/$target"
    log="$build/$target.log"
    mkdir -p "$corpus"

    echo "== $target: building $binary"
    if ! (cd "$root" && nice -n "$nice_level" "$swiftc" "$opt" -g -swift-version 6 -sanitize=fuzzer,address \
        -parse-as-library -use-ld=lld -I Sources/CZlib -lz -module-name "$module" "${sources[@]}" -o "$binary"); then
        failed=1
        summary+=("$target: BUILD FAILED")
        continue
    fi

    dict=()
    [[ -f $root/fuzz/$target.dict ]] && dict=(-dict="$root/fuzz/$target.dict")

    # 1. Regression: every input in the repo corpus, crash-* included, must run clean.
    echo "== $target: replaying $corpus"
    mkdir -p "$tmp/$target/replay"
    if ! nice -n "$nice_level" "$binary" -runs=0 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$tmp/$target/replay/" "$corpus" >"$log" 2>&1; then
        failed=1
        readable <"$log" | grep -v '^INFO:' | head -40
        # Name the inputs that fail, one process each.
        bad=()
        for input in "$corpus"/*; do
            nice -n "$nice_level" "$binary" -timeout=10 -rss_limit_mb=2048 \
                -artifact_prefix="$tmp/$target/replay/" "$input" >/dev/null 2>&1 || bad+=("$input")
        done
        echo "REGRESSION $target: failing corpus inputs: ${bad[*]:-(see $log)}"
        summary+=("$target: REGRESSION (replay of the corpus fails: ${bad[*]:-see $log}); not fuzzed")
        continue
    fi

    # 2. Fuzz a temporary copy of the repo corpus.
    work="$tmp/$target/corpus"
    artifacts="$tmp/$target/artifacts"
    mkdir -p "$work" "$artifacts"
    cp -R "$corpus"/. "$work"/
    echo "== $target: fuzzing for ${seconds}s (log: $log)"
    # shellcheck disable=SC2086
    nice -n "$nice_level" "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
        ${FUZZ_ARGS:-} "$work" >"$log" 2>&1
    status=$?
    execs=$(stat_of "$log" number_of_executed_units)
    rate=$(stat_of "$log" average_exec_per_sec)
    if [[ -z $rate || $rate == 0 ]]; then  # after a crash libFuzzer may print 0: take the last progress line
        rate=$(grep -E '^#[0-9]+' "$log" | grep -o 'exec/s: [0-9]*' | tail -1 | grep -o '[0-9]*$')
    fi
    cov=$(coverage_of "$log")
    saved=$(save_artifacts "$artifacts" "$corpus")
    if [[ $status -ne 0 || -n $saved ]]; then
        failed=1
        readable <"$log" | grep -vE '^(INFO:|#[0-9]|\s+NEW_FUNC)' | head -60
        echo "CRASH $target (libFuzzer exit $status); input saved as:"
        echo "${saved:-  (no artifact written; see $log)}" | sed 's/^/  /'
        summary+=("$target: CRASH after ${execs:-?} execs, ${rate:-?} exec/s, ${cov:-no coverage line}; saved: $(echo "${saved:-none}" | tr '\n' ' ')")
    else
        summary+=("$target: ok, ${execs:-?} execs, ${rate:-?} exec/s, ${cov:-no coverage line}")
    fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $failed
