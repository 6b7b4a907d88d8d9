#!/bin/bash
# Issue 13: the network allowlist's proxy against going direct, on this machine's loopback (no
# byte leaves it). Every variant runs in interleaved rounds, in a shuffled order, so that a
# slow moment of a shared machine hits all of them alike; the report is the median over rounds.
#   - throughput: one BENCH_MIB MiB download (default 1024) with curl, direct on the host and
#     through the proxy from inside the sandbox (bwrap and Landlock); then the same at a link's
#     rate (curl --limit-rate BENCH_RATE MiB/s, default 100: a fast registry), where the link,
#     not the machine's loopback, is the bound, as it is for every real download;
#   - per-connection latency: 100 new connections, each one small GET, from python3, direct and
#     through the proxy (the median connection, so start-up is not in it);
#   - start-up: `sbxrun -- true` with network.mode = "allowlist" against "none";
#   - memory: peak RSS (VmHWM) of the supervising sbxrun while the command holds 200 tunnels
#     open through the proxy.
#   usage: bench/proxy.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_ROUNDS (default 5), BENCH_MIB (default 1024), BENCH_RATE (default 100).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
export SBXRUN=$build/src/sbxrun
W=$(mktemp -d "${TMPDIR:-/tmp}/sbxrun-bench-proxy.XXXXXX")
mkdir -p "$W/home" "$W/tmp" "$W/ws" "$W/www"
truncate -s "${BENCH_MIB:-1024}M" "$W/www/big"  # sparse: the page cache's zero page, no disk
truncate -s "$((${BENCH_RATE:-100} * 2))M" "$W/www/paced"  # two seconds at the rate
echo small >"$W/www/small"
python3 - "$W" <<'PY' &
import http.server, os, sys
w = sys.argv[1]
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def __init__(self, *a, **k): super().__init__(*a, directory=w + "/www", **k)
    def log_message(self, *a): pass
    def copyfile(self, src, dst):  # sendfile(2), as a real server would; not the benchmark's subject
        self._send(src, dst)
    def _send(self, src, dst):
        dst.flush()
        off, size = 0, os.fstat(src.fileno()).st_size
        while off < size:
            n = os.sendfile(self.connection.fileno(), src.fileno(), off, size - off)
            if n == 0: break
            off += n
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(w + "/port.tmp", "w").write(str(srv.server_address[1]))
os.rename(w + "/port.tmp", w + "/port")
srv.serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
port=$(cat "$W/port")
printf 'version = 1\n[network]\nmode = "allowlist"\nallow = ["127.0.0.1"]\nports = [%s]\n' "$port" \
    >"$W/allow.toml"
printf 'version = 1\n[network]\nmode = "none"\n' >"$W/none.toml"
cd "$W/ws"
python3 - "$W" "$port" "${BENCH_ROUNDS:-5}" "${BENCH_MIB:-1024}" "${BENCH_RATE:-100}" <<'PY'
import os, random, statistics, subprocess, sys, time
w, port, rounds, mib = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rate = int(sys.argv[5])
paced = f"http://127.0.0.1:{port}/paced"
curl_paced = ["curl", "-sS", "--limit-rate", f"{rate}M", "-o", "/dev/null", "-w", "%{time_total}\n"]
sbx = os.environ["SBXRUN"]
env = {"PATH": "/usr/bin:/bin", "HOME": f"{w}/home", "TMPDIR": f"{w}/tmp"}
big = f"http://127.0.0.1:{port}/big"
curl = ["curl", "-sS", "-o", "/dev/null", "-w", "%{time_total}\n"]
lat_py = f"""
import socket, statistics, sys, time, os
proxy = os.environ.get("http_proxy", "").removeprefix("http://").rstrip("/")
host, port = (proxy.split(":") if proxy else ("127.0.0.1", "{port}"))
target = "http://127.0.0.1:{port}/small" if proxy else "/small"
ts = []
for _ in range(100):
    t = time.perf_counter()
    s = socket.create_connection((host, int(port)))
    s.sendall(("GET %s HTTP/1.0\\r\\nHost: 127.0.0.1:{port}\\r\\n\\r\\n" % target).encode())
    while s.recv(65536): pass
    s.close()
    ts.append(time.perf_counter() - t)
print(statistics.median(ts) * 1000)
"""
def sandbox(be, *cmd, policy="allow"):
    return [sbx, "-q", "--backend", be, "--policy", f"{w}/{policy}.toml", "--", *cmd]
variants = {
    "throughput direct": curl + [big],
    "throughput bwrap proxy": sandbox("bwrap", *curl, big),
    "throughput landlock proxy": sandbox("landlock", *curl, big),
    "paced direct": curl_paced + [paced],
    "paced bwrap proxy": sandbox("bwrap", *curl_paced, paced),
    "paced landlock proxy": sandbox("landlock", *curl_paced, paced),
    "latency direct": ["python3", "-c", lat_py],
    "latency bwrap proxy": sandbox("bwrap", "python3", "-c", lat_py),
    "latency landlock proxy": sandbox("landlock", "python3", "-c", lat_py),
}
def once(argv):
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])
def startup(be, policy):
    t = time.perf_counter()
    subprocess.run(sandbox(be, "true", policy=policy), env=env, check=True)
    return (time.perf_counter() - t) * 1000
per = {k: [] for k in variants}
start = {f"{be} {p}": [] for be in ("bwrap", "landlock") for p in ("allow", "none")}
for _ in range(rounds):
    order = list(variants) + list(start)
    random.shuffle(order)
    for k in order:
        if k in variants:
            per[k].append(once(variants[k]))
        else:
            be, p = k.split()
            per_run = [startup(be, p) for _ in range(10)]
            start[k].append(statistics.median(per_run))
med = {k: statistics.median(v) for k, v in per.items()}
print(f"{rounds} interleaved rounds; {mib} MiB download; load average {os.getloadavg()[0]:.2f}\n")
print("| measurement | direct | bwrap, through the proxy | Landlock, through the proxy | goal |")
print("|---|---|---|---|---|")
mbs = lambda k: mib / med[k]
print(f"| throughput of one {mib} MiB download (MiB/s) | {mbs('throughput direct'):.0f} | "
      f"{mbs('throughput bwrap proxy'):.0f} ({mbs('throughput bwrap proxy') / mbs('throughput direct'):.2f}x) | "
      f"{mbs('throughput landlock proxy'):.0f} ({mbs('throughput landlock proxy') / mbs('throughput direct'):.2f}x) | >= 0.9x |")
pm = lambda k: 2 * rate / med[k]
print(f"| throughput at a link's {rate} MiB/s (curl --limit-rate; MiB/s) | {pm('paced direct'):.0f} | "
      f"{pm('paced bwrap proxy'):.0f} ({pm('paced bwrap proxy') / pm('paced direct'):.2f}x) | "
      f"{pm('paced landlock proxy'):.0f} ({pm('paced landlock proxy') / pm('paced direct'):.2f}x) | >= 0.9x |")
d = med["latency direct"]
print(f"| per-connection latency, median of 100 (ms) | {d:.3f} | "
      f"{med['latency bwrap proxy']:.3f} (+{med['latency bwrap proxy'] - d:.3f}) | "
      f"{med['latency landlock proxy']:.3f} (+{med['latency landlock proxy'] - d:.3f}) | <= +0.3 ms |")
print("\n| start-up of `sbxrun -- true` (ms) | mode = none | mode = allowlist | difference | goal |")
print("|---|---|---|---|---|")
for be in ("bwrap", "landlock"):
    diff = [a - n for a, n in zip(start[f"{be} allow"], start[f"{be} none"])]
    print(f"| {be} | {statistics.median(start[be + ' none']):.2f} | "
          f"{statistics.median(start[be + ' allow']):.2f} | {statistics.median(diff):+.2f} | <= +2 ms |")
print("\n| peak RSS of the supervising sbxrun, 200 tunnels open | | goal |\n|---|---|---|")
PY
# Peak RSS of the supervising sbxrun with 200 tunnels open (bwrap, then Landlock).
hold='
import os, socket, time
host, port = os.environ["http_proxy"].removeprefix("http://").rstrip("/").split(":")
socks = []
for _ in range(200):
    s = socket.create_connection((host, int(port)))
    s.sendall(b"CONNECT 127.0.0.1:'"$port"' HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert b" 200 " in s.recv(4096)
    socks.append(s)
open("held", "w").write("200\n")
time.sleep(3)
'
for be in bwrap landlock; do
    rm -f held
    env -i PATH=/usr/bin:/bin HOME="$W/home" TMPDIR="$W/tmp" "$SBXRUN" -q --backend $be \
        --policy "$W/allow.toml" -- python3 -c "$hold" &
    pid=$!
    for _ in $(seq 100); do [ -s held ] && break; sleep 0.1; done
    rss=$(awk '/VmHWM/ { print $2 }' /proc/$pid/status)
    wait $pid
    echo "| $be | $((rss / 1024)).$(((rss % 1024) * 10 / 1024)) MiB | <= 16 MiB |"
done
