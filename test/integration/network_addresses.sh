#!/bin/bash
# Connections to addresses are reported too (issue 15), not only names: under bwrap with
# network.mode "none" or "allowlist", a connect(2), sendto(2), sendmsg(2) or sendmmsg(2) to an
# address the sandbox's network namespace has no route to is one entry of denials.network
# (op "connect" or "send", host, port, rule "network.mode", count) and part of the last line
# on stderr (-q hides it). Loopback (the proxy's listener, the name answerer, the command's own
# servers) is not a refusal and is not listed; network.mode = "full" lists nothing. Hostile
# calls (bad pointers, huge vectors, short addresses) neither stop the run nor the report.
# Only TEST-NET and documentation addresses are named: nothing can leave the machine even where
# the host has a route.
. "$(dirname "$0")/lib.sh"
make_workspace
host_net() { ip -o addr show 2>/dev/null; ip -o route show table all 2>/dev/null; }
net_before=$(host_net)

# Each call the report must see, and two it must not (loopback).
calls='
import ctypes, socket, sys
def tcp(fam, addr):
    s = socket.socket(fam); s.settimeout(0.5)
    try: s.connect(addr)
    except OSError: pass
    s.close()
tcp(socket.AF_INET, ("192.0.2.1", 9))
tcp(socket.AF_INET, ("192.0.2.1", 9))
tcp(socket.AF_INET6, ("2001:db8::1", 80))
tcp(socket.AF_INET6, ("::ffff:192.0.2.2", 81))
tcp(socket.AF_INET, ("127.0.0.1", 1))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for addr in [("198.51.100.1", 53), ("127.0.0.1", 9)]:
    try: u.sendto(b"x", addr)
    except OSError: pass
try: u.sendmsg([b"x"], [], 0, ("198.51.100.2", 123))
except OSError: pass
# sendmmsg: two messages, each to its own address.
libc = ctypes.CDLL(None, use_errno=True)
class sockaddr_in(ctypes.Structure):
    _fields_ = [("family", ctypes.c_ushort), ("port", ctypes.c_ubyte * 2),
                ("addr", ctypes.c_ubyte * 4), ("zero", ctypes.c_ubyte * 8)]
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint), ("iov", ctypes.c_void_p),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p),
                ("controllen", ctypes.c_size_t), ("flags", ctypes.c_int)]
class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]
buf = ctypes.create_string_buffer(b"x")
iov = iovec(ctypes.cast(buf, ctypes.c_void_p), 1)
addrs = [sockaddr_in(socket.AF_INET, (0, 7), (203, 0, 113, a)) for a in (1, 2)]
vec = (mmsghdr * 2)()
for i, a in enumerate(addrs):
    vec[i].hdr.name = ctypes.addressof(a); vec[i].hdr.namelen = 16
    vec[i].hdr.iov = ctypes.addressof(iov); vec[i].hdr.iovlen = 1
libc.sendmmsg(u.fileno(), vec, 2, 0)
'
check_listed() {  # check_listed DESCRIPTION WHY-PREFIX: the status document lists exactly these
    check "$1" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
got = [(n["op"], n["host"], n["port"], n["count"], n["rule"]) for n in d["network"]]
want = [("connect", "192.0.2.1", 9, 2, "network.mode"), ("connect", "2001:db8::1", 80, 1, "network.mode"),
        ("connect", "192.0.2.2", 81, 1, "network.mode"), ("send", "198.51.100.1", 53, 1, "network.mode"),
        ("send", "198.51.100.2", 123, 1, "network.mode"), ("send", "203.0.113.1", 7, 1, "network.mode"),
        ("send", "203.0.113.2", 7, 1, "network.mode")]
assert got == want, got
assert all(n["why"].startswith(sys.argv[2]) for n in d["network"]), d["network"]
assert d["filesystem"] == [] and d["dropped"] == 0, d
' "$FIX/.status" "$2"
}

sbx --backend bwrap --status-file "$FIX/.status" -- python3 -c "$calls"
expect_rc 0 "bwrap, network none: the calls run"
check_listed "bwrap, network none: each address in denials.network, once, with its count" \
    'network.mode is "none"'
check "bwrap, network none: suggestion_policy never names an address" \
    test "$(status_field "$FIX/.status" suggestion_policy)" = null
check "bwrap, network none: the last line on stderr names the addresses" sh -c \
    "tail -n 1 '$ERR' | grep -q 'refused 8 connections or datagrams to addresses: 192.0.2.1:9, \[2001:db8::1\]:80, 192.0.2.2:81 and 4 more (network.mode = \"none\")'"
sbx -q --backend bwrap -- python3 -c "$calls"
check "bwrap: -q hides that line" test ! -s "$ERR"

# The allowlist: the same calls around the proxy are listed with its reason; the proxy's own
# listener (loopback) is not.
cat >"$FIX/allow.toml" <<'EOF'
version = 1
[network]
mode = "allowlist"
allow = ["sbx-probe.example.org"]
EOF
own_fix
sbx --backend bwrap --policy "$FIX/allow.toml" --status-file "$FIX/.status" -- python3 -c "$calls
import os, urllib.parse
p = urllib.parse.urlsplit(os.environ[\"HTTP_PROXY\"])
tcp(socket.AF_INET, (p.hostname, p.port))"
expect_rc 0 "bwrap, network allowlist: the calls run"
check_listed "bwrap, network allowlist: each address listed, the proxy not" \
    'network.mode is "allowlist": connections go through the proxy'

# Full network: nothing is refused, nothing is watched.
cat >"$FIX/full.toml" <<'EOF'
version = 1
[network]
mode = "full"
EOF
own_fix
sbx --backend bwrap --policy "$FIX/full.toml" --status-file "$FIX/.status" -- python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: u.sendto(b"x", ("127.0.0.1", 9))
except OSError: pass'
expect_rc 0 "bwrap, network full: runs"
check "bwrap, network full: denials.network is empty" python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["denials"]["network"] == []' "$FIX/.status"

# Hostile calls: addresses at bad pointers, lengths past any address, an unterminated vector
# of 100000 messages, a short address, a family that is not IP, a message whose name points
# into unmapped memory. The run finishes and a later call is still reported.
sbx --backend bwrap --status-file "$FIX/.status" -- python3 -c '
import ctypes, mmap, socket
libc = ctypes.CDLL(None, use_errno=True)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = socket.socket(socket.AF_INET)
bad = ctypes.c_void_p(0x10)
libc.connect(t.fileno(), bad, 16)
libc.connect(t.fileno(), bad, 0x7fffffff)
libc.sendto(u.fileno(), b"x", 1, 0, bad, 16)
short = ctypes.create_string_buffer(b"\x02\x00\x00\x07\xc0\x00\x02", 7)
libc.sendto(u.fileno(), b"x", 1, 0, short, 7)
unix = ctypes.create_string_buffer(b"\x01\x00/tmp/x\x00", 16)
libc.sendto(u.fileno(), b"x", 1, 0, unix, 16)
m = mmap.mmap(-1, 4096)
base = ctypes.addressof(ctypes.c_char.from_buffer(m))
libc.sendmmsg(u.fileno(), ctypes.c_void_p(base), 100000, 0)
libc.sendmsg(u.fileno(), bad, 0)
hdr = (ctypes.c_ubyte * 56)()
ctypes.c_void_p.from_buffer(hdr, 0).value = 0x7ff0000000
ctypes.c_uint.from_buffer(hdr, 8).value = 16
libc.sendmsg(u.fileno(), hdr, 0)
try: u.sendto(b"x", ("192.0.2.9", 99))
except OSError: pass'
expect_rc 0 "bwrap: hostile network calls do not stop the run"
check "bwrap: after them, the next refused address is still listed (and only it)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
assert [(n["op"], n["host"], n["port"]) for n in d["network"]] == [("send", "192.0.2.9", 99)], d
' "$FIX/.status"

# Bounded: 300 distinct addresses keep 256 entries; the rest is counted in dropped.
sbx --backend bwrap --status-file "$FIX/.status" -- python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(300):
    try: u.sendto(b"x", ("198.18.%d.%d" % (i // 250, i % 250 + 1), 9))
    except OSError: pass'
expect_rc 0 "bwrap: 300 addresses run"
check "bwrap: 256 listed, 44 dropped" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
assert len(d["network"]) == 256 and d["dropped"] == 44, (len(d["network"]), d["dropped"])
' "$FIX/.status"

# Landlock has no network namespace: with network none the command cannot make an IP socket at
# all, so no address exists to report; each refused internet socket is listed instead (op
# "socket", by family), so that a harness still learns the command wanted the network. Other
# families stay refused by the filter alone, unlisted; unix sockets are not the network.
sbx --backend landlock --status-file "$FIX/.status" -- python3 -c '
import errno, socket
got = []
for fam, typ in [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
                 (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_PACKET, socket.SOCK_RAW),
                 (socket.AF_NETLINK, socket.SOCK_RAW)]:
    try:
        socket.socket(fam, typ).close(); got.append("made")
    except OSError as e:
        got.append(errno.errorcode[e.errno])
assert got == ["EAFNOSUPPORT"] * 5, got'
expect_rc 0 "landlock, network none: every internet socket is refused (EAFNOSUPPORT), as before"
check "landlock: denials.network lists the internet sockets by family, with counts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
got = [(n["op"], n["family"], n["count"], n["rule"]) for n in d["network"]]
assert got == [("socket", "inet", 2, "network.mode"), ("socket", "inet6", 1, "network.mode")], got
' "$FIX/.status"
check "landlock: the last line on stderr says the command wanted the network" sh -c \
    "tail -n 1 '$ERR' | grep -q 'refused 3 internet sockets: the command wanted the network (network.mode = \"none\")'"

check "the host's addresses and routes are unchanged" test "$(host_net)" = "$net_before"
done_testing
