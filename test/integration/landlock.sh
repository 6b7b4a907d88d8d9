#!/bin/bash
# The Landlock backend (--backend landlock), as root and as an unprivileged user: writes outside
# the writable roots fail, the workspace stays writable except where the approximation says,
# protected paths (.git, the seed's .codex symlink farm) stay intact, deny paths are unreadable,
# the host's network (TCP, UDP, abstract unix sockets) is out of reach, the command has no
# capabilities and no_new_privs, the status document tells the truth, and every lower Landlock
# ABI (SBXRUN_LANDLOCK_ABI_MAX=1..6) behaves as sbxrun(1) LIMITATIONS says.
. "$(dirname "$0")/lib.sh"

# The kernel's own answer, asked independently of sbxrun: landlock_create_ruleset(NULL, 0,
# LANDLOCK_CREATE_RULESET_VERSION).
kernel_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
[ "$kernel_abi" -ge 1 ] || skip_all "Landlock is not enabled on this kernel"
[ "$kernel_abi" -ge 6 ] || skip_all "this test needs Landlock ABI 6 or newer (kernel has $kernel_abi)"

make_workspace
cd "$WS" || exit 1
mkdir -p .auxiliary/configuration/coders/{codex,claude} documentation/architecture/openspec
echo 'sandbox_mode = "workspace-write"' >.auxiliary/configuration/coders/codex/config.toml
echo '# agents' >.auxiliary/configuration/AGENTS.md
ln -s .auxiliary/configuration/coders/codex .codex
ln -s .auxiliary/configuration/coders/claude .claude
ln -s .auxiliary/configuration/AGENTS.md AGENTS.md
ln -s documentation/architecture/openspec openspec
echo "top secret" >secret.txt
mkdir -p "$FIX/home/.ssh"
echo "PRIVATE KEY" >"$FIX/home/.ssh/id_ed25519"
cd - >/dev/null || exit 1
cat >"$FIX/ll.toml" <<'TOML'
version = 1
[filesystem]
protect = [".git", ".codex", ".claude", ".agents", "AGENTS.md"]
deny = ["~/.ssh", "${workspace}/secret.txt"]
# unix sockets allowed, so the abstract-socket checks below test Landlock's scope (ABI 6) and
# its seccomp stand-in, not network.unix_sockets = "block" (tested in unix_sockets.sh).
[network]
unix_sockets = "allow"
TOML
own_fix
L=(--backend landlock --policy "$FIX/ll.toml")
host_before=$(fingerprint "$FIX/outside")
git_before=$(fingerprint "$WS/.git")
conf_before=$(fingerprint "$WS/.auxiliary/configuration")
links_before=$(cd "$WS" && ls -l --time-style=+ .codex .claude AGENTS.md openspec | awk '{print $1, $(NF-2), $(NF-1), $NF}')
marker=sbxrun-landlock-test-$$

# --- writes outside the writable roots fail -------------------------------------------------
for attempt in "echo x >>'$FIX/outside/file.txt'" "touch '$FIX/outside/new'" \
               "mkdir '$FIX/newdir'" "rm '$FIX/outside/file.txt'" \
               "mv '$FIX/outside' '$FIX/moved'" "touch /etc/$marker" "touch /$marker" \
               "truncate -s 0 '$FIX/outside/file.txt'"; do
    sbx "${L[@]}" -- sh -c "$attempt"
    expect_denied "outside the writable roots: $attempt fails"
done
check "the outside tree is unchanged" test "$(fingerprint "$FIX/outside")" = "$host_before"
check "nothing was created in /etc or /" sh -c "test ! -e /etc/$marker && test ! -e /$marker"
check "nothing was created next to the workspace" test ! -e "$FIX/newdir"

# --- writes in the workspace ------------------------------------------------------------------
sbx "${L[@]}" -- sh -c 'echo new >src/new.txt && echo more >>src/file.txt && mkdir -p src/d/e &&
    mv src/new.txt src/d/e/moved.txt && ln -s d src/link && rm src/link && truncate -s 2 src/file.txt &&
    echo spec >openspec/new.md'
expect_rc 0 "writes inside existing workspace directories succeed"
check "they land on the host" sh -c "test -f '$WS/src/d/e/moved.txt' && test \$(wc -c <'$WS/src/file.txt') = 2 &&
    test -f '$WS/documentation/architecture/openspec/new.md'"
# What Landlock alone would forbid: a writable root that holds a protected path or a missing
# protected name has no creation rights of its own (Landlock cannot allow creating "x" while
# refusing ".agents"), nor have the directories on the way down to a protected target
# (.auxiliary, .auxiliary/configuration). sbxrun makes those entries for the command (issue 14:
# the fallback must stay usable); landlock_usable.sh has the everyday cases, these the places.
for attempt in 'touch newtop' 'mkdir newdir' 'echo x >.auxiliary/notes' \
               'touch "$TMPDIR/newtmp"' 'mv src src2 && mv src2 src'; do
    sbx "${L[@]}" -- sh -c "$attempt"
    expect_rc 0 "entries made by sbxrun where Landlock has no creation right: $attempt"
done
check "they reached the host" sh -c "test -e '$WS/newtop' && test -d '$WS/newdir' &&
    test -e '$WS/.auxiliary/notes' && test -e '$FIX/tmp/newtmp' && test -d '$WS/src'"
rm -rf "$WS/newtop" "$WS/newdir" "$WS/.auxiliary/notes" "$FIX/tmp/newtmp"

# --- protected paths inside a writable root stay intact -------------------------------------
for attempt in 'echo x >>.git/config' 'touch .git/new' 'rm -rf .git' 'mv .git .git2' \
               'rm .git/config' 'ln -sfn /tmp .git' \
               'echo x >>.codex/config.toml' 'echo x >.codex/new' \
               'echo x >>.auxiliary/configuration/coders/codex/config.toml' \
               'rm .codex' 'mv .codex .codex.old' 'ln -sfn /tmp .codex' 'ln -sfn . .codex' \
               'rm -rf .codex; mkdir .codex && echo danger >.codex/config.toml' \
               'mv .auxiliary .aux2' 'mv .auxiliary/configuration .auxiliary/c2' \
               'rm -rf .auxiliary/configuration' 'echo x >>AGENTS.md' 'rm AGENTS.md' \
               'mkdir .agents' 'touch .agents'; do
    sbx "${L[@]}" -- sh -c "$attempt"
    expect_denied "protected: '$attempt' fails"
done
sbx "${L[@]}" -- sh -c 'cat .codex/config.toml && test "$(readlink .codex)" = .auxiliary/configuration/coders/codex'
expect_rc 0 "reading through the protected link works, readlink unchanged"
check "the .git directory is unchanged" test "$(fingerprint "$WS/.git")" = "$git_before"
check "the configuration targets are unchanged" test "$(fingerprint "$WS/.auxiliary/configuration")" = "$conf_before"
links_after=$(cd "$WS" && ls -l --time-style=+ .codex .claude AGENTS.md openspec | awk '{print $1, $(NF-2), $(NF-1), $NF}')
check "the links on the host are unchanged" test "$links_after" = "$links_before"
check "no .agents and no .aux2 on the host" sh -c "test ! -e '$WS/.agents' && test ! -e '$WS/.aux2' && test ! -e '$WS/.git2'"

# --- deny paths are unreadable ------------------------------------------------------------------
for attempt in 'cat "$HOME/.ssh/id_ed25519"' 'ls "$HOME/.ssh"' 'cat secret.txt' \
               'cp secret.txt src/copy' 'grep -r PRIVATE "$HOME"'; do
    sbx "${L[@]}" -- sh -c "$attempt"
    expect_denied "deny: '$attempt' fails"
    check "deny: and printed nothing secret" sh -c "! grep -qE 'PRIVATE|top secret' '$OUT'"
done
check "deny: no copy was made" test ! -e "$WS/src/copy"

# --- the host's network is out of reach ---------------------------------------------------------
# One listener on the host: TCP and UDP on 127.0.0.1, and an abstract unix socket (stream);
# it records anything it receives.
abstract="sbxrun-test-$$"
python3 - "$FIX/port" "$FIX/seen" "$abstract" <<'PY' &
import os, select, socket, sys, time
tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen(5)
port = tcp.getsockname()[1]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", port))
unx = socket.socket(socket.AF_UNIX); unx.bind("\0" + sys.argv[3]); unx.listen(5)
open(sys.argv[1] + ".tmp", "w").write(str(port)); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
end = time.time() + 120
while time.time() < end:
    r, _, _ = select.select([tcp, udp, unx], [], [], 1)
    for s in r:
        kind = {tcp: "tcp", udp: "udp", unx: "unix"}[s]
        if s is udp: s.recvfrom(100)
        else: s.accept()[0].close()
        open(sys.argv[2], "a").write(kind + "\n")
PY
listener=$!
for _ in $(seq 100); do [ -s "$FIX/port" ] && break; sleep 0.1; done
port=$(cat "$FIX/port")
tcp="import socket,sys; socket.create_connection(('127.0.0.1', $port), timeout=3)"
udp="import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('127.0.0.1', $port))"
unx="import socket; s=socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect('\0$abstract')"
# seen_lines N: wait (bounded) until the listener has logged N connections or datagrams.
seen_lines() {
    for _ in $(seq 100); do
        [ -e "$FIX/seen" ] && [ "$(wc -l <"$FIX/seen")" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# The host sends one end marker per protocol; the listener takes each socket's clients in order,
# so whatever the sandbox got through was logged before the markers: once the three markers are
# in, the log must hold exactly them (no fixed sleep before judging).
saw_only_markers() {
    as_runner python3 -c "$tcp" && as_runner python3 -c "$udp" && as_runner python3 -c "$unx"
    seen_lines 3
    local got
    got=$(LC_ALL=C sort "$FIX/seen" 2>/dev/null | tr '\n' ' ')
    rm -f "$FIX/seen"
    [ "$got" = "tcp udp unix " ] || { echo "# the listener saw: $got"; return 1; }
}
# The probe: the three reach the listener from the host (so the test can fail).
as_runner python3 -c "$tcp" && as_runner python3 -c "$udp" && as_runner python3 -c "$unx"
check "control: the host reaches its own listener (tcp, udp, abstract unix)" seen_lines 3
rm -f "$FIX/seen"

net_checks() {  # net_checks LABEL [extra sbxrun args...]
    local label=$1; shift
    sbx "$@" -- python3 -c "$tcp"; expect_denied "$label: TCP connect to the host's loopback fails"
    sbx "$@" -- python3 -c "$udp"; expect_denied "$label: UDP send to the host's loopback fails"
    sbx "$@" -- python3 -c "$unx"; expect_denied "$label: connect to the host's abstract unix socket fails"
    sbx "$@" -- python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()"
    expect_denied "$label: a TCP listener cannot be opened"
    check "$label: the listener saw nothing but the host's end markers" saw_only_markers
}
net_checks "landlock"  "${L[@]}"

# --- no capabilities, no_new_privs, a new session, even as root --------------------------------
sbx "${L[@]}" -- sh -c 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status; cut -d" " -f6 /proc/$$/stat'
expect_rc 0 "reading the process status works"
check "effective, permitted, inheritable and ambient sets are empty" \
    test "$(grep -cE '^Cap(Inh|Prm|Eff|Amb):[[:space:]]*0000000000000000$' "$OUT")" = 4
if [ "$SBXRUN_AS" = root ]; then
    check "root: the bounding set is empty too" grep -qE '^CapBnd:[[:space:]]*0000000000000000$' "$OUT"
else
    # Without a user namespace an unprivileged process cannot drop its bounding set (that
    # needs CAP_SETPCAP); no_new_privs keeps it unusable, as the setuid probe below shows.
    diag "unprivileged: $(grep CapBnd "$OUT") (left as it was; sbxrun(1) LIMITATIONS)"
fi
check "no_new_privs is set" grep -qE '^NoNewPrivs:[[:space:]]*1$' "$OUT"
check "a new session (the command leads its own session)" sh -c "test \"\$(sed -n 7p '$OUT')\" != \"\$(cut -d' ' -f6 /proc/$$/stat)\""
if [ "$SBXRUN_AS" = user ]; then
    cp /usr/bin/id "$FIX/suid-id" && chown root:root "$FIX/suid-id" && chmod 4755 "$FIX/suid-id"
    check "control: the setuid-root probe makes euid 0 outside" test "$(as_runner "$FIX/suid-id" -u)" = 0
    sbx "${L[@]}" -- "$FIX/suid-id" -u
    check "unprivileged: a setuid-root binary grants nothing (euid stays $(id -u "$TEST_USER"))" \
        test "$(cat "$OUT")" = "$(id -u "$TEST_USER")"
    rm -f "$FIX/suid-id"
fi

# --- the command is sbxrun's own child: no second program between them ------------------------
sbx "${L[@]}" -- sh -c 'cat /proc/$PPID/comm'
expect_rc 0 "reading the parent's name works"
check "the command's parent is sbxrun itself (saw: $(cat "$OUT"))" test "$(cat "$OUT")" = sbxrun
mkdir -p "$FIX/solo" && cp "$SBXRUN" "$FIX/solo/sbxrun" && own_fix
saved=$SBXRUN SBXRUN=$FIX/solo/sbxrun
sbx "${L[@]}" -- sh -c 'echo ran'
SBXRUN=$saved
expect_rc 0 "sbxrun without sbxrun-inner beside it runs the Landlock backend"
check "  and the command ran" grep -qx ran "$OUT"

# --- signals to processes outside the sandbox (ABI 6 scope) ---------------------------------------
as_runner sleep 60 &
victim=$!
sbx "${L[@]}" -- sh -c "kill -0 $victim"
expect_denied "a signal to a process outside the sandbox is refused"
check "the outside process is alive" kill -0 "$victim"

# --- the status document --------------------------------------------------------------------------
rm -f "$FIX/.status"
sbx "${L[@]}" --status-file "$FIX/.status" -- true
expect_rc 0 "a run with a status file"
check "status: backend landlock" test "$(status_field "$FIX/.status" backend)" = landlock
check "status: outcome exited" test "$(status_field "$FIX/.status" outcome)" = exited
approx=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["approximated"]))' "$FIX/.status")
check "status: approximated names the workspace root and .git" sh -c "printf '%s\n' \"\$1\" | grep -q \"^$WS: new entries, removals and renames at its top are made by sbxrun\"" - "$approx"
check "status: approximated says deny keeps names visible" sh -c "printf '%s\n' \"\$1\" | grep -q 'secret.txt: denied content is unreadable'" - "$approx"
check "status: nothing weakened at ABI $kernel_abi" test "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["weakened"]))' "$FIX/.status")" = 0
check "stderr: the approximation is reported on one line" sh -c "test \$(grep -c 'approximated' '$ERR') = 1"

kill "$victim" 2>/dev/null; wait "$victim" 2>/dev/null

# --- lower ABIs: SBXRUN_LANDLOCK_ABI_MAX may only lower the ABI -----------------------------------
# A policy with nothing Landlock must approximate (no holes in the writable root), so that
# what changes from one ABI to the next is the ABI alone.
mkdir -p "$FIX/plain"; echo ro >"$FIX/plain/ro.txt"; own_fix
cat >"$FIX/plain.toml" <<TOML
version = 1
[filesystem]
write = ["\${workspace}"]
protect = []
[backend]
on_unenforceable = "escalate"
TOML
cat >"$FIX/plain-weaken.toml" <<TOML
version = 1
[filesystem]
write = ["\${workspace}"]
protect = []
[backend]
on_unenforceable = "weaken"
TOML
own_fix
abi_run() {  # abi_run N ARGS...: sbx with SBXRUN_LANDLOCK_ABI_MAX=N and a status file
    local n=$1; shift
    rm -f "$FIX/.status"
    (cd "$WS" && as_runner env SBXRUN_LANDLOCK_ABI_MAX="$n" "$SBXRUN" --backend landlock \
        --status-file "$FIX/.status" "$@") >"$OUT" 2>"$ERR"
    RC=$?
}
status_list() { python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$FIX/.status" "$1"; }
status_has() { local l; l=$(status_list "$1"); grep -q -- "$2" <<<"$l"; }  # status_has LIST PATTERN

abi_run 9 --policy "$FIX/plain.toml" -- true
expect_rc 0 "ABI knob 9 (above the kernel's) is ignored: escalate finds no ABI gap"
abi_run 0 --policy "$FIX/ll.toml" -- touch "$WS/ran-at-0"
expect_rc 121 "ABI knob 0: Landlock looks absent, exit 121"
check "ABI 0: nothing ran" test ! -e "$WS/ran-at-0"

for n in 1 2 3 4 5 6; do
    # approximate (the default): every protection still holds.
    abi_run "$n" --policy "$FIX/ll.toml" -- sh -c 'echo x >>.git/config'
    expect_denied "ABI $n approximate: .git stays read-only"
    abi_run "$n" --policy "$FIX/ll.toml" -- sh -c "echo x >'$FIX/outside/new'"
    expect_denied "ABI $n approximate: writes outside fail"
    abi_run "$n" --policy "$FIX/ll.toml" -- sh -c 'mv .codex .codex.old || rm .codex'
    expect_denied "ABI $n approximate: the .codex link stays pinned"
    abi_run "$n" --policy "$FIX/ll.toml" -- cat "$FIX/home/.ssh/id_ed25519"
    expect_denied "ABI $n approximate: deny stays unreadable"
    abi_run "$n" --policy "$FIX/ll.toml" -- truncate -s 0 "$FIX/plain/ro.txt"
    expect_denied "ABI $n approximate: truncate(2) of a read-only file fails"
    abi_run "$n" --policy "$FIX/ll.toml" -- sh -c 'echo ok >src/abi.txt'
    expect_rc 0 "ABI $n approximate: workspace writes still work"
    check "ABI $n approximate: status lists approximated" test -n "$(status_list approximated)"
    for proto in tcp udp unx; do
        eval "code=\$$proto"
        abi_run "$n" --policy "$FIX/ll.toml" -- python3 -c "$code"
        expect_denied "ABI $n approximate: $proto to the host fails"
    done
    check "ABI $n: the listener saw nothing but the host's end markers" saw_only_markers
    if [ "$n" -lt 3 ]; then
        check "ABI $n: status says truncate is refused by seccomp" status_has approximated "ABI $n: truncate"
    fi
    if [ "$n" -lt 4 ]; then
        check "ABI $n: status says no TCP rules (seccomp alone)" status_has approximated "ABI $n: no TCP rules"
    fi
    if [ "$n" -lt 6 ]; then
        check "ABI $n: status says socket(AF_UNIX) is refused" status_has approximated "ABI $n: socket(AF_UNIX) is refused"
        check "ABI $n: the signal scope is listed as weakened" status_has weakened "ABI $n cannot stop signals"
        abi_run "$n" --policy "$FIX/ll.toml" -- python3 -c 'import socket; a, b = socket.socketpair(); a.send(b"x"); assert b.recv(1) == b"x"'
        expect_rc 0 "ABI $n: socketpair() still works"
    else
        check "ABI $n: nothing weakened" test -z "$(status_list weakened)"
    fi
    # escalate: a gap of this ABI is a refusal (122) before anything runs.
    abi_run "$n" --policy "$FIX/plain.toml" -- touch "$WS/ran-escalate-$n"
    if [ "$n" -lt 6 ]; then
        expect_rc 122 "ABI $n escalate: exits 122"
        check "ABI $n escalate: nothing ran" test ! -e "$WS/ran-escalate-$n"
        check "ABI $n escalate: outcome needs_approval" test "$(status_field "$FIX/.status" outcome)" = needs_approval
        check "ABI $n escalate: the message says sandbox" grep -q sandbox "$ERR"
    else
        expect_rc 0 "ABI $n escalate: nothing to refuse, the command runs"
    fi
    # weaken: runs, and lists what it dropped.
    abi_run "$n" --policy "$FIX/plain-weaken.toml" -- true
    expect_rc 0 "ABI $n weaken: the command runs"
    if [ "$n" -lt 3 ]; then
        check "ABI $n weaken: truncate is listed as weakened" status_has weakened "truncate"
    fi
    if [ "$n" -lt 6 ]; then
        check "ABI $n weaken: abstract unix sockets are listed as weakened" status_has weakened "abstract unix"
    fi
done
# ABI 1: no REFER right, so moving a file to another directory is refused (EXDEV) everywhere.
abi_run 1 --policy "$FIX/ll.toml" -- sh -c 'mkdir -p src/m && touch src/m/f && mv src/m/f src/f'
diag "ABI 1: cross-directory rename exit $RC (mv falls back to copy+unlink on EXDEV)"
check "ABI 1: status says cross-directory renames are refused" status_has approximated "ABI 1: renaming"

# A writable root with more entries beside a protected one than sbxrun may hold open: each is
# granted on an open descriptor, so the ruleset cannot be made. It says which directory and what
# to do (it said "Too many open files" alone), exits 123, and runs nothing.
mkdir -p "$FIX/big/secret"
for i in $(seq 400); do : >"$FIX/big/f$i"; done
printf 'version = 1\n[filesystem]\nwrite = ["%s"]\nprotect = ["%s"]\n' "$FIX/big" "$FIX/big/secret" \
    >"$FIX/big.toml"
own_fix
(cd "$WS" && ulimit -n 300 && as_runner "$SBXRUN" --backend landlock --policy "$FIX/big.toml" \
    -- touch "$FIX/big/ran") >"$OUT" 2>"$ERR"
RC=$?
expect_rc 123 "a directory of 400 entries above a protected one, 300 descriptors: exits 123"
check "  ... naming the directory and the limit" grep -q "^  $FIX/big has 40[0-9] entries.*(300, ulimit -Hn)" "$ERR"
check "  ... and nothing ran" test ! -e "$FIX/big/ran"
sbx --backend landlock --policy "$FIX/big.toml" -- touch "$FIX/big/ran"
expect_rc 0 "  ... with the usual limit, the same policy runs"

# The plan holds a descriptor per protected path until the sandbox is set up: 400 protected
# directories under a limit of 300 open files cannot be planned. It says how many were open
# and what to do, and names the path (it said "cannot open path component: Too many open
# files" of the rule alone), exits 123, and runs nothing.
mkdir -p "$FIX/many"
names=
for i in $(seq 400); do mkdir -p "$FIX/many/d$i"; names="$names\"d$i\","; done
printf 'version = 1\n[filesystem]\nwrite = ["%s"]\nprotect = [%s]\n' "$FIX/many" "${names%,}" \
    >"$FIX/many.toml"
own_fix
(cd "$WS" && ulimit -n 300 && as_runner "$SBXRUN" --policy "$FIX/many.toml" \
    -- touch "$FIX/many/ran") >"$OUT" 2>"$ERR"
RC=$?
expect_rc 123 "400 protected directories, 300 descriptors: exits 123"
check "  ... saying how many descriptors the plan held" \
    grep -q "^  the plan holds one descriptor per path .*: [0-9]* were open when the limit of open files (300, ulimit -n) ran out" "$ERR"
check "  ... naming the path" grep -q "cannot resolve '$FIX/many/d[0-9]*'" "$ERR"
check "  ... and nothing ran" test ! -e "$FIX/many/ran"

kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
check "ABI runs: nothing created outside" test "$(fingerprint "$FIX/outside")" = "$host_before"
check "ABI runs: .git unchanged" test "$(fingerprint "$WS/.git")" = "$git_before"
done_testing
