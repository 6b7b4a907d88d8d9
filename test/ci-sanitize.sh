#!/bin/bash
# CI stage: the unit suites and the unprivileged half of the integration and attack suites
# again, built with ASan + UBSan (clang). The root half is left out here (test/run runs it
# unsanitized): the two halves run the same sbxrun code, and both under ASan took CI over an
# hour. The unprivileged half is kept because it is what harnesses run, and it takes the
# user-namespace paths that root does not.
#
# sbxrun-inner is linked dynamically here (-Dstatic_inner=false): ASan cannot link -static. It is
# still exec'ed as /proc/self/fd/N inside the sandbox and finds libstdc++ there because the
# sandbox reads "/" (the default read = ["/"]); clang links the sanitizers' runtime in.
#
# LeakSanitizer is on (detect_leaks=1) everywhere but in sbxrun-inner once it has installed its
# seccomp filter: LSan's exit-time check ptrace-attaches from a helper task, which the filter
# refuses, so LSan would die with a "fatal error" and exit 1 in place of the command's status.
# src/inner/lsan_seccomp.cpp (linked only into ASan builds, also into test/helpers' programs that
# run inside the sandbox) turns the check off in that case.
#   usage: test/ci-sanitize.sh [BUILD_DIR]        (default: build-asan; reused when present)
#   SBXRUN_SANITIZE_ALL=1 runs the root half too.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
# clang at -O1 (what the ASan documentation recommends): gcc 12 took 39 minutes for this build
# on a loaded 2-core machine (its ASan + UBSan instrumentation of the Boost.Asio proxy alone took
# 6 minutes at -O2), clang about half as long per file; the gcc builds of CI (debug, release,
# Debian) keep gcc's warnings checked.
# -fno-sanitize=function: clang 14's check of calls through function pointers cannot assemble
# Boost.Asio's code ("Cannot represent a difference across sections"); UBSan's other checks stay.
# -Dwerror=false: clang's -Wpedantic flags libseccomp's own macros (C99 compound literals);
# warnings are the gcc builds' to check, this build is for the sanitizers' reports.
opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dstatic_inner=false -Doptimization=1
    -Dcpp_args=-fno-sanitize=function -Dwerror=false)
test/need-clang.sh ci-sanitize

start=$SECONDS
if [ -f "$build/build.ninja" ]; then
    meson configure "$build" "${opts[@]}"
else
    CXX=clang++ meson setup "$build" --wrap-mode=nodownload "${opts[@]}" >/dev/null
fi
ninja -C "$build" >/dev/null
echo "ci-sanitize: built in $((SECONDS - start)) s"

# Halting makes a UBSan report fail the process (it only warns by default); the reports of
# processes whose exit status a test does not look at are found in the log below.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export LSAN_OPTIONS=print_suppressions=0
rc=0
only=(--no-suite root)
[ "${SBXRUN_SANITIZE_ALL:-0}" = 1 ] && only=()
test/run "$build" "${only[@]}" || rc=$?
# "LeakSanitizer has encountered a fatal error": LSan could not run somewhere (e.g. an
# instrumented program under a seccomp filter without the hook): a hole in the check, so a failure.
if grep -E -n "ERROR: (AddressSanitizer|LeakSanitizer)|LeakSanitizer has encountered|runtime error:|SUMMARY: UndefinedBehaviorSanitizer" \
    "$build/meson-logs/testlog.txt"; then
    echo "ci-sanitize: sanitizer reports above (full log: $build/meson-logs/testlog.txt)"
    rc=1
fi
echo "ci-sanitize: total $((SECONDS - start)) s"
exit $rc
