#!/bin/bash
# Issue 15/16: what watching the command's connections costs. Under bwrap with network "none"
# or "allowlist", every connect(2), sendto(2) with an address, sendmsg(2) and sendmmsg(2) is a
# trip through sbxrun-inner (inner/net_observe.hpp); under Landlock with "allowlist" every
# connect(2) is made by sbxrun (run/connect_guard.hpp). The workload is loopback traffic a test
# suite makes: N TCP connections to a server of the command's own (bwrap), N datagrams to
# itself, and (Landlock allowlist) N connections to the proxy. Interleaved rounds of this build
# against BASE (an sbxrun from before the change, e.g. the thirty-second review's), median of
# the per-round ratios.
#   usage: BENCH_BASE=/path/to/old/sbxrun bench/connections.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_ROUNDS (default 7), BENCH_N (default 2000).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
SBXRUN=$build/src/sbxrun
BASE=${BENCH_BASE:?set BENCH_BASE to an sbxrun from before the change}
rounds=${BENCH_ROUNDS:-7}
n=${BENCH_N:-2000}

W=$(mktemp -d /tmp/sbxrun-bench-connections.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/home" "$W/cfg" "$W/tmp" "$W/ws"
export HOME=$W/home XDG_CONFIG_HOME=$W/cfg TMPDIR=$W/tmp
unset SBXRUN_POLICY XDG_CACHE_HOME
cd "$W/ws"
printf 'version = 1\n[network]\nmode = "allowlist"\nallow = ["example.com"]\n' >"$W/allow.toml"
cat >"$W/loopback.py" <<'PY'
import socket, sys, threading
n = int(sys.argv[1])
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(128)
port = srv.getsockname()[1]
def serve():
    for _ in range(n):
        srv.accept()[0].close()
threading.Thread(target=serve, daemon=True).start()
for _ in range(n):
    c = socket.create_connection(("127.0.0.1", port)); c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
for _ in range(n):
    u.sendto(b"x", u.getsockname()); u.recv(8)
PY
cat >"$W/proxy.py" <<'PY'
import os, socket, sys, urllib.parse
n = int(sys.argv[1])
p = urllib.parse.urlsplit(os.environ["HTTP_PROXY"])
for _ in range(n):
    c = socket.create_connection((p.hostname, p.port)); c.close()
PY

python3 - "$SBXRUN" "$BASE" "$rounds" "$n" "$W" <<'PY'
import random, statistics, subprocess, sys, time
sbxrun, base, rounds, n, w = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
cases = {
    f"bwrap, none: {n} loopback connections + {n} datagrams":
        (["--backend", "bwrap"], ["python3", f"{w}/loopback.py", n]),
    f"Landlock, allowlist: {n} connections to the proxy":
        (["--backend", "landlock", "--policy", f"{w}/allow.toml"], ["python3", f"{w}/proxy.py", n]),
}
times = {}
for r in range(rounds + 1):  # round 0 warms the caches and is not counted
    for c, (opts, cmd) in cases.items():
        order = [("before", base), ("after", sbxrun)]
        random.shuffle(order)
        for name, exe in order:
            t = time.monotonic()
            subprocess.run([exe, "-q"] + opts + ["--"] + cmd, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r > 0:
                times.setdefault((c, name), []).append(time.monotonic() - t)
print(f"{rounds} interleaved rounds; medians, and the median of the per-round ratios\n")
print("| workload | before | after | after / before | per call |")
print("|---|---|---|---|---|")
calls = {0: 2 * int(n), 1: int(n)}
for i, c in enumerate(cases):
    b, a = times[(c, "before")], times[(c, "after")]
    ratio = statistics.median(x / y for x, y in zip(a, b))
    per = (statistics.median(a) - statistics.median(b)) / calls[i] * 1e6
    print(f"| {c} | {statistics.median(b):.3f} s | {statistics.median(a):.3f} s | {ratio:.3f}x "
          f"| {per:+.0f} us |")
PY
