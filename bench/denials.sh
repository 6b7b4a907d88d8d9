#!/bin/bash
# Issue 15: what the denial report costs. The report rides on the entry brokers (every entry
# call and open for writing already goes through one), so its cost is the brokers' extra work:
# a statvfs per call outside the protected directories under bwrap, a rights check under
# Landlock, and the log. Measured on the two workloads the issue names, in interleaved rounds
# (every variant once per round, in a shuffled order, so that a slow moment of the machine
# hits all of them alike), median of the per-round ratios:
#   - a C build: `make -j2` of BENCH_FILES generated files (default 300), from clean;
#   - a python test suite: `python3 -m unittest` of 100 generated test modules that write,
#     read and remove temporary files.
# Variants: bare (no sandbox), the BASE sbxrun (one built without the report, e.g. from commit
# 14d8e36), and this build's sbxrun, each under bwrap and under Landlock.
#   usage: BENCH_BASE=/path/to/old/sbxrun bench/denials.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_ROUNDS (default 10), BENCH_FILES (default 300).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
SBXRUN=$build/src/sbxrun
BASE=${BENCH_BASE:?set BENCH_BASE to an sbxrun without the denial report}
rounds=${BENCH_ROUNDS:-10}
files=${BENCH_FILES:-300}

W=$(mktemp -d /tmp/sbxrun-bench-denials.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/home" "$W/cfg" "$W/tmp" "$W/ws"
export HOME=$W/home XDG_CONFIG_HOME=$W/cfg TMPDIR=$W/tmp
unset SBXRUN_POLICY XDG_CACHE_HOME
cd "$W/ws"
git init -q .
python3 - "$W/ws" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/c", exist_ok=True)
for i in range(n):
    with open(f"{root}/c/f{i}.c", "w") as f:
        f.write(f'#include <stdio.h>\n#include <string.h>\n'
                f'int f{i}(const char *s) {{ char b[64]; snprintf(b, sizeof b, "%s{i}", s); '
                f'return (int)strlen(b) * {i}; }}\n')
objs = " ".join(f"c/f{i}.o" for i in range(n))
with open(f"{root}/Makefile", "w") as f:
    f.write(f"all: libbench.a\nlibbench.a: {objs}\n\tar rcs $@ $^\n"
            "c/%.o: c/%.c\n\t$(CC) -O1 -c -o $@ $<\nclean:\n\trm -f c/*.o libbench.a\n")
os.makedirs(f"{root}/tests", exist_ok=True)
open(f"{root}/tests/__init__.py", "w").close()
for i in range(100):
    with open(f"{root}/tests/test_m{i}.py", "w") as f:
        f.write("import os, tempfile, unittest\n"
                "class T(unittest.TestCase):\n"
                "    def test_files(self):\n"
                "        with tempfile.TemporaryDirectory() as d:\n"
                "            for j in range(20):\n"
                "                p = os.path.join(d, 'x%d' % j)\n"
                "                with open(p, 'w') as fh: fh.write('x' * 100)\n"
                "                with open(p) as fh: self.assertEqual(len(fh.read()), 100)\n"
                "    def test_compute(self):\n"
                "        self.assertEqual(sum(range(10000)), 49995000)\n")
PY

python3 - "$SBXRUN" "$BASE" "$rounds" <<'PY'
import random, statistics, subprocess, sys, time
sbxrun, base, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
workloads = {
    "make -j2": (["make", "-s", "-j2"], ["make", "-s", "clean"]),
    "python3 -m unittest": (["python3", "-m", "unittest", "discover", "-q", "-s", "tests"], None),
}
variants = {"bare": []}
for b in ("bwrap", "landlock"):
    variants[f"{b}, without the report"] = [base, "-q", "--backend", b, "--"]
    variants[f"{b}, with the report"] = [sbxrun, "-q", "--backend", b, "--"]
times = {(w, v): [] for w in workloads for v in variants}
for r in range(rounds + 1):  # round 0 warms the caches and is not counted
    for w, (cmd, prep) in workloads.items():
        order = list(variants)
        random.shuffle(order)
        for v in order:
            if prep:
                subprocess.run(prep, check=True)
            t = time.monotonic()
            subprocess.run(variants[v] + cmd, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            if r > 0:
                times[(w, v)].append(time.monotonic() - t)
print(f"{rounds} interleaved rounds; medians, and the median of the per-round ratios\n")
for w in workloads:
    print(f"## {w}\n")
    print("| variant | median | vs bare | with / without the report |")
    print("|---|---|---|---|")
    bare = times[(w, "bare")]
    for v in variants:
        t = times[(w, v)]
        vs_bare = statistics.median(a / b for a, b in zip(t, bare))
        cell = ""
        if v.endswith("with the report"):
            other = times[(w, v.replace("with the", "without the"))]
            cell = f"{statistics.median(a / b for a, b in zip(t, other)):.3f}x"
        print(f"| {v} | {statistics.median(t):.3f} s | {vs_bare:.3f}x | {cell} |")
    print()
PY
