#!/bin/bash
# Benchmarks of sbxrun (issue 7): whole-process comparisons with hyperfine, the in-process
# stages with Google Benchmark, peak RSS of the supervising sbxrun; writes docs/benchmarks.md.
#   usage: bench/run.sh [BUILD_DIR]   (default: build; the benchmarks build in BUILD_DIR-bench)
# Environment: BENCH_ROUNDS (hyperfine rounds, default 15), BENCH_RUNS (runs per command and
# round, default 10), BENCH_OUT (default docs/benchmarks.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${1:-build}
bdir=${build%/}-bench
bdir_shown=$bdir   # as given, for the report's command lines (no machine's absolute path)
# Absolute from here on: an absolute BUILD_DIR used to be prefixed with $here a second time.
case $bdir in /*) ;; *) bdir=$here/$bdir ;; esac
rounds=${BENCH_ROUNDS:-15}
runs=${BENCH_RUNS:-10}
out=${BENCH_OUT:-docs/benchmarks.md}

need() {  # need COMMAND DEBIAN_PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing (apt-get install $2)" >&2; exit 1; }
}
need hyperfine hyperfine
need /usr/bin/time time
need python3 python3

# --- build ---------------------------------------------------------------------------------
if [ ! -d "$bdir" ]; then
    meson setup "$bdir" -Dbenchmarks=true >/dev/null
elif ! meson introspect "$bdir" --buildoptions | python3 -c '
import json, sys
sys.exit(0 if any(o["name"] == "benchmarks" and o["value"] for o in json.load(sys.stdin)) else 1)'; then
    meson configure "$bdir" -Dbenchmarks=true >/dev/null
fi
ninja -C "$bdir" -j"$(nproc)" src/sbxrun src/sbxrun-inner bench/bench_stages >/dev/null
R=$bdir/bench-results   # raw results, kept so the report can be written again
mkdir -p "$R"
SBXRUN=$bdir/src/sbxrun
INNER=$bdir/src/sbxrun-inner
STAGES=$bdir/bench/bench_stages

write_report() {
    mkdir -p "$(dirname "$out")"
    (set -a; . "$R/env.sh"; python3 "$here/bench/report.py") >"$out"
    echo "bench: wrote $out"
}
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then write_report; exit 0; fi

# --- the seed's symlink farm (as test/integration/symlinks.sh builds it) ---------------------
# Two sites: $F under /tmp (whatever filesystem that is: here ext4 without a journal) and, when
# run as root, $G on a tmpfs mounted for the purpose (not /dev/shm: the sandbox has its own
# /dev). sbxrun's per-run placeholders cost an inode allocation each, which is cheap on tmpfs
# and expensive on ext4 without a journal (see the notes), so the bwrap comparison is made on
# both.
F=$(mktemp -d /tmp/sbxrun-bench.XXXXXX)
G=
if [ "$(id -u)" = 0 ]; then
    G=$(mktemp -d /tmp/sbxrun-bench-tmpfs.XXXXXX)
    mount -t tmpfs -o size=64m,mode=755 sbxrun-bench "$G" 2>/dev/null || { rmdir "$G"; G=; }
fi
trap 'rm -rf "$F"; [ -z "$G" ] || { umount "$G" && rmdir "$G"; }' EXIT
unset XDG_CACHE_HOME SBXRUN_POLICY XDG_CONFIG_HOME
make_farm() {  # make_farm DIR
    mkdir -p "$1" && cd "$1"
    git init -q . 2>/dev/null || mkdir -p .git
    mkdir -p src .auxiliary/configuration/coders/{codex,claude,opencode} documentation/architecture/openspec
    echo 'sandbox_mode = "workspace-write"' >.auxiliary/configuration/coders/codex/config.toml
    echo '# agents' >.auxiliary/configuration/AGENTS.md
    ln -s .auxiliary/configuration/coders/codex .codex
    ln -s .auxiliary/configuration/coders/claude .claude
    ln -s .auxiliary/configuration/AGENTS.md AGENTS.md
    ln -s .auxiliary/configuration/AGENTS.md CLAUDE.md
    ln -s .auxiliary/configuration/coders/gemini .gemini
    ln -s documentation/architecture/openspec openspec
    cd "$here"
}

# make_site DIR: the farm in DIR/ws with DIR/{tmp,home,farm.toml}, and the hand-typed bwrap
# commands in DIR/hand_bwrap and DIR/hand_inner. The hand-typed bwrap is sbxrun's own argv
# (--explain), every --ro-bind-fd/--bind-fd replaced by a plain --ro-bind/--bind of the same
# path. It runs on a twin of the farm in which the missing protected names already exist
# (sbxrun makes those placeholders per run; a hand-written command needs them there
# beforehand, since bwrap would create them on the host).
make_site() {
    local S=$1
    chmod 755 "$S"
    make_farm "$S/ws"
    mkdir -p "$S/tmp" "$S/home"
    cat >"$S/farm.toml" <<'TOML'
version = 1
[filesystem]
protect = [".git", ".codex", ".claude", ".gemini", ".agents", "AGENTS.md", "CLAUDE.md"]
TOML
    (cd "$S/ws" && HOME=$S/home TMPDIR=$S/tmp "$SBXRUN" --policy "$S/farm.toml" --explain \
        --explain-format json) >"$S/explain.json"
    make_farm "$S/hand-ws"
    mkdir -p "$S/hand-tmp"
    python3 - "$S" "$INNER" <<'PY'
import json, os, shlex, sys
F, inner = sys.argv[1], sys.argv[2]
d = json.load(open(f"{F}/explain.json"))
def twin(p):
    for a, b in ((f"{F}/ws", f"{F}/hand-ws"), (f"{F}/tmp", f"{F}/hand-tmp")):
        if p == a or p.startswith(a + "/"):
            return b + p[len(a):]
    return p
for m in d["mounts"]:
    if m["kind"].startswith("blocked"):
        p = twin(m["dest"])
        if os.path.lexists(p):
            continue
        if p.endswith(".md"):
            open(p, "w").close()
        else:
            os.makedirs(p, exist_ok=True)
argv, i = d["argv"], 0
out = []
while i < len(argv):
    a = argv[i]
    if a == "--json-status-fd":
        i += 2; continue
    if a in ("--ro-bind-fd", "--bind-fd"):
        dest = twin(argv[i + 2])
        out += [a[:-3], dest, dest]; i += 3; continue
    if a == "--":
        break
    out.append(a); i += 1
inner_args = [twin(x) for x in argv[i + 2:]]   # after "--" and "/proc/self/fd/<fd>"
assert inner_args[-1] == "--", inner_args
# --verify DEV:INO:MODE PATH names the inodes sbxrun checked in the farm: give the inner stage
# the twin's, so it does the same checks (and the same work) on the hand-typed mounts.
# --entry-block DEV:INO DIR likewise (--explain shows 0:0: the plan's descriptors are not known
# there), or the entry broker refuses the directory as not the one planned.
for k in range(len(inner_args) - 2):
    if inner_args[k] == "--verify":
        st = os.stat(inner_args[k + 2])
        mode = inner_args[k + 1].rsplit(":", 1)[1]
        inner_args[k + 1] = f"{st.st_dev}:{st.st_ino}:{mode}"
    elif inner_args[k] == "--entry-block":
        st = os.stat(inner_args[k + 2])
        inner_args[k + 1] = f"{st.st_dev}:{st.st_ino}"
open(f"{F}/hand_bwrap", "w").write(shlex.join(out + ["--", "true"]))
open(f"{F}/hand_inner", "w").write(shlex.join(out + ["--", inner] + inner_args + ["true"]))
PY
    # Every command must work before it is timed.
    local c
    for c in "$SBXRUN --policy $S/farm.toml -- true" "$SBXRUN --policy $S/farm.toml --backend landlock -- true" \
        "$(cat "$S/hand_bwrap")" "$(cat "$S/hand_inner")"; do
        (cd "$S/ws" && HOME=$S/home TMPDIR=$S/tmp eval "$c") 2>/dev/null ||
            { echo "bench: this command fails: $c" >&2; exit 1; }
    done
    [ ! -e "$S/ws/.agents" ] || { echo "bench: sbxrun left a placeholder behind" >&2; exit 1; }
}
make_site "$F"
[ -z "$G" ] || make_site "$G"
export HOME=$F/home TMPDIR=$F/tmp
P="--policy $F/farm.toml"
HAND=$(cat "$F/hand_bwrap")
HAND_INNER=$(cat "$F/hand_inner")

# --- whole process: paired, interleaved rounds --------------------------------------------
# hyperfine runs each command of one invocation in turn; doing $rounds short rounds of every
# comparison, one after the other, spreads the machine's drift over all commands alike, and
# the ratio is the median of the per-round ratios of medians (paired by round).
SB="$SBXRUN $P -- true"
SL="$SBXRUN $P --backend landlock -- true"
SE="$SBXRUN $P --explain"
cd "$F/ws"
[ -z "$G" ] || { GSB="$SBXRUN --policy $G/farm.toml -- true"; GHAND=$(cat "$G/hand_bwrap"); GHAND_INNER=$(cat "$G/hand_inner"); }
for r in $(seq 1 "$rounds"); do
    hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$R/bw.$r.json" \
        "$SB" "$HAND" "$HAND_INNER" >/dev/null
    hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$R/ll.$r.json" \
        "$SL" "true" "$SE" >/dev/null
    [ -z "$G" ] || (cd "$G/ws" && HOME=$G/home TMPDIR=$G/tmp hyperfine -N --style none --warmup 2 \
        --runs "$runs" --export-json "$R/bwt.$r.json" "$GSB" "$GHAND" "$GHAND_INNER" >/dev/null)
done
cd "$here"

# --- peak RSS of the supervising sbxrun, while it runs `sleep 1` -----------------------------
rss() {  # rss ARGS...: VmHWM (kB) of the sbxrun process itself, read while the command runs
    (cd "$F/ws" && exec "$SBXRUN" "$@" -- sleep 1) &
    local pid=$! hwm
    sleep 0.6
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    wait "$pid"
    echo "$hwm"
}
RSS_BW=$(rss $P)
RSS_LL=$(rss $P --backend landlock)
# GNU time's %M: maxrss of sbxrun and of every descendant it waited for (an upper bound).
TIME_BW=$(cd "$F/ws" && /usr/bin/time -f %M "$SBXRUN" $P -- sleep 1 2>&1 >/dev/null | tail -1)

# --- stages -------------------------------------------------------------------------------
"$STAGES" --benchmark_min_time=0.2 --benchmark_out="$R/stages.json" \
    --benchmark_out_format=json >/dev/null

# --- the report -----------------------------------------------------------------------------
{
for v in F G R rounds runs RSS_BW RSS_LL TIME_BW SB SL SE HAND HAND_INNER GSB GHAND GHAND_INNER; do
    printf '%s=%q\n' "$v" "${!v}"
done
printf 'bdir=%q\n' "$bdir_shown"
} >"$R/env.sh"
write_report
