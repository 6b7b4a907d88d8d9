#!/bin/bash
# Issue 17, part 3: what filesystem.caches saves. `pip install` and `npm ci` from a local index
# (a python http.server on 127.0.0.1 serving generated packages: nothing leaves the machine),
# run in the sandbox (bwrap, network.mode = "full" to reach the index) three ways:
#   no-cache   filesystem.caches = []: the tools' caches in $HOME are read-only, so pip
#              downloads everything again at every run (warning that it cannot cache) and
#              npm ci fails outright (said, not timed);
#   cold       the default private cache, emptied before every run;
#   warm       the default private cache, filled by the run before.
# Whole processes, with hyperfine.
#   usage: bench/caches.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_RUNS (hyperfine runs per command, default 10), BENCH_PACKAGES (packages of
# each kind, default 20), BENCH_PACKAGE_KB (size of each, default 2048).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
SBXRUN=$build/src/sbxrun
runs=${BENCH_RUNS:-10}
count=${BENCH_PACKAGES:-20}
kb=${BENCH_PACKAGE_KB:-2048}
for tool in hyperfine npm; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
python3 -m pip --version >/dev/null 2>&1 || { echo "bench: python3 -m pip is missing" >&2; exit 1; }

W=$(mktemp -d /tmp/sbxrun-bench-caches.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/home" "$W/cfg" "$W/tmp" "$W/ws" "$W/index"
export HOME=$W/home XDG_CONFIG_HOME=$W/cfg TMPDIR=$W/tmp
unset SBXRUN_POLICY XDG_CACHE_HOME PIP_CACHE_DIR npm_config_cache

# The index: a free port, then the packages with that port in their URLs.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$W/index" "$port" "$count" "$kb" <<'PY'
import base64, hashlib, io, json, os, sys, tarfile, zipfile
root, port, count, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base = "http://127.0.0.1:%d" % port
for i in range(count):
    blob = os.urandom(kb * 1024)  # random: no compression makes a download cheaper
    # A wheel (PEP 427) in a PEP 503 simple index.
    name = "sbxbenchpy%02d" % i
    files = {name + "/__init__.py": b"", name + "/blob.bin": blob,
             name + "-1.0.dist-info/METADATA": ("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % name).encode(),
             name + "-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join("%s,sha256=%s,%d\n" % (k, base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b"=").decode(), len(v))
                     for k, v in files.items())
    files[name + "-1.0.dist-info/RECORD"] = (record + name + "-1.0.dist-info/RECORD,,\n").encode()
    whl = "%s-1.0-py3-none-any.whl" % name
    d = os.path.join(root, "simple", name)
    os.makedirs(d)
    with zipfile.ZipFile(os.path.join(d, whl), "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write('<a href="%s">%s</a>\n' % (whl, whl))
    # An npm package: the packument at /<name>, the tarball beneath it.
    name = "sbxbenchjs%02d" % i
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz", compresslevel=1) as t:
        for path, data in (("package/package.json", json.dumps({"name": name, "version": "1.0.0"}).encode()),
                           ("package/blob.bin", blob)):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    data = tgz.getvalue()
    os.makedirs(os.path.join(root, name, "-"))
    with open(os.path.join(root, name, "-", name + "-1.0.0.tgz"), "wb") as f:
        f.write(data)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    doc = {"name": name, "dist-tags": {"latest": "1.0.0"},
           "versions": {"1.0.0": {"name": name, "version": "1.0.0",
                                  "dist": {"tarball": "%s/%s/-/%s-1.0.0.tgz" % (base, name, name),
                                           "integrity": integrity}}}}
    # http.server serves /<name> from a file, /<name>/-/... from the directory beside it.
    with open(os.path.join(root, name + ".json"), "w") as f:
        json.dump(doc, f)
PY
# /<name> must answer with the packument: a tiny handler that maps it to <name>.json.
python3 - "$W/index" "$port" >/dev/null 2>&1 <<'PY' &
import http.server, os, sys
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def translate_path(self, path):
        p = super().translate_path(path)
        return p + ".json" if os.path.isfile(p + ".json") else p
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
server=$!
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/simple/')" 2>/dev/null && break; sleep 0.1; done

# The npm project and its lock file, made outside the sandbox.
deps=$(python3 -c "import json; print(json.dumps({'sbxbenchjs%02d' % i: '1.0.0' for i in range($count)}))")
printf '{"name": "bench", "version": "1.0.0", "dependencies": %s}\n' "$deps" >"$W/ws/package.json"
(cd "$W/ws" && npm install --registry "http://127.0.0.1:$port/" --cache "$W/tmp/lock-cache" \
    --no-audit --no-fund --package-lock-only >/dev/null 2>&1)
rm -rf "$W/tmp/lock-cache"
pkgs=$(seq -f 'sbxbenchpy%02g' 0 $((count - 1)) | tr '\n' ' ')

printf 'version = 1\n[network]\nmode = "full"\n' >"$W/full.toml"
printf 'version = 1\n[network]\nmode = "full"\n[filesystem]\ncaches = []\n' >"$W/nocache.toml"
cd "$W/ws"
cache_dir=$("$SBXRUN" --policy "$W/full.toml" --explain | sed -n 's/^caches: .* in \([^ ]*\).*/\1/p')
# The interpreter itself, not a pyenv shim (which rehashes after an install, in a read-only place).
py=$(python3 -c 'import sys; print(sys.executable)')
if [ -n "${BENCH_SETUP_ONLY:-}" ]; then  # for debugging: the fixture, then a shell in it
    trap - EXIT
    echo "W=$W port=$port server=$server cache_dir=$cache_dir"
    exit 0
fi
pip="$py -m pip install -q --no-deps --disable-pip-version-check --index-url http://127.0.0.1:$port/simple --target $W/ws/pt $pkgs"
npm="npm ci --loglevel=error --no-audit --no-fund --registry http://127.0.0.1:$port/"
hyperfine ${BENCH_HYPERFINE_ARGS:-} --warmup 1 --runs "$runs" --export-markdown "$W/pip.md" \
    --prepare "rm -rf '$W/ws/pt'" \
    -n no-cache "$SBXRUN --policy $W/nocache.toml -- $pip" \
    --prepare "rm -rf '$W/ws/pt' '$cache_dir'" \
    -n cold "$SBXRUN --policy $W/full.toml -- $pip" \
    --prepare "rm -rf '$W/ws/pt'" \
    -n warm "$SBXRUN --policy $W/full.toml -- $pip"
# Without a writable cache npm ci does not work at all (it cannot write ~/.npm): said, not timed.
npm_nocache="works"
rc=0
"$SBXRUN" -q --policy "$W/nocache.toml" -- $npm >"$W/npm-nocache.log" 2>&1 || rc=$?
[ $rc = 0 ] || npm_nocache="fails (exit $rc): npm cannot work without a writable cache"
rm -rf "$W/ws/node_modules"
# Output to a file: npm ci exits 243 when its output is /dev/null (hyperfine's default).
hyperfine ${BENCH_HYPERFINE_ARGS:-} --warmup 1 --runs "$runs" --export-markdown "$W/npm.md" \
    --output "$W/npm.log" \
    --prepare "rm -rf '$W/ws/node_modules' '$cache_dir'" \
    -n cold "$SBXRUN --policy $W/full.toml -- $npm" \
    --prepare "rm -rf '$W/ws/node_modules'" \
    -n warm "$SBXRUN --policy $W/full.toml -- $npm" || { tail -40 "$W/npm.log"; exit 1; }
echo "## pip install: $count wheels of $kb KiB from a local index"; cat "$W/pip.md"
echo "## npm ci: $count packages of $kb KiB from a local registry"
echo "no-cache: $npm_nocache"; echo; cat "$W/npm.md"
