#!/bin/bash
# Network "none": nothing reaches the host's loopback services, unix sockets, netlink, io_uring.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host
LOG=$FIX/netlog
SOCK=$FIX/svc.sock
ABSTRACT=sbxrun-attack-$$-$RANDOM
: >"$LOG"
# Host services: TCP and UDP on 127.0.0.1, a socket file outside the workspace (open to all),
# and an abstract unix socket. Whatever they receive is logged.
python3 - "$LOG" "$SOCK" "$ABSTRACT" >"$FIX/ports" 2>/dev/null <<'PY' &
import os, socket, sys, threading
log, path, abstract = sys.argv[1], sys.argv[2], sys.argv[3]
def note(kind, data):
    with open(log, "a") as f: f.write(f"{kind} {data!r}\n")
def serve(s, kind):
    while True:
        c, _ = s.accept(); note(kind, c.recv(64)); c.close()
tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0))
fs = socket.socket(socket.AF_UNIX); fs.bind(path); os.chmod(path, 0o777); fs.listen()
ab = socket.socket(socket.AF_UNIX); ab.bind("\0" + abstract); ab.listen()
for s, k in ((tcp, "tcp"), (fs, "unix-file"), (ab, "unix-abstract")):
    threading.Thread(target=serve, args=(s, k), daemon=True).start()
print(tcp.getsockname()[1], udp.getsockname()[1], flush=True)
while True:
    note("udp", udp.recvfrom(64)[0])
PY
listener=$!
for _ in $(seq 50); do [ -s "$FIX/ports" ] && break; sleep 0.1; done
read -r tcp_port udp_port <"$FIX/ports" || true
[ -n "${tcp_port:-}" ] || { echo "Bail out! the host listener did not start"; exit 1; }
# log_has N: wait (bounded) until the listener has logged N messages; each service handles its
# clients in order, so a message logged after another was sent after it.
log_has() {
    for _ in $(seq 100); do [ "$(wc -l <"$LOG")" -ge "$1" ] && return 0; sleep 0.1; done
    return 1
}
# Control: the listeners work from the host, then the log is cleared.
"$PROBE" tcp "$tcp_port" 2>/dev/null && "$PROBE" unix "@$ABSTRACT" 2>/dev/null
check "control: the host services answer outside the sandbox" log_has 2
: >"$LOG"
snapshot_host

attack_errno "TCP to the host's loopback" "$(pick 'connect refused: Connection refused' 'socket\(AF_INET, SOCK_STREAM\) refused: Address family not supported')" "$PROBE tcp $tcp_port"
sbxb -- "$PROBE" udp "$udp_port"   # a UDP send "succeeds" into a private netns: judge by the log
attack_errno "abstract unix socket of a host service" 'socket\(AF_UNIX\) refused: Address family not supported' "$PROBE unix @$ABSTRACT"
# (the socket file outside the workspace is attacked in unix_socket_file.sh)
attack_errno "io_uring_setup" 'io_uring_setup refused: Operation not permitted' "$PROBE io_uring"
if [ "$BACKEND" = bwrap ]; then
    # netlink works, but in the sandbox's own network namespace: only lo is there.
    sbxb -- "$PROBE" ifaces
    check "$BACKEND: netlink sees a private network namespace (only lo): $(tr '\n' ' ' <"$OUT")" \
        test "$(cat "$OUT")" = lo
else
    attack_errno "socket(AF_NETLINK)" 'socket\(AF_NETLINK\) refused: Address family not supported' "$PROBE netlink"
fi
# End markers from the host on each service the sandbox tried: once all three are logged, anything
# the sandbox got through would have been logged before them, so exactly three lines remain.
"$PROBE" tcp "$tcp_port" 2>/dev/null; "$PROBE" udp "$udp_port" 2>/dev/null
"$PROBE" unix "@$ABSTRACT" 2>/dev/null
log_has 3
check "the host services received nothing but the host's end markers" \
    test "$(cut -d' ' -f1 "$LOG" | LC_ALL=C sort | tr '\n' ' ')" = "tcp udp unix-abstract "
sed 's/^/#   received: /' "$LOG"
check_host_unchanged
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
done_testing
