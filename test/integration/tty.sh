#!/bin/bash
# A real terminal inside (issue 17, part 2): when stdin is a terminal (or with --tty always) the
# command gets a pty of its own as its controlling terminal, and sbxrun relays between it and
# the caller's terminal, which is raw meanwhile and cooked again afterwards. Driven through tmux
# on both backends: `tty`, /dev/tty, a shell's job control (Ctrl-C to a job, Ctrl-Z + fg), the
# window size following a resize, a Python REPL surviving Ctrl-C, and no descriptor of the
# caller's terminal inside. --tty never and a stdin that is no terminal keep the old behaviour.
. "$(dirname "$0")/lib.sh"
make_workspace
command -v tmux >/dev/null || skip_all "tmux is not installed (packaging/build-deps.txt)"
command -v python3 >/dev/null || skip_all "python3 is not installed"

# A tmux server of the test's own per backend (a new server on a socket whose old server is
# still going away can fail to start).
TMUX_SOCK=
tm() { tmux -S "$TMUX_SOCK" "$@"; }
cleanup_tmux() {
    local s
    for s in "$FIX"/tmux-*.sock; do [ -S "$s" ] && tmux -S "$s" kill-server >/dev/null 2>&1; done
    cleanup_fix
}
trap cleanup_tmux EXIT

# The runner's command prefix, as text for the pane's shell (as_runner is a function here).
if [ "$SBXRUN_AS" = user ]; then
    RUN="setpriv --reuid=$TEST_USER --regid=$TEST_USER --clear-groups env HOME=$FIX/home USER=$TEST_USER LOGNAME=$TEST_USER TMPDIR=$FIX/tmp"
else
    RUN="env HOME=$FIX/home USER=root LOGNAME=root TMPDIR=$FIX/tmp"
fi

screen() { tm capture-pane -p -J -S -1000 -t t 2>/dev/null; }
# wait_for REGEX: until the pane shows a line matching it (10 s at most).
wait_for() {
    local _
    for _ in $(seq 200); do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.05
    done
    diag "timed out waiting for /$1/; the pane shows:"
    diag "$(screen | grep -v '^$' | tail -15)"
    return 1
}
seen() { screen | grep -Eq -- "$1"; }
not_seen() { ! seen "$1"; }
# shows "description" REGEX: passes once the pane shows a line matching REGEX.
shows() { if wait_for "$2"; then ok "$1"; else not_ok "$1"; fi; }
send() { tm send-keys -t t "$@"; }
# say TEXT: type a command line and Enter.
say() { send -l -- "$1"; send Enter; }

# A fresh pane with a plain shell (not the sandbox's user: the outer shell is the "caller").
new_pane() {
    TMUX_SOCK=$FIX/tmux-$1.sock
    tm new-session -d -s t -x 120 -y 40 "cd '$WS' && PS1='OUT> ' exec bash --norc --noprofile -i"
    wait_for '^OUT> '
}

for backend in bwrap landlock; do
    (cd "$WS" && as_runner "$SBXRUN" --backend "$backend" -- true) >/dev/null 2>&1 || {
        not_ok "$backend: the backend runs here as $SBXRUN_AS"; continue; }
    new_pane "$backend" || { not_ok "$backend: tmux starts a pane"; continue; }
    caller_tty=$(tm display -p -t t '#{pane_tty}')
    caller_dev=$(stat -c '%t:%T' "$caller_tty")
    say "$RUN $SBXRUN --backend $backend --status-file $FIX/.status -- bash --norc --noprofile -i"
    say "PS1='IN> '"
    wait_for '^IN> ' || { not_ok "$backend: bash -i starts in the sandbox"; continue; }
    check "$backend: bash -i has job control (no 'no job control' warning)" \
        not_seen 'no job control'

    # tty names the command's terminal; /dev/tty is it.
    say 'tty; echo "T-$((40+1))-$?"'
    wait_for '^T-41-'; check "$backend: tty prints the pty's name" \
        seen '^/dev/(pts/[0-9]+|console)$'; check "$backend: ... and exits 0" seen '^T-41-0$'
    say 'echo via-dev-tty >/dev/tty && echo "DT-$((40+2))"'
    shows "$backend: /dev/tty opens the command's terminal" '^DT-42$'

    # No descriptor of the caller's terminal inside: every fd's device differs from it.
    say 'for f in /proc/self/fd/*; do stat -L -c "FD %t:%T" "$f" 2>/dev/null; done; echo "FDS-$((1+2))"'
    wait_for '^FDS-3$'; check "$backend: no fd of the caller's terminal ($caller_dev) inside" \
        not_seen "^FD $caller_dev\$"

    # Job control: a background job brought to the foreground, then Ctrl-C to it.
    say 'clear'
    say 'sleep 100 &'
    wait_for '^\[1\] [0-9]+'
    say 'jobs; echo "J-$((1+3))"'
    wait_for '^J-4$'; check "$backend: jobs lists the background job" \
        seen '^\[1\]\+ +Running +sleep 100 &'
    say 'fg'
    wait_for '^sleep 100$'
    send C-c
    say 'echo "RC-$?"'
    wait_for '^RC-[0-9]+$'; check "$backend: Ctrl-C reaches the foreground job (\$? = 130)" \
        seen '^RC-130$'

    # Ctrl-Z stops the foreground job and hands the terminal back to the shell; fg resumes it.
    say 'clear'
    say 'echo "Z-$((2+3))"; sleep 101'
    wait_for '^Z-5$'
    for _ in $(seq 100); do pgrep -f '^sleep 101$' >/dev/null && break; sleep 0.05; done
    send C-z
    shows "$backend: Ctrl-Z stops the foreground job" 'Stopped +sleep 101'
    say 'fg'
    wait_for '^sleep 101$'
    send C-c
    say 'echo "FG-$?"'
    wait_for '^FG-[0-9]+$'; check "$backend: fg resumed it in the foreground (Ctrl-C: 130)" \
        seen '^FG-130$'

    # The window size follows the caller's (SIGWINCH, TIOCSWINSZ).
    say 'clear'
    say 'echo "SZ1-$(stty size)"'
    wait_for '^SZ1-'; check "$backend: stty size inside is the pane's (40 120)" \
        seen '^SZ1-40 120$'
    tm resize-window -t t -x 100 -y 30
    say 'echo "SZ2-$(stty size)"'
    wait_for '^SZ2-'; check "$backend: after a resize stty size says 30 100" \
        seen '^SZ2-30 100$'

    # A Python REPL survives Ctrl-C (KeyboardInterrupt) and goes on.
    say 'clear'
    say 'python3 -q'
    wait_for '^>>> ' || { not_ok "$backend: python3 REPL starts"; }
    say 'import time; time.sleep(100)'
    sleep 0.3  # nothing to wait for on screen: the sleep prints nothing
    send C-c
    shows "$backend: Ctrl-C in the REPL is a KeyboardInterrupt" '^KeyboardInterrupt'
    say 'print(6 * 7)'
    shows "$backend: the REPL survived it" '^42$'
    say 'exit()'
    wait_for '^IN> $'

    # sbxrun itself stopped (SIGTSTP from elsewhere) and continued by the caller's fg: the
    # caller's shell took the terminal back meanwhile, so sbxrun makes it raw again, and a
    # Ctrl-C is still the sandbox's.
    say 'clear'
    pkill -TSTP -x -P "$(tm display -p -t t '#{pane_pid}')" sbxrun
    wait_for 'Stopped'
    say 'fg'
    say 'echo "ST-$((4+4))"; sleep 102'
    wait_for '^ST-8$'
    check "$backend: the caller's terminal is raw again after fg" \
        sh -c "stty -F '$caller_tty' -a | grep -q -- '-icanon'"
    for _ in $(seq 100); do pgrep -f '^sleep 102$' >/dev/null && break; sleep 0.05; done
    send C-c
    say 'echo "TS-$?"'
    wait_for '^TS-'; check "$backend: after sbxrun was stopped and continued, Ctrl-C is the job's" \
        seen '^TS-130$'

    # The shell ends with a status of its own; sbxrun exits with it; the caller's terminal is
    # cooked again.
    say 'clear'
    say 'exit 3'
    wait_for '^OUT> ' || not_ok "$backend: sbxrun returned to the outer shell"
    say 'echo "EXIT-$?"; stty -a | tr " " "\n" | grep -Ex -- "-?(icanon|echo|isig)" | tr "\n" " "; echo'
    wait_for '^EXIT-'; check "$backend: sbxrun exits with the command's status (3)" \
        seen '^EXIT-3$'
    wait_for 'icanon'; check "$backend: the caller's terminal is cooked again (icanon echo isig)" \
        seen '^(isig icanon echo|icanon isig echo) $'
    check "$backend: the status document says exited 3" \
        test "$(status_field "$FIX/.status" exit_code 2>/dev/null)" = 3

    # --tty never: today's behaviour: the caller's terminal on fd 0, no controlling terminal.
    say 'clear'
    say "$RUN $SBXRUN --backend $backend --tty never -- sh -c 'stat -L -c \"NV %t:%T\" /proc/self/fd/0; (: </dev/tty) 2>/dev/null; echo \"N-\$((5+5))-\$?\"'"
    wait_for '^N-10-'; check "$backend: --tty never: no controlling terminal" seen '^N-10-[1-9][0-9]*$'
    check "$backend: --tty never: stdin is the caller's terminal, as before" \
        seen "^NV $caller_dev\$"

    # Something the command left writing to its terminal does not keep sbxrun draining it.
    say 'clear'
    say "$RUN $SBXRUN --backend $backend -- sh -c '(yes >/dev/tty &); sleep 0.3; exit 5' >/dev/null; echo \"YES-\$((7+7))-\$?\""
    # (after the last "y" it wrote, on the same line)
    wait_for 'YES-14-'; check "$backend: a writer left behind does not hold sbxrun (exit 5)" \
        seen 'YES-14-5$'
    say 'clear'

    # A background job (`sbxrun -- make &`) is not the terminal's foreground: under auto it
    # keeps the old behaviour and runs on, rather than being stopped (SIGTTOU) for raw mode.
    say 'clear'
    say "$RUN $SBXRUN --backend $backend -- sh -c 'stat -L -c \"BG %t:%T\" /proc/self/fd/0' & wait \$!; echo \"BGW-\$((6+6))-\$?\""
    wait_for '^BGW-12-'; check "$backend: a background run is not stopped and exits 0" \
        seen '^BGW-12-0$'
    check "$backend: ... and has the caller's terminal, as before" seen "^BG $caller_dev\$"

    # Not a terminal on stdin: pipes as before (auto), or a pty on demand (always).
    (cd "$WS" && printf 'abc\n' | as_runner "$SBXRUN" --backend "$backend" -- \
        sh -c 'cat; test -t 0 || echo notty') >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "$backend: a pipe on stdin runs as before"
    check "$backend: ... the command reads the pipe, no terminal" \
        test "$(cat "$OUT")" = "$(printf 'abc\nnotty')"
    (cd "$WS" && printf 'abc\n' | as_runner "$SBXRUN" --backend "$backend" --tty always -- \
        sh -c 'test -t 0 && test -t 1 && test -t 2 && echo all-ttys; cat; exit 4') >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 4 "$backend: --tty always with a pipe: the command's status"
    check "$backend: ... fds 0-2 are a terminal, the piped input arrives, EOF ends it" \
        sh -c "tr -d '\r' <'$OUT' | grep -q '^all-ttys$' && tr -d '\r' <'$OUT' | grep -c '^abc$' | grep -q 2"
    tm kill-server >/dev/null 2>&1
done
done_testing
