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
attack "setuid-root binary gains no privilege" "$FIX/suid/probe caps"
attack "plain exec gains no capability" "$PROBE caps"
attack "unshare -Ur (nested user namespace)" "unshare -Ur true"
attack "unshare(CLONE_NEWUSER)" "$PROBE unshare-user"
attack "mount a tmpfs (mount(8))" "mount -t tmpfs none src"
attack "mount a tmpfs (mount(2))" "$PROBE mount-tmpfs src"
attack "unmount the pinned link" "$PROBE umount .codex"
attack "unmount the protected .git" "$PROBE umount $WS/.git"
attack "unmount / (detach)" "$PROBE umount /"

# A process outside, of the same user as the sandbox: invisible under bwrap (pid namespace);
# under Landlock (no pid namespace) ptrace is scoped to the domain and signals by ABI 6 scoping.
marker=$((RANDOM % 9000 + 1000))
as_runner sleep "61.$marker" &
runner=$!
victim=
for _ in $(seq 50); do victim=$(pgrep -f "^sleep 61.$marker\$") && break; sleep 0.1; done
[ -n "$victim" ] || { echo "Bail out! the process outside did not start"; exit 1; }
attack "ptrace(PTRACE_ATTACH) of a process outside" "$PROBE ptrace $victim"
attack "kill(SIGTERM) of a process outside" "$PROBE kill $victim"
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
