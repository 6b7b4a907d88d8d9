#!/bin/bash
# Signals from the caller's terminal (issue 17, part 1): Ctrl-C sends SIGINT to the whole
# foreground process group. Under bwrap it used to kill bwrap too; sbxrun took that for "bwrap
# failed before the command started", said 121, or fell back to Landlock and ran the command a
# second time. Expected on both backends: the command gets the interrupt and decides (a shell
# that traps it goes on), sbxrun exits with the command's status (130 when it dies of it), the
# command runs exactly once, and a signal the caller ignores stays ignored inside.
. "$(dirname "$0")/lib.sh"
make_workspace

# interrupt_run ARGS...: start sbxrun in a process group of its own (as a terminal's
# foreground job is; with its subshell and, for the user, setpriv in it), wait until the command wrote src/ready, send SIGINT to the whole group.
interrupt_run() {
    rm -f "$WS/src/ready" "$WS/src/runs" "$FIX/.status"
    # Job control on for this one job only: it gets a process group of its own (pgid = $!).
    set -m
    (cd "$WS" && as_runner "$SBXRUN" --status-file "$FIX/.status" "$@") >"$OUT" 2>"$ERR" &
    local pid=$!
    set +m
    for _ in $(seq 200); do [ -e "$WS/src/ready" ] && break; sleep 0.05; done
    kill -INT -- "-$pid" 2>/dev/null
    wait "$pid"
    RC=$?
}

for backend in bwrap landlock; do
    (cd "$WS" && as_runner "$SBXRUN" --backend "$backend" -- true) >/dev/null 2>&1 || {
        not_ok "$backend: the backend runs here as $SBXRUN_AS"; continue; }
    other=landlock; [ "$backend" = landlock ] && other=bwrap
    printf 'version = 1\n[backend]\norder = ["%s", "%s"]\n' "$backend" "$other" >"$FIX/order.toml"
    own_fix

    # A command that dies of the interrupt: 130, once, no fallback, not "unavailable".
    # (The policy's order, not --backend: the old fault was a fallback to the other backend.)
    interrupt_run --policy "$FIX/order.toml" -- \
        sh -c 'echo ran >>src/runs; echo >src/ready; sleep 30'
    expect_rc 130 "$backend: Ctrl-C ends the command and sbxrun exits 130"
    check "$backend: the command ran exactly once" test "$(cat "$WS/src/runs" 2>/dev/null)" = ran
    check "$backend: the status says signaled" \
        test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = signaled
    check "$backend: under $backend, no fallback" \
        test "$(status_field "$FIX/.status" backend 2>/dev/null)" = "$backend"
    check "$backend: no 'failed before the command started'" \
        sh -c "! grep -q 'before the command started' '$ERR'"

    # A command that handles the interrupt (a REPL, a shell with a trap) goes on and decides.
    interrupt_run --backend "$backend" -- \
        sh -c 'trap "echo caught; exit 0" INT; echo ran >>src/runs; echo >src/ready; sleep 30 & wait'
    expect_rc 0 "$backend: a command that traps SIGINT decides how it ends"
    check "$backend: it saw the interrupt" grep -q '^caught$' "$OUT"
    check "$backend: and ran exactly once" test "$(cat "$WS/src/runs" 2>/dev/null)" = ran

    # SIGINT ignored by the caller (as for `cmd &` in a script) stays ignored in the sandbox.
    (cd "$WS" && trap '' INT && as_runner "$SBXRUN" --backend "$backend" -- \
        sh -c 'kill -INT $$; echo survived') >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "$backend: an ignored SIGINT stays ignored for the command"
    check "$backend: the command survived its own SIGINT" grep -q '^survived$' "$OUT"
done
# A command that stops its parent stage (kill -STOP $PPID: sbxrun-inner under bwrap): the
# caller's SIGTERM must still end the run, with the command's own status (an outside review
# saw sbxrun hang there until SIGKILL).
rm -f "$WS/src/ready"
# Started without as_runner (a function: $! would be its subshell, not sbxrun).
runner=(env HOME="$FIX/home" TMPDIR="$FIX/tmp")
[ "$SBXRUN_AS" = user ] && runner=(setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups
    env HOME="$FIX/home" USER="$TEST_USER" TMPDIR="$FIX/tmp")
# ended_within PID: whether the backgrounded sbxrun PID has ended within 5 s; RC its status
# when it has, and SIGKILLed (and reaped) when it has not.
ended_within() {
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1"
        wait "$1"
        return 1
    fi
    wait "$1"
    RC=$?
}
(cd "$WS" && exec "${runner[@]}" "$SBXRUN" --backend bwrap -- \
    sh -c 'echo >src/ready; kill -STOP $PPID; exit 7') >"$OUT" 2>"$ERR" &
pid=$!
for _ in $(seq 200); do [ -e "$WS/src/ready" ] && break; sleep 0.05; done
sleep 0.2  # the stop itself, after the marker: nothing to wait for but the kill to land
kill -TERM "$pid"
if ended_within "$pid"; then
    expect_rc 7 "bwrap: SIGTERM ends a run whose inner stage the command stopped"
else
    not_ok "bwrap: SIGTERM ends a run whose inner stage the command stopped (still running)"
fi
rm -f "$WS/src/ready" "$WS/src/runs"

# A command that ignores SIGTERM: the first is its own to ignore, the second ends the sandbox
# (SIGKILL) so that a caller's stop cannot be held off for ever (thirty-sixth review: a stage
# stuck on a stopped deny watcher kept sbxrun running through SIGTERMs for ten minutes).
for backend in bwrap landlock; do
    rm -f "$WS/src/ready"
    (cd "$WS" && exec "${runner[@]}" "$SBXRUN" --backend "$backend" -- \
        sh -c 'trap "" TERM; echo >src/ready; sleep 60; echo woke') >"$OUT" 2>"$ERR" &
    pid=$!
    for _ in $(seq 200); do [ -e "$WS/src/ready" ] && break; sleep 0.05; done
    kill -TERM "$pid"
    sleep 1
    alive_after_one=no
    kill -0 "$pid" 2>/dev/null && alive_after_one=yes
    kill -TERM "$pid"
    if ! ended_within "$pid"; then
        not_ok "$backend: a second SIGTERM ends a command that ignores SIGTERM (still running)"
    else
        check "$backend: a command that ignores SIGTERM survives the first (it is its own)" \
            test "$alive_after_one" = yes
        check "$backend: the second SIGTERM ends it at once (128 + 9 or 15), never woken" \
            sh -c "[ $RC -ge 128 ] && ! grep -q woke '$OUT'"
    fi
done
rm -f "$WS/src/ready"
done_testing
