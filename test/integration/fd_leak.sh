#!/bin/bash
# No descriptor of the caller reaches the command: only 0, 1 and 2, on both backends. Under
# Landlock the command is sbxrun's own child, which held the plan's descriptors, the ruleset and
# the report pipe until its exec: none of them may survive it either.
. "$(dirname "$0")/lib.sh"
make_workspace
echo secret >"$FIX/outside/secret"; own_fix
exec 7<"$FIX/outside/secret" 8>"$FIX/outside/w" 9<"$FIX/outside"
backends=(bwrap)
ll_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$ll_abi" -ge 1 ]; then backends+=(landlock); else diag "no Landlock on this kernel: bwrap only"; fi
for b in "${backends[@]}"; do
    sbx --backend "$b" -- sh -c 'ls /proc/self/fd'
    expect_rc 0 "$b: listing the command's fds works"
    fds=$(grep -v '^3$' "$OUT" | sort -n | tr '\n' ' ')
    check "$b: only 0 1 2 reach the command (saw: $fds)" test "$fds" = "0 1 2 "
    sbx --backend "$b" -- sh -c 'cat <&7'
    expect_denied "$b: an inherited read fd is not usable"
done
exec 7<&- 8>&- 9<&-
done_testing
