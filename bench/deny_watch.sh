#!/bin/bash
# Issue 15/16: what the bwrap backend's deny watcher costs (inner/deny_watch.hpp). A policy with
# two denied paths (a directory and a file), run with the watcher (the default where /dev/fuse
# can be opened: run this as root here) and without it (SBXRUN_DENY_WATCH=0), in interleaved
# rounds: the start-up of `sbxrun -- true`, and N refused reads of the denied file (each a FUSE
# round trip with the watcher, a permission check without). Median of the per-round values.
#   usage: bench/deny_watch.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_ROUNDS (default 9), BENCH_RUNS (default 10), BENCH_N (default 2000).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
SBXRUN=$build/src/sbxrun
W=$(mktemp -d /tmp/sbxrun-bench-deny.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/home/.secret" "$W/cfg" "$W/tmp" "$W/ws"
echo secret >"$W/home/.secret/key"
echo secret >"$W/home/cred.txt"
printf 'version = 1\n[filesystem]\ndeny = ["~/.secret", "~/cred.txt"]\n' >"$W/deny.toml"
cd "$W/ws"
python3 - "$SBXRUN" "$W" "${BENCH_ROUNDS:-9}" "${BENCH_RUNS:-10}" "${BENCH_N:-2000}" <<'PY'
import os, random, statistics, subprocess, sys, time
sbxrun, w, rounds, runs, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
base = {"PATH": "/usr/bin:/bin", "HOME": w + "/home", "XDG_CONFIG_HOME": w + "/cfg",
        "TMPDIR": w + "/tmp"}
reads = ("import os, sys\n"
         "for _ in range(%d):\n"
         "    try: os.open(sys.argv[1], os.O_RDONLY)\n"
         "    except OSError: pass\n" % n)
cmd = [sbxrun, "-q", "--backend", "bwrap", "--policy", w + "/deny.toml", "--"]
variants = {
    "true, watched": (dict(base), cmd + ["true"], runs),
    "true, not watched": (dict(base, SBXRUN_DENY_WATCH="0"), cmd + ["true"], runs),
    "reads, watched": (dict(base), cmd + ["python3", "-c", reads, w + "/home/cred.txt"], 1),
    "reads, not watched": (dict(base, SBXRUN_DENY_WATCH="0"),
                           cmd + ["python3", "-c", reads, w + "/home/cred.txt"], 1),
}
def once(env, argv):
    t = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000
for env, argv, _ in variants.values():
    once(env, argv)
per = {k: [] for k in variants}
for _ in range(rounds):
    order = list(variants)
    random.shuffle(order)
    for k in order:
        env, argv, r = variants[k]
        per[k].append(statistics.median(once(env, argv) for _ in range(r)))
med = {k: statistics.median(v) for k, v in per.items()}
print("| variant | median (ms) |")
print("|---|---|")
for k in variants:
    print("| %s | %.2f |" % (k, med[k]))
start = statistics.median(a - b for a, b in zip(per["true, watched"], per["true, not watched"]))
each = statistics.median((a - b) / n * 1000 for a, b in zip(per["reads, watched"], per["reads, not watched"]))
print()
print("start-up with the watcher: %+.2f ms; each refused read: %+.1f us (%d reads, %d rounds)"
      % (start, each, n, rounds))
PY
