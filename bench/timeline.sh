#!/bin/bash
# Where one run's time goes (issue 16): runs `sbxrun -- true` N times with
# SBXRUN_TRACE_TIMING=1 on each backend and prints, for every phase, the median time at which
# it ended (from the start of sbxrun's main) and the median time it took (from the phase before
# it, in the order of the timeline, whatever process it ran in).
#   usage: bench/timeline.sh [BUILD_DIR] [RUNS]   (defaults: build, 40)
# The fixture is the seed's workspace layout (.codex linked into the workspace), in a fresh
# directory with its own HOME, TMPDIR and cache, warmed by one run first (the bwrap probe cache).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
runs=${2:-40}
case $build in /*) ;; *) build=$here/$build ;; esac
sbxrun=$build/src/sbxrun
fix=$(mktemp -d "${TMPDIR:-/tmp}/sbxrun-timeline.XXXXXX")
trap 'rm -rf "$fix"' EXIT
mkdir -p "$fix/home" "$fix/tmp" "$fix/ws/.auxiliary/codex" "$fix/ws/.git"
ln -s .auxiliary/codex "$fix/ws/.codex"
cd "$fix/ws"
run() {  # run BACKEND: one traced run, its timeline on stdout
    env -i PATH=/usr/bin:/bin HOME="$fix/home" TMPDIR="$fix/tmp" SBXRUN_TRACE_TIMING=1 \
        "$sbxrun" -q --backend "$1" -- true 2>&1 >/dev/null | grep '^sbxrun-timing:' || true
}
for backend in bwrap landlock; do
    run "$backend" >/dev/null  # warm: the probe cache, the page cache
    for _ in $(seq "$runs"); do
        run "$backend"
        echo "--- end of run"
    done >"$fix/$backend.txt"
    python3 - "$fix/$backend.txt" "$backend" "$runs" <<'PY'
import re, statistics, sys
path, backend, runs = sys.argv[1], sys.argv[2], sys.argv[3]
at, took, order = {}, {}, []
for block in open(path).read().split("--- end of run\n"):
    marks = []
    for line in block.splitlines():
        m = re.match(r"sbxrun-timing:\s+([\d.]+) ms  (.+?)  (.+)$", line)
        if m:
            marks.append((float(m.group(1)), m.group(2) + ": " + m.group(3)))
    marks.sort()
    prev = 0.0
    for t, name in marks:
        if name not in at:
            order.append(name)
            at[name], took[name] = [], []
        at[name].append(t)
        took[name].append(t - prev)
        prev = t
print(f"\n{backend} backend, `sbxrun -q -- true`, median of {runs} runs (ms)\n")
print("| phase (process: end of) | at | took |")
print("|---|---|---|")
for name in sorted(order, key=lambda n: statistics.median(at[n])):
    print(f"| {name} | {statistics.median(at[name]):.2f} | {statistics.median(took[name]):.2f} |")
PY
done
