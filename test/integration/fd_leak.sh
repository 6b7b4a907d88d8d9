#!/bin/bash
# No descriptor of the caller reaches the command: only 0, 1 and 2.
. "$(dirname "$0")/lib.sh"
make_workspace
echo secret >"$FIX/outside/secret"; own_fix
exec 7<"$FIX/outside/secret" 8>"$FIX/outside/w" 9<"$FIX/outside"
sbx -- sh -c 'ls /proc/self/fd'
expect_rc 0 "listing the command's fds works"
fds=$(grep -v '^3$' "$OUT" | sort -n | tr '\n' ' ')
check "only 0 1 2 reach the command (saw: $fds)" test "$fds" = "0 1 2 "
sbx -- sh -c 'cat <&7'
expect_denied "an inherited read fd is not usable"
exec 7<&- 8>&- 9<&-
done_testing
