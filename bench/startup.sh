#!/bin/bash
# Issue 16: the start-up of `sbxrun -- true` on each backend, this build against a BASE sbxrun
# (an earlier build, e.g. from the commit before a change), with bare `true` alongside. The
# variants run in interleaved rounds (each once per round, in a shuffled order, so that a slow
# moment of a shared machine hits all of them alike); each round times BENCH_RUNS runs of each
# variant and keeps their median; the report is the median over rounds of each variant's
# median and of the per-round differences. The fixture is the seed's workspace (.codex
# linked into it) with its own HOME and TMPDIR, warmed by one run of each variant.
#   usage: BENCH_BASE=/path/to/old/sbxrun bench/startup.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_ROUNDS (default 15), BENCH_RUNS (default 10).
# For where the time goes inside one run, see bench/timeline.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
BASE=${BENCH_BASE:?set BENCH_BASE to the sbxrun to compare with}
W=$(mktemp -d "${TMPDIR:-/tmp}/sbxrun-bench-startup.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/home" "$W/tmp" "$W/ws/.auxiliary/codex" "$W/ws/.git"
ln -s .auxiliary/codex "$W/ws/.codex"
cd "$W/ws"
python3 - "$build/src/sbxrun" "$BASE" "$W" "${BENCH_ROUNDS:-15}" "${BENCH_RUNS:-10}" <<'PY'
import os, random, statistics, subprocess, sys, time
new, base, w, rounds, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
env = {"PATH": "/usr/bin:/bin", "HOME": f"{w}/home", "TMPDIR": f"{w}/tmp"}
variants = {"true": ["/bin/true"]}
for be in ("bwrap", "landlock"):
    variants[f"base {be}"] = [base, "-q", "--backend", be, "--", "true"]
    variants[f"new {be}"] = [new, "-q", "--backend", be, "--", "true"]
def once(argv):
    t = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000
for argv in variants.values():
    once(argv)
per = {k: [] for k in variants}
for _ in range(rounds):
    order = list(variants)
    random.shuffle(order)
    for k in order:
        per[k].append(statistics.median(once(variants[k]) for _ in range(runs)))
print(f"{rounds} interleaved rounds x {runs} runs; load average {os.getloadavg()[0]:.2f}\n")
print("| variant | median (ms) |\n|---|---|")
for k in variants:
    print(f"| `{k}` | {statistics.median(per[k]):.2f} |")
print("\n| comparison | median of per-round differences (ms) | ratio |\n|---|---|---|")
for be in ("bwrap", "landlock"):
    d = [n - b for n, b in zip(per[f"new {be}"], per[f"base {be}"])]
    r = [n / b for n, b in zip(per[f"new {be}"], per[f"base {be}"])]
    print(f"| new vs base, {be} | {statistics.median(d):+.2f} | {statistics.median(r):.3f} |")
    o = [n - t for n, t in zip(per[f"new {be}"], per["true"])]
    print(f"| new {be} vs bare `true` | {statistics.median(o):+.2f} | |")
PY
