#!/bin/bash
# network.mode = "none": a TCP connect to a listener on the host's loopback fails, and the
# listener sees nothing. mode = "full" reaches it (so the test can fail).
. "$(dirname "$0")/lib.sh"
make_workspace
python3 - "$FIX/port" "$FIX/seen" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5); s.settimeout(20)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
seen = 0
end = time.time() + 20
while time.time() < end:
    try:
        c, _ = s.accept(); seen += 1; c.close()
        open(sys.argv[2], "w").write(str(seen))
    except socket.timeout:
        break
PY
listener=$!
for _ in $(seq 50); do [ -s "$FIX/port" ] && break; sleep 0.1; done
port=$(cat "$FIX/port")
connect="import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=3)"

sbx -- python3 -c "$connect" "$port"
expect_denied "TCP to the host's loopback fails under network none"
check "the listener saw nothing" test ! -e "$FIX/seen"

sbx -- python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('127.0.0.1', int('$port')))"
diag "udp send inside the sandbox exit $RC (private loopback: allowed but goes nowhere)"

printf 'version = 1\n[network]\nmode = "full"\n' >"$FIX/full.toml"; own_fix
sbx --policy "$FIX/full.toml" -- python3 -c "$connect" "$port"
expect_rc 0 "TCP to the host's loopback works under network full"
check "the listener saw that one" test "$(cat "$FIX/seen" 2>/dev/null)" = 1
# mode = "allowlist": the command runs, but a direct connect (even to an address the allowlist
# names) goes nowhere: only the proxy leads out (network_allowlist.sh).
printf 'version = 1\n[network]\nmode = "allowlist"\nallow = ["127.0.0.1"]\nports = [%s]\n' \
    "$port" >"$FIX/allowlist.toml"; own_fix
sbx --backend bwrap --policy "$FIX/allowlist.toml" -- python3 -c "$connect" "$port"
expect_denied "allowlist under bwrap: a direct TCP connect to the host's loopback fails"
kernel_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$kernel_abi" -ge 4 ]; then
    # Landlock confines TCP to the proxy's port, which is not this one.
    sbx --backend landlock --policy "$FIX/allowlist.toml" -- python3 -c "$connect" "$port"
    expect_denied "allowlist under landlock: a direct TCP connect to the host's loopback fails"
else
    diag "Landlock ABI $kernel_abi < 4: allowlist checked on bwrap only"
fi
check "the listener saw only the full-network connect" test "$(cat "$FIX/seen" 2>/dev/null)" = 1
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
done_testing
