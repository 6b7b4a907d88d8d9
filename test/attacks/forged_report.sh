#!/bin/bash
# Issue 11, escape 1: nothing the command can reach may speak for the stage that reports how the
# run went. The review's attack: reopen the report pipe of the command's parent through
# /proc/$PPID/fd/N, write a "setup failed" record and kill -9 the parent. sbxrun then read
# "nothing ran", fell back to the next backend and ran the command a second time (or, with one
# backend, said 121 "unavailable" although the command had run).
# Expected: the pipe cannot be reopened, the command runs exactly once, and the run is never
# reported as a setup failure once the command may have started.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
cat >"$WS/forge.py" <<'PY'
import os, sys, signal
ppid = os.getppid()
opened = 0
try:
    fds = os.listdir(f"/proc/{ppid}/fd")
except OSError as e:
    fds = []
    print("listdir refused:", e.strerror)
for fd in fds:
    path = f"/proc/{ppid}/fd/{fd}"
    try:
        if not os.readlink(path).startswith("pipe:"):
            continue
        w = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        print("refused:", fd, e.strerror)
        continue
    os.write(w, b"F forged by the command\n")
    opened += 1
print("forged", opened, flush=True)  # before the kill: the pid namespace may end us with it
if len(sys.argv) > 1 and sys.argv[1] == "kill":
    try:
        os.kill(ppid, signal.SIGKILL)
    except OSError as e:
        print("kill refused:", e.strerror)
PY
own_fix
snapshot_host
# Under bwrap the parent is sbxrun-inner (it can be killed: same uid, same pid namespace);
# under Landlock it is sbxrun itself, which the command must not be able to kill either.
mode=kill
run_forger() {
    rm -f "$WS/src/runs" "$FIX/.status"
    (cd "$WS" && as_runner "$SBXRUN" --status-file "$FIX/.status" "$@" -- \
        sh -c "echo ran >>src/runs; exec python3 forge.py $mode") >"$OUT" 2>"$ERR"
    RC=$?
}
for order in single auto; do
    if [ $order = single ]; then run_forger --backend "$BACKEND"; else
        # auto: both backends in the policy's order, this one first
        other=landlock; [ "$BACKEND" = landlock ] && other=bwrap
        printf 'version = 1\n[backend]\norder = ["%s", "%s"]\n' "$BACKEND" "$other" >"$FIX/order.toml"
        own_fix
        run_forger --policy "$FIX/order.toml"
    fi
    check "$BACKEND/$order: no report pipe could be reopened for writing" grep -q '^forged 0$' "$OUT"
    check "$BACKEND/$order: the command ran exactly once" test "$(cat "$WS/src/runs" 2>/dev/null)" = ran
    check "$BACKEND/$order: not reported as unavailable (exit $RC)" test "$RC" != 121
    check "$BACKEND/$order: it ran under $BACKEND, no fallback" \
        test "$(status_field "$FIX/.status" backend 2>/dev/null)" = "$BACKEND"
    diag "exit $RC; command output: $(tr '\n' ' ' <"$OUT")"
    sed 's/^/#   stderr: /' "$ERR" | head -5
done
rm -f "$WS/src/runs" "$WS/forge.py"

# The status document's own file, in a writable place: the command renames a forged document
# over it (a second outside review did; the caller then read exit_code 0 for a 42).
sbxb --status-file "$WS/src/status.json" -- sh -c \
    'printf "{\"sbxrun_status\": 1, \"outcome\": \"exited\", \"exit_code\": 0}" >src/forged.json &&
     mv -f src/forged.json src/status.json; exit 42'
expect_rc 42 "$BACKEND: the command's own status comes through"
check "$BACKEND: the status file could not be replaced: it says 42" \
    test "$(status_field "$WS/src/status.json" exit_code 2>/dev/null)" = 42
rm -f "$WS/src/status.json" "$WS/src/forged.json"
check_host_unchanged "forging the inner report"
done_testing
