#!/bin/bash
# A host service's unix socket FILE outside the workspace (think /run/docker.sock, an ssh or
# gpg agent, X11's /tmp/.X11-unix/X0) must not be reachable with network "none".
#
# connect(2) to a pathname socket is refused by neither a read-only bind mount (EROFS applies
# to files, directories and links, not to connecting) nor Landlock (ABI <= 7 has no right for
# it), and bwrap's private network namespace does not cover a socket reached by path. What
# closes it is network.unix_sockets = "block", the default with network "none": the seccomp
# filter refuses socket(AF_UNIX). The last check shows the hole is real when the policy opts
# out with unix_sockets = "allow" (the cost SECURITY.md and sbxrun-policy(5) document).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
LOG=$FIX/netlog
SOCK=$FIX/outside/svc.sock
: >"$LOG"
python3 - "$LOG" "$SOCK" >"$FIX/ready" 2>/dev/null <<'PY' &
import os, socket, sys
log, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX); s.bind(path); os.chmod(path, 0o777); s.listen()
print("ready", flush=True)
while True:
    c, _ = s.accept()
    with open(log, "a") as f: f.write(repr(c.recv(64)) + "\n")
    c.close()
PY
listener=$!
for _ in $(seq 50); do [ -s "$FIX/ready" ] && break; sleep 0.1; done
# log_has N: wait (bounded) until the service has logged N connections; it takes them in order,
# so one logged after the host's marker was made after it.
log_has() {
    for _ in $(seq 100); do [ "$(wc -l <"$LOG")" -ge "$1" ] && return 0; sleep 0.1; done
    return 1
}
"$PROBE" unix "$SOCK" 2>/dev/null
check "control: the host service answers outside the sandbox" log_has 1
: >"$LOG"
printf 'version = 1\n[network]\nmode = "full"\nunix_sockets = "block"\n' >"$FIX/full-block.toml"
printf 'version = 1\n[network]\nunix_sockets = "allow"\n' >"$FIX/allow.toml"
own_fix
snapshot_host

attack_errno "filesystem unix socket of a host service (default policy)" 'socket\(AF_UNIX\) refused: Address family not supported' "$PROBE unix $SOCK"
# block applies whatever the network mode: with "full" only the unix family is refused.
sbxb --policy "$FIX/full-block.toml" -- "$PROBE" unix "$SOCK"
expect_denied "$BACKEND: the same socket with mode = \"full\", unix_sockets = \"block\""
sbxb -- python3 -c 'import errno, socket
try:
    socket.socket(socket.AF_UNIX)
except OSError as e:
    raise SystemExit(0 if e.errno == errno.EAFNOSUPPORT else 3)
raise SystemExit(4)'
expect_rc 0 "$BACKEND: socket(AF_UNIX) fails with EAFNOSUPPORT, an ordinary error"
# The host's end marker: once it is logged, whatever the sandbox got through is there before it.
"$PROBE" unix "$SOCK" 2>/dev/null
log_has 1
check "the host service received nothing but the host's end marker" test "$(wc -l <"$LOG")" = 1
sed 's/^/#   received: /' "$LOG"
: >"$LOG"
check_host_unchanged

# The opt-out reopens exactly this hole: so the refusals above are the setting's doing. (Under
# Landlock ABI < 6 sbxrun refuses socket(AF_UNIX) anyway, standing in for the abstract scope.)
abi=$(python3 -c 'import ctypes; l = ctypes.CDLL(None); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$BACKEND" = landlock ] && [ "$abi" -lt 6 ]; then
    ok "# SKIP Landlock ABI $abi < 6: unix sockets are refused even with \"allow\""
else
    sbxb --policy "$FIX/allow.toml" -- "$PROBE" unix "$SOCK"
    expect_rc 0 "$BACKEND: with unix_sockets = \"allow\" the socket file is reachable (documented)"
    check "... and the host service saw that one connection" log_has 1
fi
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
done_testing
