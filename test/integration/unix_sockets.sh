#!/bin/bash
# network.unix_sockets, on both backends. "block" (the default with network "none") refuses
# socket(AF_UNIX) with EAFNOSUPPORT and leaves socketpair() working; "allow" (implied by
# mode = "full") lets the command serve and use its own unix socket inside the workspace.
# The host-service side (a socket file outside the sandbox) is tested in
# test/attacks/unix_socket_file.sh.
. "$(dirname "$0")/lib.sh"
make_workspace
printf 'version = 1\n[network]\nunix_sockets = "allow"\n' >"$FIX/allow.toml"
printf 'version = 1\n[network]\nmode = "full"\n' >"$FIX/full.toml"
printf 'version = 1\n[network]\nunix_sockets = "block"\n' >"$FIX/block.toml"
printf 'version = 1\n[process]\nenv_set = { SSH_AUTH_SOCK = "/x" }\n' >"$FIX/setsock.toml"
own_fix

pair='import socket
a, b = socket.socketpair()
a.sendall(b"ping"); print(b.recv(4).decode())'
# A server and a client of its own, on a socket file in the workspace (in src/: under Landlock
# the workspace's top level takes no new entries while .agents is kept from being created).
serve='import os, socket, threading
path = os.path.join(os.getcwd(), "src", "own.sock")
srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen(1)
def answer():
    c, _ = srv.accept(); c.sendall(c.recv(4).upper()); c.close()
threading.Thread(target=answer).start()
cli = socket.socket(socket.AF_UNIX); cli.settimeout(5); cli.connect(path)
cli.sendall(b"pong"); print(cli.recv(4).decode()); os.unlink(path)'
refused='import errno, socket
try:
    socket.socket(socket.AF_UNIX)
except OSError as e:
    print(errno.errorcode[e.errno]); raise SystemExit(0)
raise SystemExit(5)'

dgram_pair='import errno, socket
try:
    socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
except OSError as e:
    print(errno.errorcode[e.errno]); raise SystemExit(0)
print("made")'

for backend in bwrap landlock; do
    (cd "$WS" && as_runner "$SBXRUN" --backend "$backend" -- true) >/dev/null 2>&1 || {
        [ "${SBXRUN_MUST_WORK:-0}" = 1 ] && not_ok "$backend: the backend cannot run here"
        diag "$backend cannot run here as $SBXRUN_AS: skipped"; continue; }
    B=(--backend "$backend")

    # block (the default): what keeps working, and the ordinary error for what does not.
    sbx "${B[@]}" -- python3 -c "$pair"
    expect_rc 0 "$backend block (default): socketpair() works"
    check "$backend block (default): ... and carries data" test "$(cat "$OUT")" = ping
    sbx "${B[@]}" -- python3 -c "$refused"
    expect_rc 0 "$backend block (default): socket(AF_UNIX) is refused"
    check "$backend block (default): ... with EAFNOSUPPORT" test "$(cat "$OUT")" = EAFNOSUPPORT
    sbx "${B[@]}" -- python3 -c "$serve"
    expect_denied "$backend block (default): the command cannot serve its own unix socket"
    check "$backend block: nothing was left in the workspace" test ! -e "$WS/src/own.sock"
    sbx "${B[@]}" --policy "$FIX/block.toml" -- python3 -c "$pair"
    expect_rc 0 "$backend block (explicit): socketpair() works"

    # block: a datagram socketpair could still sendto() a host socket file by path (an outside
    # review reached a root datagram service that way): refused; stream pairs keep working.
    sbx "${B[@]}" -- python3 -c "$dgram_pair"
    expect_rc 0 "$backend block: socketpair(AF_UNIX, SOCK_DGRAM) is refused"
    check "$backend block: ... with EPERM" test "$(cat "$OUT")" = EPERM
    sbx "${B[@]}" --policy "$FIX/allow.toml" -- python3 -c "$dgram_pair"
    check "$backend allow: a datagram socketpair works" test "$(cat "$OUT")" = made

    # block: the variables that only name a host service's socket stay outside; allow keeps
    # them; env_set may still set one.
    export SSH_AUTH_SOCK=/run/agent.sock DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus
    sbx "${B[@]}" -- sh -c 'echo "ssh=${SSH_AUTH_SOCK-unset} dbus=${DBUS_SESSION_BUS_ADDRESS-unset}"'
    check "$backend block: SSH_AUTH_SOCK and DBUS_SESSION_BUS_ADDRESS are not passed" \
        test "$(cat "$OUT")" = "ssh=unset dbus=unset"
    sbx "${B[@]}" --policy "$FIX/allow.toml" -- sh -c 'echo "ssh=${SSH_AUTH_SOCK-unset}"'
    check "$backend allow: SSH_AUTH_SOCK is passed" test "$(cat "$OUT")" = "ssh=/run/agent.sock"
    sbx "${B[@]}" --policy "$FIX/setsock.toml" -- sh -c 'echo "ssh=${SSH_AUTH_SOCK-unset}"'
    check "$backend block: env_set can still set SSH_AUTH_SOCK" test "$(cat "$OUT")" = "ssh=/x"
    unset SSH_AUTH_SOCK DBUS_SESSION_BUS_ADDRESS

    # allow: its own server and client, inside the workspace.
    sbx "${B[@]}" --policy "$FIX/allow.toml" -- python3 -c "$serve"
    expect_rc 0 "$backend allow: the command serves and uses its own unix socket"
    check "$backend allow: ... and gets its answer" test "$(cat "$OUT")" = PONG
    sbx "${B[@]}" --policy "$FIX/full.toml" -- python3 -c "$serve"
    expect_rc 0 "$backend mode = \"full\" implies allow"
done

# --explain says which it is and why.
sbx --explain -- true
expect_rc 0 "--explain runs"
check "--explain: block, the built-in default" \
    grep -q '^unix sockets: block (built-in default): socket(AF_UNIX) is refused' "$OUT"
sbx --explain --policy "$FIX/allow.toml" -- true
check "--explain: allow, from the policy line that set it" \
    grep -qF "unix sockets: allow ($FIX/allow.toml:3: network.unix_sockets)" "$OUT"
sbx --explain --policy "$FIX/full.toml" -- true
check "--explain: allow implied by network.mode = \"full\"" \
    grep -qF "unix sockets: allow ($FIX/full.toml:3: network.mode)" "$OUT"
sbx --explain --explain-format json --policy "$FIX/block.toml" -- true
check "--explain json: unix_sockets.mode is block" python3 -c '
import json, sys; u = json.load(open(sys.argv[1]))["unix_sockets"]
assert u["mode"] == "block" and u["key"] == "network.unix_sockets" and u["line"] == 3, u' "$OUT"
sbx --print-policy
check "--print-policy: an unset value is shown as a comment, with what it follows" \
    grep -q '^# unix_sockets = "block"  # not set: follows mode' "$OUT"
done_testing
