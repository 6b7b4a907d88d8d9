#!/bin/bash
# Privilege: setuid binaries, user namespaces, mounts, ptrace/kill of processes outside, TIOCSTI.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host

# A setuid-root copy of the probe: exec'ing it must not give root or any capability
# (no_new_privs, empty bounding set). Control: outside the sandbox it does give them.
mkdir -p "$FIX/suid"; chmod 755 "$FIX/suid"
cp "$PROBE" "$FIX/suid/probe"; chown root:root "$FIX/suid/probe"; chmod 4755 "$FIX/suid/probe"
if [ "$SBXRUN_AS" = user ]; then
    as_runner "$FIX/suid/probe" caps 2>/dev/null
    check "control: the setuid probe gains root outside the sandbox" test $? = 0
fi
attack_errno "setuid-root binary gains no privilege" 'privilege gain refused' "$FIX/suid/probe caps"
attack_errno "plain exec gains no capability" 'privilege gain refused' "$PROBE caps"
attack_errno "unshare -Ur (nested user namespace)" 'unshare failed: Operation not permitted' "unshare -Ur true"
attack_errno "unshare(CLONE_NEWUSER)" 'unshare\(CLONE_NEWUSER\) refused: Operation not permitted' "$PROBE unshare-user"
attack_errno "mount a tmpfs (mount(8))" 'mount: .*(permission denied|must be superuser to use mount)' "mount -t tmpfs none src"
attack_errno "mount a tmpfs (mount(2))" 'mount\(tmpfs\) refused: Operation not permitted' "$PROBE mount-tmpfs src"
attack_errno "unmount the pinned link" 'umount2 refused: Operation not permitted' "$PROBE umount .codex"
attack_errno "unmount the protected .git" 'umount2 refused: Operation not permitted' "$PROBE umount $WS/.git"
attack_errno "unmount / (detach)" 'umount2 refused: Operation not permitted' "$PROBE umount /"

# A process outside, of the same user as the sandbox: invisible under bwrap (pid namespace);
# under Landlock (no pid namespace) ptrace is scoped to the domain and signals by ABI 6 scoping.
marker=$((RANDOM % 9000 + 1000))
as_runner sleep "61.$marker" &
runner=$!
victim=
for _ in $(seq 50); do victim=$(pgrep -f "^sleep 61.$marker\$") && break; sleep 0.1; done
[ -n "$victim" ] || { echo "Bail out! the process outside did not start"; exit 1; }
attack_errno "ptrace(PTRACE_ATTACH) of a process outside" 'ptrace\(PTRACE_ATTACH\) refused: Operation not permitted' "$PROBE ptrace $victim"
attack_errno "kill(SIGTERM) of a process outside" "kill\\(SIGTERM\\) refused: $(pick 'No such process' 'Operation not permitted')" "$PROBE kill $victim"
check "the process outside is still alive" kill -0 "$victim"
kill "$victim" 2>/dev/null; wait "$runner" 2>/dev/null

# TIOCSTI into the caller's terminal: run sbxrun under script(1) to have a pty.
if command -v script >/dev/null; then
    (cd "$WS" && as_runner script -qec "$SBXRUN --backend $BACKEND -- $PROBE tiocsti" /dev/null) \
        >"$OUT" 2>"$ERR" </dev/null
    RC=$?
    expect_denied "$BACKEND: ioctl(TIOCSTI) into the caller's terminal"
    grep -q "TIOCSTI" "$OUT" || diag "script output: $(head -c 300 "$OUT")"
else
    diag "script(1) is not installed: TIOCSTI not tried"
fi
check_host_unchanged
done_testing
