#!/bin/bash
# network.mode = "none" tells the command so at once (issue 17, part 5): under bwrap every name
# lookup is answered "no such name" inside the sandbox (EAI_NONAME, not the retried "temporary
# failure"), each name is in the status document's denials.network and in the last line on
# stderr (-q hides it), and the answerer survives hostile queries from the command. On both
# backends the package managers are told not to retry. The host's own network is unchanged.
. "$(dirname "$0")/lib.sh"
make_workspace
lookup='import socket, sys
try:
    socket.getaddrinfo(sys.argv[1], 443)
except socket.gaierror as e:
    sys.exit(10 if e.errno == socket.EAI_NONAME else 11)
sys.exit(0)'
host_lo() { ip -o addr show dev lo 2>/dev/null; ip -o route show table local 2>/dev/null; }
lo_before=$(host_lo)

sbx --backend bwrap --status-file "$FIX/.status" -- python3 -c "$lookup" sbx-probe.example.org
expect_rc 10 "bwrap: a lookup fails at once with 'no such name' (EAI_NONAME)"
check "bwrap: the status document lists the name in denials.network" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
assert d["complete"] is False and d["filesystem"] == [] and d["dropped"] == 0, d
assert [(n["op"], n["host"]) for n in d["network"]] == [("resolve", "sbx-probe.example.org")], d
' "$FIX/.status"
check "bwrap: suggestion_policy: the allowlist with the name looked up" \
    test "$(status_field "$FIX/.status" suggestion_policy)" = 'version = 1
[network]
mode = "allowlist"
allow = ["sbx-probe.example.org"]'
check "bwrap: the last line on stderr names the lookup and why it failed" \
    sh -c "tail -n 1 '$ERR' | grep -q 'looked up sbx-probe.example.org but the policy has no network'"
sbx -q --backend bwrap -- python3 -c "$lookup" sbx-probe.example.org
check "bwrap: -q hides that line" test ! -s "$ERR"

# Many names: the first ones by name, the count of the rest; glibc's search domains do not
# matter (each name ends with a dot: asked as it is).
sbx --backend bwrap --status-file "$FIX/.status" -- python3 -c '
import socket
for i in range(70):
    try: socket.getaddrinfo("n%d.sbx-probe.example.org." % i, 80)
    except socket.gaierror: pass'
expect_rc 0 "bwrap: seventy lookups run"
check "bwrap: 64 names are kept, 6 more counted in dropped" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
hosts = [n["host"] for n in d["network"]]
assert hosts[:2] == ["n0.sbx-probe.example.org", "n1.sbx-probe.example.org"], hosts[:3]
assert len(hosts) == 64 and d["dropped"] == 6, (len(hosts), d["dropped"])
' "$FIX/.status"
check "bwrap: the last line says how many more" sh -c "tail -n 1 '$ERR' | grep -q 'and 67 more'"

# Hostile queries straight at the answerer (the name server the sandbox's resolv.conf names):
# garbage, truncated names, compression loops, a label that would forge a report line. It
# keeps answering, and the report holds only what was escaped.
sbx --backend bwrap --status-file "$FIX/.status" -- python3 -c '
import os, random, socket, struct, sys
ns = "127.0.0.1"
for line in open("/etc/resolv.conf"):
    f = line.split()
    if len(f) >= 2 and f[0] == "nameserver" and "%" not in f[1]:
        ns = f[1]; break
fam = socket.AF_INET6 if ":" in ns else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2)
rnd = random.Random(1)
junk = [b"", b"\0", b"\xff" * 12, b"\x12\x34\x01\x00\x00\x01" + b"\0" * 6 + b"\xc0\x0c\0\1\0\1",
        b"\x12\x34\x01\x00\x00\x01" + b"\0" * 6 + b"\x3f" + b"a" * 10]
junk += [bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 600))) for _ in range(300)]
for j in junk:
    s.sendto(j, (ns, 53))
def ask(name_labels):
    q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0)
    for l in name_labels: q += bytes([len(l)]) + l
    q += b"\0\0\1\0\1"
    # Asked again after a silence, as resolvers do: the junk may have filled the answerer'"'"'s
    # socket buffer (a datagram that does not fit is dropped), on a loaded machine.
    for _ in range(10):
        s.sendto(q, (ns, 53))
        try:
            while True:
                r, _ = s.recvfrom(2048)
                if r[:2] == b"\0\7": return r
        except socket.timeout:
            pass
    sys.exit(13)
r = ask([b"evil\n+1\nx", b"org"])
sys.exit(0 if r[3] & 0xF == 3 else 12)'
expect_rc 0 "bwrap: the answerer survives 305 hostile datagrams and still answers NXDOMAIN"
check "bwrap: a name with a newline and '+' is reported escaped, forging nothing" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
assert [n["host"] for n in d["network"]] == ["evil\\n+1\\nx.org"], d
assert d["dropped"] == 0, d
' "$FIX/.status"
# Escaped once, as the document has it: each layer escaping again showed \x5cx0a.
check "bwrap: the last line on stderr shows that name escaped once" \
    sh -c "tail -n 1 '$ERR' | grep -qF 'looked up evil\\n+1\\nx.org but'"

# The answerer parses what the command sends; it runs under one more seccomp filter than
# sbxrun-inner (no new socket, no other process's memory: build_helper_filter).
# (Looked for until found: the answerer names itself just after its fork, and a scan made in
# between missed it once in a full suite run.)
sbx --backend bwrap -- sh -c '
for i in $(seq 50); do
    for p in /proc/[0-9]*; do
        case "$(cat $p/comm 2>/dev/null)" in
            sbxrun-dns) sed -n "s/^Seccomp_filters:[[:space:]]*//p" $p/status; found=1 ;;
        esac
    done
    [ -n "$found" ] && break
    sleep 0.1
done
sed -n "s/^Seccomp_filters:[[:space:]]*//p" /proc/1/status'
check "bwrap: the answerer has a filter more than sbxrun-inner ($(tr '\n' ' ' <"$OUT"))" \
    sh -c 'set -- $(cat "$1"); [ $# = 2 ] && [ "$1" -gt "$2" ]' _ "$OUT"

# The answerer is killed from inside: lookups still fail at once (refused), the run is normal.
# (It is sbxrun-inner, exec'ed as /proc/self/fd/N, and not pid 1.)
sbx --backend bwrap -- sh -c '
killed=0
for p in /proc/[0-9]*; do
    case "$(tr "\0" " " <$p/cmdline 2>/dev/null)" in
        /proc/self/fd/*) [ "${p#/proc/}" != 1 ] && kill -9 "${p#/proc/}" && killed=$((killed + 1)) ;;
    esac
done
echo "killed=$killed"
python3 -c "$0" sbx-probe.example.org; echo "rc=$?"' "$lookup"
expect_rc 0 "bwrap: killing the answerer from inside ends nothing else"
check "bwrap: the answerer was found and killed" grep -qx killed=1 "$OUT"
check "bwrap: lookups then fail without it (temporary failure: nothing answers)" grep -qx rc=11 "$OUT"

# With the network on there is no answerer, no report and no retry settings.
printf 'version = 1\n[network]\nmode = "full"\n' >"$FIX/full.toml"; own_fix
sbx --policy "$FIX/full.toml" --backend bwrap --status-file "$FIX/.status" -- \
    sh -c 'env | grep -c -e ^npm_config_fetch_retries= -e ^PIP_RETRIES= || true'
expect_rc 0 "network full: runs"
check "network full: no retry settings are added" grep -qx 0 "$OUT"
check "network full: denials.network is empty" python3 -c '
import json, sys; assert json.load(open(sys.argv[1]))["denials"]["network"] == []' "$FIX/.status"
check "network full: no lookup line" sh -c "! grep -q 'looked up' '$ERR'"

for BACKEND in bwrap landlock; do
    sbx --backend "$BACKEND" -- env
    expect_rc 0 "$BACKEND: env runs"
    for v in npm_config_fetch_retries=0 PIP_RETRIES=0 CARGO_NET_RETRY=0 UV_HTTP_RETRIES=0; do
        check "$BACKEND: the command gets $v" grep -qx "$v" "$OUT"
    done
    (cd "$WS" && as_runner env PIP_RETRIES=3 "$SBXRUN" --backend "$BACKEND" -- env) >"$OUT" 2>"$ERR"
    check "$BACKEND: the caller's own PIP_RETRIES=3 is kept" sh -c "grep -qx PIP_RETRIES=3 '$OUT' && ! grep -qx PIP_RETRIES=0 '$OUT'"
    sbx --backend "$BACKEND" -- python3 -c "$lookup" sbx-probe.example.org
    check "$BACKEND: the lookup fails (exit $RC)" test "$RC" = 10 -o "$RC" = 11
done

check "the host's loopback addresses and local routes are unchanged" test "$(host_lo)" = "$lo_before"
done_testing
