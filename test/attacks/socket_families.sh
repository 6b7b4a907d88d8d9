#!/bin/bash
# Network "none": address families a network namespace does not isolate are refused on both
# backends (EAFNOSUPPORT). AF_VSOCK reaches the hypervisor and other guests from any netns, so
# under bwrap the private namespace alone left it open. The others are refused by the same
# allowlist; where this kernel lacks a family the host line says so (it then proves less).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host

# number name: AF_VSOCK 40, AF_BLUETOOTH 31, AF_ALG 38, AF_TIPC 30, AF_PACKET 17, AF_RDS 21,
# AF_CAN 29, AF_XDP 44, a number over AF_MAX.
for fam in 40:AF_VSOCK 31:AF_BLUETOOTH 38:AF_ALG 30:AF_TIPC 17:AF_PACKET 21:AF_RDS 29:AF_CAN \
    44:AF_XDP 200:over-AF_MAX; do
    n=${fam%%:*} name=${fam#*:}
    diag "$name on the host: $(as_runner "$PROBE" socket "$n")"
    sbxb -- "$PROBE" socket "$n"
    if [ "$RC" = 1 ] && [ "$(cat "$OUT")" = EAFNOSUPPORT ]; then
        ok "$BACKEND: socket($name) refused with EAFNOSUPPORT"
    else
        not_ok "$BACKEND: socket($name) refused with EAFNOSUPPORT (exit $RC, said: $(cat "$OUT"))"
    fi
done

# What the namespace does isolate still works under bwrap: TCP over the sandbox's own loopback.
if [ "$BACKEND" = bwrap ]; then
    sbxb -- python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b"ping"); assert a.recv(4) == b"ping"; print("loopback ok")'
    expect_rc 0 "$BACKEND: TCP over the private loopback still works"
fi
check_host_unchanged
done_testing
