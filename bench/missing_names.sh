#!/bin/bash
# Issue 14: what keeping the missing protected names costs under bwrap, the entry broker
# (sbxrun-inner, inner/entry_broker.hpp) against the placeholders it replaces
# (SBXRUN_ENTRY_BROKER=0, the fallback for kernels without Landlock ABI 2). Whole processes,
# with hyperfine:
#   1. `sbxrun -- true` in a git workspace (the default policy: ~20 missing names there);
#   2. 2,000 files created in a new top-level directory of the workspace (each one through the
#      broker: the directory has no Landlock rule of its own);
#   3. the same in an existing subdirectory (a seccomp notification, then the kernel goes on).
#   usage: bench/missing_names.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_RUNS (hyperfine runs per command, default 30).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
SBXRUN=$build/src/sbxrun
runs=${BENCH_RUNS:-30}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }

W=$(mktemp -d /tmp/sbxrun-bench-missing.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/home" "$W/cfg" "$W/tmp" "$W/ws/src"
# A fresh repository, no commit: with one, the checks of .git after every run add ~0.4 s here
# to both ways alike and drown the difference.
(cd "$W/ws" && git init -q . && echo x >src/a)
export HOME=$W/home XDG_CONFIG_HOME=$W/cfg TMPDIR=$W/tmp
unset SBXRUN_POLICY XDG_CACHE_HOME
cd "$W/ws"
"$SBXRUN" --backend bwrap --explain -- true 2>&1 | grep -q 'entry broker' ||
    { echo "bench: no entry broker on this kernel: nothing to compare" >&2; exit 1; }

make2000='i=0; while [ $i -lt 2000 ]; do : >"$0/f$i"; i=$((i+1)); done'
hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$W/true.md" \
    -n placeholders "env SBXRUN_ENTRY_BROKER=0 $SBXRUN --backend bwrap -- true" \
    -n broker "$SBXRUN --backend bwrap -- true"
hyperfine --warmup 2 --runs "$((runs / 3 + 1))" --export-markdown "$W/new.md" \
    --prepare "rm -rf '$W/ws/new'" \
    -n placeholders "env SBXRUN_ENTRY_BROKER=0 $SBXRUN --backend bwrap -- sh -c 'mkdir new && $make2000' new" \
    -n broker "$SBXRUN --backend bwrap -- sh -c 'mkdir new && $make2000' new"
hyperfine --warmup 2 --runs "$((runs / 3 + 1))" --export-markdown "$W/sub.md" \
    --prepare "rm -rf '$W/ws/src/new'; mkdir '$W/ws/src/new'" \
    -n placeholders "env SBXRUN_ENTRY_BROKER=0 $SBXRUN --backend bwrap -- sh -c '$make2000' src/new" \
    -n broker "$SBXRUN --backend bwrap -- sh -c '$make2000' src/new"
echo "## sbxrun -- true (git workspace)"; cat "$W/true.md"
echo "## 2,000 files in a new top-level directory"; cat "$W/new.md"
echo "## 2,000 files in an existing subdirectory"; cat "$W/sub.md"
