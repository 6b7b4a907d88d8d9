#!/bin/bash
# Other terminals of the host (issue 11, escape 4): under Landlock all of /dev/pts was granted,
# so the command could write into another login's pty and read what was typed there. Only the
# terminals on the command's own fds 0-2 may be reachable. Under bwrap the sandbox has its own
# devpts instance, in which the host's ptys do not exist.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host
unset SBXRUN_POLICY XDG_CONFIG_HOME
if [ "$SBXRUN_AS" = user ]; then
    RUN=(setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups
         env HOME="$FIX/home" USER="$TEST_USER" TMPDIR="$FIX/tmp")
else
    RUN=(env HOME="$FIX/home" TMPDIR="$FIX/tmp")
fi
# The host makes two ptys: "other" (another login's, never given to the sandbox) and "own"
# (the sandbox's fds 0-2). Both belong to the runner, so that only the sandbox can refuse.
# Prints what reached each master, one line each: "own: ..." and "other: ...".
cat >"$FIX/pty.py" <<'PY'
import os, select, subprocess, sys
owner = int(sys.argv[1]); cmd = sys.argv[2:]
mo, so = os.openpty(); other = os.ttyname(so)
mm, sm = os.openpty(); own = os.ttyname(sm)
for t in (other, own):
    os.chown(t, owner, -1); os.chmod(t, 0o620)
script = ("tty; echo hello-own; echo stolen >%s; echo write-other=$?; "
          "true <%s; echo read-other=$?; echo again >$(tty); echo reopen-own=$?") % (other, other)
p = subprocess.Popen(cmd + ["sh", "-c", script], stdin=sm, stdout=sm, stderr=sm,
                     start_new_session=True)
os.close(sm)
out = b""
while True:  # until the sandbox closed the pty (bounded by select's timeout)
    r, _, _ = select.select([mm], [], [], 30)
    if not r:
        break
    try:
        d = os.read(mm, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
p.wait()
os.set_blocking(mo, False)
try:
    leaked = os.read(mo, 4096)
except BlockingIOError:
    leaked = b""
print("own-name: " + own)
for line in out.decode(errors="replace").splitlines():
    print("own: " + line)
print("other: " + repr(leaked))
PY
owner=$(id -u "$([ "$SBXRUN_AS" = user ] && echo "$TEST_USER" || echo root)")
(cd "$WS" && python3 "$FIX/pty.py" "$owner" "${RUN[@]}" "$SBXRUN" -q --backend "$BACKEND" --) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "$BACKEND: the pty harness ran"
sed 's/^/#   /' "$OUT"
check "$BACKEND: nothing reached the other terminal" grep -qx "other: b''" "$OUT"
check "$BACKEND: writing to the other terminal is refused" grep -q "^own: write-other=[1-9]" "$OUT"
check "$BACKEND: opening the other terminal for reading is refused" grep -q "^own: read-other=[1-9]" "$OUT"
check "$BACKEND: the command writes to its own terminal" grep -qx "own: hello-own" "$OUT"
if [ "$BACKEND" = landlock ]; then
    own=$(sed -n 's/^own-name: //p' "$OUT")
    check "landlock: the refusal is EACCES (Landlock), not a missing file" \
        grep -q "^own: .*cannot create .*: Permission denied" "$OUT"
    check "landlock: tty names the command's own terminal" grep -qx "own: $own" "$OUT"
    # (bwrap: the host's pty has no name in the sandbox's own devpts)
    check "landlock: and it reopens its terminal by name" grep -qx "own: again" "$OUT"
fi
check_host_unchanged "the terminal attacks"
done_testing
