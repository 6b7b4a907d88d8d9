#!/bin/bash
# Missing protected names (@agent-config: .claude, .envrc, .vscode... in every writable root)
# must stay missing, and must cost nothing on the host: under bwrap sbxrun-inner's entry broker
# keeps them (inner/entry_broker.hpp), with no placeholder in the workspace or the tmpdir during
# the run or after it, even when sbxrun is killed. Every way of making such a name from inside:
# open(O_CREAT), creat, mkdir, mknod (fifo), symlink, rename of a file and of a directory onto
# it, a hard link (not trapped: Landlock refuses it in that directory), bind(2) of a unix socket,
# case variants, relative/absolute/symlinked-directory/dirfd paths, and races. The host is
# checked afterwards. Run on both backends (Landlock keeps the names with its own rules).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
own_fix
snapshot_host
T=$FIX/tmp
DENY='Permission denied|Read-only file system|File exists|Operation not permitted|Device or resource busy|cannot overwrite non-directory'
# Under bwrap without the entry broker (a kernel without Landlock ABI 2, or
# SBXRUN_ENTRY_BROKER=0) placeholders keep the exact names only: a case variant is another
# file on a case-sensitive filesystem, and the placeholders are on the host during the run.
BROKER=1
if [ "$BACKEND" = bwrap ] && ! (cd "$WS" && as_runner "$SBXRUN" --backend bwrap --explain -- true 2>&1) |
    grep -q 'entry broker'; then
    BROKER=0
fi
NAMES=(.claude .envrc .vscode .agents .mcp.json)
TNAMES=(.envrc .git)

# list_blocked DIR NAME...: the names (any case) that exist in DIR.
list_blocked() {
    local dir=$1; shift
    local n
    for n in "$@"; do
        if [ "$BROKER" = 1 ]; then
            find "$dir" -maxdepth 1 -iname "$n" -printf '%f\n'
        else
            find "$dir" -maxdepth 1 -name "$n" -printf '%f\n'
        fi
    done
}

# One attack per way of making a name, in the workspace top and in the tmpdir.
for where in ws tmp; do
    if [ $where = ws ]; then D=$WS; set -- "${NAMES[@]}"; else D=$T; set -- "${TNAMES[@]}"; fi
    for n in "$@"; do
        attack_errno "$where: open(O_CREAT) $n" "$DENY" "cd '$D' && : >$n"
        attack_errno "$where: creat $n" "$DENY" "cd '$D' && python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.creat(b\"$n\", 0o644) < 0:
    sys.exit(os.strerror(ctypes.get_errno()))'"
        attack_errno "$where: mkdir $n" "$DENY" "mkdir '$D/$n'"
        attack_errno "$where: mkfifo $n" "$DENY" "mkfifo '$D/$n'"
        attack_errno "$where: symlink $n" "$DENY" "ln -s /etc/passwd '$D/$n'"
        attack_errno "$where: rename a file onto $n" "$DENY" "cd '$D' && echo x >src.$$ ; mv -T src.$$ $n; r=\$?; rm -f src.$$; exit \$r"
        attack_errno "$where: rename a directory onto $n" "$DENY" "cd '$D' && mkdir -p dsrc.$$ ; mv -T dsrc.$$ $n; r=\$?; rmdir dsrc.$$ 2>/dev/null; exit \$r"
        attack_errno "$where: hard link onto $n" "$DENY" "cd '$D' && echo x >hl.$$ && ln hl.$$ $n; r=\$?; rm -f hl.$$; exit \$r"
        attack_errno "$where: bind a unix socket at $n" "$DENY|Address family not supported" "cd '$D' && python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.bind(\"$n\")
except OSError as e:
    sys.exit(e.strerror)'"
        up=$(echo "$n" | tr a-z A-Z)
        if [ "$BROKER" = 1 ]; then
            attack_errno "$where: case variant $up" "$DENY" "mkdir '$D/$up'"
        else
            ok "# SKIP $where: case variant $up: placeholders keep exact names only"
        fi
        attack_errno "$where: absolute path $n" "$DENY" "echo x >'$D/$n'"
        attack_errno "$where: through a symlinked directory $n" "$DENY" "ln -s '$D' '$FIX/tmp/via.$$' 2>/dev/null || ln -s '$D' \"\$HOME/via.$$\"; for l in '$FIX/tmp/via.$$' \"\$HOME/via.$$\"; do [ -L \"\$l\" ] && { mkdir \"\$l/$n\"; r=\$?; rm -f \"\$l\"; exit \$r; }; done; exit 99"
        attack_errno "$where: through a dirfd $n" "$DENY" "python3 -c '
import os, sys
d = os.open(\"$D\", os.O_RDONLY | os.O_DIRECTORY)
try:
    os.mkdir(\"$n\", dir_fd=d)
except OSError as e:
    sys.exit(e.strerror)'"
        attack_errno "$where: through .. $n" "$DENY" "mkdir -p '$D/sub.$$' && cd '$D/sub.$$' && mkdir ../$n; r=\$?; cd /; rmdir '$D/sub.$$'; exit \$r"
    done
    left=$(list_blocked "$D" "$@")
    if [ -z "$left" ]; then ok "$BACKEND: $where: no blocked name exists on the host"; else
        not_ok "$BACKEND: $where: no blocked name exists on the host"; diag "$left"; fi
done

# Races: one loop renames directories back and forth under the name's parent while another
# tries to create the names through them.
attack_errno "race: renames against creations" "race held" "cd '$WS' && mkdir -p ra rb && (
  i=0; while [ \$i -lt 300 ]; do mv -T ra rc 2>/dev/null; mv -T rc ra 2>/dev/null; ln -sfn . rb/up 2>/dev/null; i=\$((i+1)); done) &
  i=0; while [ \$i -lt 300 ]; do mkdir ra/../.claude rb/up/.vscode rc/../.envrc 2>/dev/null; { true >ra/../.agents; } 2>/dev/null; i=\$((i+1)); done; wait
  rm -rf ra rb rc; echo race held; exit 1"
left=$(list_blocked "$WS" "${NAMES[@]}")
if [ -z "$left" ]; then ok "$BACKEND: after the race no blocked name exists"; else
    not_ok "$BACKEND: after the race no blocked name exists"; diag "$left"; fi
check_host_unchanged "the attacks"

# The broker (sbxrun-inner, pid 1 of the sandbox) is not a target: not dumpable, so neither
# its memory nor its descriptors are the command's to reach.
if [ "$BACKEND" = bwrap ] && [ "$BROKER" = 1 ]; then
    attack_errno "the broker's memory (/proc/1/mem)" "Permission denied|Operation not permitted" \
        "python3 -c 'open(\"/proc/1/mem\", \"rb\")' 2>&1 | tail -1; exit 1"
    # (root may list the numbers: the directory is its uid's; opening one is what matters)
    attack_errno "the broker's descriptors (/proc/1/fd/N)" "Permission denied" "python3 -c '
import os, sys
for n in os.listdir(\"/proc/1/fd\"):
    try:
        os.close(os.open(\"/proc/1/fd/\" + n, os.O_RDONLY))
        print(\"opened\", n)
        sys.exit(0)
    except OSError as e:
        err = e.strerror
sys.exit(err)' 2>&1 | grep -v opened || exit 0; exit 1"
    # Fail closed: when the broker dies mid-run, the whole sandbox ends with it.
    (cd "$WS" && as_runner "$SBXRUN" --backend bwrap -- sh -c 'mkdir -p fc && : >"$TMPDIR/fc-started" && i=0; while :; do : >fc/f$i; i=$((i+1)); done') \
        >"$FIX/.fc.out" 2>&1 &
    fc_runner=$!
    for _ in $(seq 200); do [ -e "$T/fc-started" ] && break; sleep 0.05; done
    # sbxrun-inner, not its name-lookup answerer (a child with the same command line, which
    # sorts after it: started later, and named sbxrun-dns).
    inner=
    for p in $(pgrep -f '^/proc/self/fd/[0-9]+ --verify' | sort -rn || true); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sbxrun-dns ] && continue
        [ "$(ps -o user= -p "$p" 2>/dev/null | tr -d ' ')" = "$([ "$SBXRUN_AS" = user ] && echo "$TEST_USER" || echo root)" ] || continue
        grep -q "$WS" "/proc/$p/cmdline" 2>/dev/null && inner=$p
    done
    if [ -n "$inner" ]; then
        kill -9 "$inner"
        for _ in $(seq 100); do kill -0 "$fc_runner" 2>/dev/null || break; sleep 0.05; done
        n1=$(ls "$WS/fc" | wc -l); sleep 0.3; n2=$(ls "$WS/fc" | wc -l)
        if ! kill -0 "$fc_runner" 2>/dev/null && [ "$n1" = "$n2" ]; then
            ok "bwrap: kill -9 of the broker ends the sandbox (fail closed)"
        else
            not_ok "bwrap: kill -9 of the broker ends the sandbox (fail closed) ($n1 -> $n2 files)"
            kill -9 "$fc_runner" 2>/dev/null
        fi
    else
        not_ok "bwrap: kill -9 of the broker ends the sandbox (sbxrun-inner not found)"
        kill "$fc_runner" 2>/dev/null
    fi
    wait "$fc_runner" 2>/dev/null
    rm -rf "$WS/fc" "$T/fc-started"
fi

# During a run: the host's workspace and tmpdir show no placeholder (nor any blocked name).
# Under bwrap only where the entry broker runs (a kernel without Landlock ABI 2 gets
# placeholders, which bwrap_missing_names checks).
if [ "$BROKER" = 0 ]; then
    ok "# SKIP the host during and after a run: no entry broker on this kernel"
    done_testing
    exit $?
fi
ws_before=$(ls -A "$WS" | sort); tmp_before=$(ls -A "$T" | sort)
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c ': >"$TMPDIR/started"; sleep 30') \
    >"$FIX/.run.out" 2>&1 &
runner=$!
for _ in $(seq 200); do [ -e "$T/started" ] && break; sleep 0.05; done
check "$BACKEND: the sandboxed command started" test -e "$T/started"
ws_during=$(ls -A "$WS" | sort); tmp_during=$(ls -A "$T" | grep -vx started | sort)
if [ "$ws_during" = "$ws_before" ] && [ "$tmp_during" = "$tmp_before" ]; then
    ok "$BACKEND: during the run the host's workspace and tmpdir are as before (no placeholder)"
else
    not_ok "$BACKEND: during the run the host's workspace and tmpdir are as before (no placeholder)"
    diff <(echo "$ws_before"; echo "$tmp_before") <(echo "$ws_during"; echo "$tmp_during") | sed 's/^/#   /'
fi
# kill -9 of sbxrun itself: nothing is left behind.
sbx_pid=$(pgrep -P "$runner" -f "$SBXRUN" | head -1)
[ -z "$sbx_pid" ] && sbx_pid=$(pgrep -f "^$SBXRUN --backend $BACKEND -- sh -c" | head -1)
[ -n "$sbx_pid" ] && kill -9 "$sbx_pid"
wait "$runner" 2>/dev/null
rm -f "$T/started"
ws_after=$(ls -A "$WS" | sort); tmp_after=$(ls -A "$T" | sort)
if [ -n "$sbx_pid" ] && [ "$ws_after" = "$ws_before" ] && [ "$tmp_after" = "$tmp_before" ]; then
    ok "$BACKEND: after kill -9 of sbxrun nothing is left in the workspace or tmpdir"
else
    not_ok "$BACKEND: after kill -9 of sbxrun nothing is left in the workspace or tmpdir (pid '$sbx_pid')"
    diff <(echo "$ws_before"; echo "$tmp_before") <(echo "$ws_after"; echo "$tmp_after") | sed 's/^/#   /'
fi
check_host_unchanged "kill -9"
done_testing
