#!/bin/bash
# Host objects the filesystem rules do not cover, found by an outside attack review of the
# Landlock backend (issue 11): System V IPC of the host (no IPC namespace under Landlock), a
# setuid-root program planted in the workspace (root's command owns what it copies), and
# other processes' limits (prlimit64 of a host process, or of sbxrun itself, which then
# misreported the run and could run the command twice).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
# For the handed-over files below: one in the snapshot, one the command writes.
echo handed >"$FIX/outside/handed.txt"
: >"$FIX/handed-log.txt"
: >"$FIX/stderr-log.txt"
chmod 640 "$FIX/outside/handed.txt" "$FIX/handed-log.txt"
touch -d @1000000 "$FIX/outside/handed.txt"
own_fix
snapshot_host

# System V shared memory of the host, made by the runner (ipcmk, util-linux).
shmid=$(as_runner ipcmk -M 4096 2>/dev/null | awk '{print $NF}')
if [ -n "$shmid" ]; then
    attack_errno "remove a host shared-memory segment" \
        "$(pick 'invalid id' 'permission denied')" "ipcrm -m $shmid"
    check "$BACKEND: the host segment is still there" sh -c "ipcs -m | grep -qw '$shmid'"
    ipcrm -m "$shmid" 2>/dev/null
else
    not_ok "$BACKEND: ipcmk could not make a host segment here"
fi

# A setuid copy of a program in the workspace: chmod, and open(O_CREAT) with the bit.
attack_errno "chmod 4755 a program copied into the workspace" 'Operation not permitted' \
    "cp /bin/true src/t && chmod 4755 src/t"
check "$BACKEND: no set-user-ID file in the workspace" \
    sh -c "test -z \"\$(find '$WS' -perm /6000 -print -quit)\""
attack_errno "create a setgid directory" 'Operation not permitted' "mkdir -m 2775 src/g"
rm -rf "$WS/src/t" "$WS/src/g"

# Limits of other processes: a host process of the runner's, and sbxrun itself.
# The victim runs as the runner, started directly (as_runner is a function: $! would be its
# subshell), with no descriptor of the test's output (it would hold the TAP pipe open).
if [ "$SBXRUN_AS" = user ]; then
    setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups sleep 300 \
        </dev/null >/dev/null 2>&1 &
else
    sleep 300 </dev/null >/dev/null 2>&1 &
fi
victim=$!
for _ in $(seq 50); do [ -e "/proc/$victim" ] && break; sleep 0.05; done
before=$(grep 'Max open files' "/proc/$victim/limits")
attack_errno "lower a host process's open-file limit" \
    'Operation not permitted' "prlimit --pid $victim --nofile=3:3"
check "$BACKEND: the host process's limits are unchanged" \
    test "$(grep 'Max open files' "/proc/$victim/limits")" = "$before"
kill "$victim" 2>/dev/null; wait "$victim" 2>/dev/null
rm -f "$FIX/.status"
sbxb --status-file "$FIX/.status" -- sh -c 'prlimit --pid $PPID --nofile=0:0; exit 7'
expect_rc 7 "$BACKEND: lowering sbxrun's own limits changes nothing of the run's report"
check "$BACKEND: the status document says exited" \
    test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = exited
# The host's device nodes (twenty-sixth review): under bwrap they are bound into the sandbox's
# /dev, and a caller's `</dev/null` hands the command the host's own inode. As root the
# command owns them: `chmod 600 /dev/null` inside left every other user of the host without
# /dev/null. Named, through /proc/self/fd, and by descriptor; what changed is put back.
dev_state() { stat -c '%a %u %g %Y' /dev/null /dev/zero /dev/tty; }
dev_before=$(dev_state)
DEVDENY='Read-only file system|Operation not permitted|Permission denied|Too many levels of symbolic links'
attack_errno "chmod the host's /dev/null" "$DEVDENY" "chmod 600 /dev/null"
attack_errno "touch the host's /dev/zero" "$DEVDENY" "touch -d 2001-01-01 /dev/zero"
attack_errno "chmod /dev/tty" "$DEVDENY" "chmod 600 /dev/tty"
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c \
    'chmod 600 /proc/self/fd/0 2>&1; python3 -c "import os; os.fchmod(0, 0o600)" 2>&1;
     touch -d 2001-01-01 /proc/self/fd/0 2>&1; exit 0' </dev/null) >"$OUT" 2>"$ERR"
check "$BACKEND: chmod and fchmod of a caller's </dev/null are refused" \
    sh -c "test \"\$(grep -Ec '$DEVDENY' '$OUT')\" = 3"
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c \
    'echo gone >/dev/null && head -c 8 /dev/zero | wc -c && cat' </dev/null) >"$OUT" 2>"$ERR"
check "$BACKEND: the devices still work (write /dev/null, read /dev/zero and stdin)" \
    test "$(cat "$OUT")" = 8
dev_after=$(dev_state)
if [ "$dev_after" = "$dev_before" ]; then ok "$BACKEND: the host's /dev/null, /dev/zero and /dev/tty are unchanged"; else
    not_ok "$BACKEND: the host's /dev/null, /dev/zero and /dev/tty are unchanged"
    diff <(echo "$dev_before") <(echo "$dev_after") | sed 's/^/#   /'
    chmod 666 /dev/null /dev/zero /dev/tty; touch /dev/null /dev/zero
fi
# A FIFO of the host outside every writable root, with a reader (a daemon's control FIFO):
# a read-only mount does not stop a FIFO from opening for writing (twenty-sixth review).
mkdir -p "$FIX/fifos/ro"
mkfifo "$FIX/fifos/ctl" "$FIX/fifos/ro/ctl2"
own_fix
readers=()
for f in ctl ro/ctl2; do
    timeout 20 cat "$FIX/fifos/$f" >"$FIX/got.$(basename $f)" &
    readers+=($!)
done
attack_errno "write into a host FIFO outside the roots" "$DEVDENY" "echo INJECT >'$FIX/fifos/ctl'"
attack_errno "open a host FIFO O_WRONLY|O_NONBLOCK" "$DEVDENY" "python3 -c 'import os; os.write(os.open(\"$FIX/fifos/ctl\", os.O_WRONLY | os.O_NONBLOCK), b\"INJECT\")'"
attack_errno "open a host FIFO with O_CREAT in a read-only directory" "$DEVDENY" "python3 -c 'import os; os.write(os.open(\"$FIX/fifos/ro/ctl2\", os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK), b\"INJECT\")'"
# (Non-blocking from here on: once a reader has ended, an open that is let through would wait
# for the next one.)
attack_errno "reach the host FIFO through a symlink in the workspace" "$DEVDENY" "ln -s '$FIX/fifos/ctl' src/f && python3 -c 'import os; os.write(os.open(\"src/f\", os.O_WRONLY | os.O_NONBLOCK), b\"INJECT\")'"
# A reader the sandbox wrote to has ended (EOF): writing END to it would block, so with a bound.
for f in ctl ro/ctl2; do timeout 2 sh -c "echo END >\"$FIX/fifos/$f\"" 2>/dev/null; done
wait "${readers[@]}" 2>/dev/null
check "$BACKEND: the host's FIFO readers got nothing from the sandbox" \
    test "$(cat "$FIX/got.ctl" "$FIX/got.ctl2")" = "END
END"
rm -f "$WS/src/f"
# A FIFO of the workspace stays usable.
sbxb -- sh -c 'mkfifo src/p && { cat src/p & } && echo local >src/p && wait && rm src/p'
expect_rc 0 "$BACKEND: a FIFO made in the workspace works"
check "  the reader inside got what was written" grep -qx local "$OUT"
# Host files the caller hands over (twenty-seventh review): `cmd < file` gives the command a
# descriptor of a host mount, writable there whatever the sandbox's view says: as root,
# `sort < /etc/shadow` let the command make /etc/shadow mode 0666 through it. Its mode, owner,
# times, xattrs and size stay, by descriptor and through /proc/self/fd; a stdout file the caller
# opened for writing is written, and keeps its mode (both made before the snapshot, at the top).
handed_state() {
    stat -c '%a %u %g %Y %s' "$FIX/outside/handed.txt"
    stat -c '%a %u %g' "$FIX/handed-log.txt"
    getfattr -d "$FIX/outside/handed.txt" "$FIX/handed-log.txt" 2>/dev/null
}
handed_before=$(handed_state)
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- python3 -c '
import os
def t(name, f):
    try:
        f()
        print("CHANGED", name)
    except OSError as e:
        print("refused", name, e.errno)
t("fchmod", lambda: os.fchmod(0, 0o666))
t("chmod /proc/self/fd/0", lambda: os.chmod("/proc/self/fd/0", 0o666))
t("chmod /dev/stdin", lambda: os.chmod("/dev/stdin", 0o666))
t("futimens", lambda: os.utime(0, (1, 1)))
t("utime /proc/self/fd/0", lambda: os.utime("/proc/self/fd/0", (1, 1)))
t("fchown", lambda: os.fchown(0, -1, -1))
t("fsetxattr", lambda: os.setxattr(0, "user.sbx", b"1"))
t("setxattr /proc/self/fd/0", lambda: os.setxattr("/proc/self/fd/0", "user.sbx", b"1"))
t("truncate /proc/self/fd/0", lambda: os.truncate("/proc/self/fd/0", 0))
t("dup then fchmod", lambda: os.fchmod(os.dup(0), 0o666))
t("fchmod stdout", lambda: os.fchmod(1, 0o666))
print("written")
' <"$FIX/outside/handed.txt" >"$FIX/handed-log.txt") 2>"$ERR"
check "$BACKEND: the command wrote its stdout file" grep -qx written "$FIX/handed-log.txt"
if grep -q '^CHANGED' "$FIX/handed-log.txt" || [ "$(grep -c '^refused' "$FIX/handed-log.txt")" != 11 ]; then
    not_ok "$BACKEND: every metadata call and truncate on the handed-over files is refused"
    sed 's/^/#   /' "$FIX/handed-log.txt" "$ERR" | head -20
else
    ok "$BACKEND: every metadata call and truncate on the handed-over files is refused"
fi
handed_after=$(handed_state)
if [ "$handed_after" = "$handed_before" ]; then
    ok "$BACKEND: the handed-over host files keep their mode, owner, times, xattrs and size"
else
    not_ok "$BACKEND: the handed-over host files keep their mode, owner, times, xattrs and size"
    diff <(echo "$handed_before") <(echo "$handed_after") | sed 's/^/#   /'
fi
# A log outside the roots the caller gives as stderr is written, reopened by name too
# (`echo x >>/dev/stderr`, as scripts report errors): the bwrap backend's write layer and the
# Landlock backend's rules grant the file itself, not the place it is in.
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c \
    'echo first >&2; echo reopened >>/dev/stderr' 2>>"$FIX/stderr-log.txt")
check "$BACKEND: a log outside the roots given as stderr is written, and through /dev/stderr" \
    sh -c "grep -qx first '$FIX/stderr-log.txt' && grep -qx reopened '$FIX/stderr-log.txt'"
# `>` truncates it first (O_TRUNC: Landlock's TRUNCATE right on the file).
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c 'echo again >/dev/stderr' \
    2>>"$FIX/stderr-log.txt")
check "$BACKEND: and truncated by '>/dev/stderr'" \
    sh -c "grep -qx again '$FIX/stderr-log.txt' && ! grep -qx first '$FIX/stderr-log.txt'"
check_host_unchanged "host objects"
done_testing
