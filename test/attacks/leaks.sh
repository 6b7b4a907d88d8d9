#!/bin/bash
# Leaks: the caller's open descriptors and the secrets named by env_unset do not reach the command.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
echo secret >"$FIX/outside/secret"; own_fix
snapshot_host
exec 3<"$FIX/outside/secret" 4>>"$FIX/outside/file.txt" 5<"$FIX/outside" 6<"$FIX/outside/secret" \
     7>>"$FIX/outside/file.txt" 8<"$FIX/outside/secret" 9>>"$FIX/outside/file.txt"
sbxb -- sh -c 'ls /proc/self/fd'
expect_rc 0 "$BACKEND: listing the command's fds works"
fds=$(grep -v '^3$' "$OUT" | sort -n | tr '\n' ' ')
check "$BACKEND: only 0 1 2 reach the command (saw: $fds)" test "$fds" = "0 1 2 "
for fd in 3 6 8; do attack_errno "read the caller's fd $fd" "$fd: Bad file descriptor" "cat <&$fd"; done
for fd in 4 7 9; do attack_errno "write the caller's fd $fd" "$fd: Bad file descriptor" "echo x >&$fd"; done
attack_errno "use the caller's directory fd 5" '/proc/self/fd/5/.: No such file or directory' "ls /proc/self/fd/5/"
exec 3<&- 4>&- 5<&- 6<&- 7>&- 8<&- 9>&-

printf 'version = 1\n[process]\nenv_unset = ["*_TOKEN", "AWS_SECRET_ACCESS_KEY"]\n' >"$FIX/env.toml"; own_fix
export MY_TOKEN=s3cr3t-token GITHUB_TOKEN=s3cr3t-gh AWS_SECRET_ACCESS_KEY=s3cr3t-aws
sbxb --policy "$FIX/env.toml" -- sh -c 'env; cat /proc/self/environ | tr "\0" "\n"'
expect_rc 0 "$BACKEND: the environment can be read"
check "$BACKEND: no env_unset secret reaches the command" sh -c "! grep -q s3cr3t '$OUT'"
check "$BACKEND: other variables still do" grep -q '^HOME=' "$OUT"
unset MY_TOKEN GITHUB_TOKEN AWS_SECRET_ACCESS_KEY
# Planting a credential the host will read: a denied path that does not exist yet (here the
# target of a dangling ~/.ssh link into the workspace, and a workspace .env) must not be
# creatable from inside, or an ssh config with a ProxyCommand would run outside any sandbox.
ln -s "$WS/keys" "$FIX/home/.ssh"
printf 'version = 1\n[filesystem]\ndeny = ["~/.ssh", "${workspace}/.env"]\n' >"$FIX/deny.toml"; own_fix
sbxb --policy "$FIX/deny.toml" -- sh -c 'mkdir -p keys && printf "Host *\n  ProxyCommand touch /tmp/pwned\n" >keys/config'
expect_denied "$BACKEND: creating the missing target of a denied link is refused"
sbxb --policy "$FIX/deny.toml" -- sh -c 'echo TOKEN=planted >.env'
expect_denied "$BACKEND: creating a missing denied file is refused"
check "$BACKEND: no keys/ on the host" test ! -e "$WS/keys" -a ! -L "$WS/keys"
check "$BACKEND: no .env on the host" test ! -e "$WS/.env" -a ! -L "$WS/.env"
check "$BACKEND: ~/.ssh still points where it did" test "$(readlink "$FIX/home/.ssh")" = "$WS/keys"
rm -f "$FIX/home/.ssh"
check_host_unchanged
done_testing
