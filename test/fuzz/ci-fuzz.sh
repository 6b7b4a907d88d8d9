#!/bin/bash
# CI stage: build the libFuzzer targets with clang + ASan + UBSan in their own build dir and run
# each one for a bounded time on its seed corpus. Any finding (crash, sanitizer report, leak,
# timeout, out-of-memory, broken invariant) fails the stage; its input is kept under
# <build>/fuzz-artifacts/ so it can be replayed: <build>/test/fuzz/<target> <artifact>.
#   usage: test/fuzz/ci-fuzz.sh [BUILD_DIR]        (default: build-fuzz, recreated)
#   SBXRUN_FUZZ_SECONDS: time per target (default 60). Five targets, one per core at a time:
#   about 3 minutes of fuzzing on 2 cores, plus the build (about 2 minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
seconds=${SBXRUN_FUZZ_SECONDS:-60}
targets=(fuzz_policy_toml fuzz_policy_json fuzz_resolve fuzz_inner_args fuzz_git_config)

test/need-clang.sh ci-fuzz

start=$SECONDS
rm -rf "$build"
CXX=clang++ meson setup "$build" --wrap-mode=nodownload -Dfuzz=true -Dtests=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dstatic_inner=false >/dev/null
ninja -C "$build" "${targets[@]/#/test/fuzz/}" >/dev/null
echo "ci-fuzz: built ${#targets[@]} targets in $((SECONDS - start)) s"

# UBSan only reports by default; halting turns a report into a finding libFuzzer sees.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
# One target per core at a time: each fuzzer is single-threaded, and CI's hour is short.
jobs=$(nproc 2>/dev/null || echo 1)
fuzz_one() {  # fuzz_one TARGET: runs it, prints its line; exit 1 on a finding
    local t=$1 work="$build/fuzz-work/$1" log="$build/fuzz-$1.log" t0=$SECONDS runs
    local dict=()
    mkdir -p "$work"
    case $t in fuzz_policy_*) dict=(-dict=test/fuzz/policy.dict) ;; esac
    if "$build/test/fuzz/$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$t-" "$work" "test/fuzz/corpus/$t" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "ci-fuzz: $t: ${runs:-?} runs in $((SECONDS - t0)) s, no finding"
        return 0
    fi
    echo "ci-fuzz: $t: FINDING (log: $log)"
    grep -E -A40 '^==[0-9]+==ERROR|runtime error|invariant broken|ERROR: libFuzzer' "$log" | head -80 || tail -40 "$log"
    ls "$artifacts"/"$t"-* 2>/dev/null || true
    return 1
}
failed=()
pending=("${targets[@]}")
while [ ${#pending[@]} -gt 0 ]; do
    batch=("${pending[@]:0:$jobs}")
    pending=("${pending[@]:$jobs}")
    pids=()
    for t in "${batch[@]}"; do
        fuzz_one "$t" >"$build/fuzz-$t.line" &
        pids+=($!)
    done
    for i in "${!batch[@]}"; do
        wait "${pids[$i]}" || failed+=("${batch[$i]}")
        cat "$build/fuzz-${batch[$i]}.line"
    done
done
echo "ci-fuzz: total $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "ci-fuzz: findings in: ${failed[*]}"
    exit 1
fi
