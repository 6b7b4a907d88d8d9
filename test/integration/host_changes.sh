#!/bin/bash
# What the host changes while the sandbox runs (thirty-ninth review): an editor saving a
# protected file by rename, a tool rewriting a denied file or making a denied directory anew,
# a denied path that was missing at the start. The command waits for the host's change (a
# handshake through the workspace, no sleeps), then tries to read and write what took the
# old object's place.
# - Landlock: what is new at a protected or denied name has no rule, and sbxrun's broker judges
#   the name as well as the identity: refused, on every route (it opened such a file for
#   reading and writing before).
# - bwrap: the kernel detaches a mount whose mount point another namespace renames over or
#   removes, so the protection lapses; nothing can keep the host from doing it, and the run
#   says so afterwards (stderr and the status document's `unchecked`), path by path.
# - Both: a denied path the host makes during the run is listed in `unchecked`.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
make_workspace
ST=$FIX/status.json
printf 'version = 1\n[filesystem]\ndeny = ["${workspace}/cred.txt", "${workspace}/a/secret", "%s"]\nprotect = ["@agent-config", "${workspace}/prot.txt"]\n' \
    "$FIX/outside/late.txt" >"$FIX/deny.toml"

# The command: say it is ready, wait for the host, then read and write each replaced path by
# every route (plain reads, O_RDWR and O_APPEND opens, mkdir, chmod).
cat >"$FIX/probe.py" <<'PY'
import os, time
open("ready", "w").close()
for _ in range(400):
    if os.path.exists("go"):
        break
    time.sleep(0.05)
def attempt(what, f):
    try:
        print(what, "DONE", f())
    except OSError as e:
        print(what, "refused", e.errno)
for p in ("cred.txt", "a/secret/k", ".mcp.json"):
    attempt("read " + p, lambda: open(p).read().strip())
    attempt("rdwr " + p, lambda: os.read(os.open(p, os.O_RDWR), 99))
    attempt("append " + p, lambda: os.write(os.open(p, os.O_WRONLY | os.O_APPEND), b"PLANT"))
attempt("mkdir", lambda: os.mkdir("a/secret/planted"))
attempt("chmod", lambda: os.chmod("cred.txt", 0o666))
PY

# run BACKEND: one run, with the host's changes made while the command waits.
run() {
    (cd "$WS" && rm -rf cred.txt a .mcp.json ready go &&
        echo OLDSECRET >cred.txt && mkdir -p a/secret && echo OLDKEY >a/secret/k &&
        echo '{}' >.mcp.json && echo PROT >prot.txt && echo PRE >pre.txt &&
        rm -f "$FIX/outside/late.txt")
    own_fix
    (
        for _ in $(seq 400); do [ -e "$WS/ready" ] && break; sleep 0.05; done
        as_runner sh -c 'cd "$1" && echo NEWSECRET >c.tmp && mv c.tmp cred.txt &&
            mv a/secret a/secret.old && mkdir a/secret && echo NEWKEY >a/secret/k &&
            echo "{\"host\": 1}" >m.tmp && mv m.tmp .mcp.json && mv pre.txt prot.txt &&
            echo LATE >"$2/outside/late.txt" && touch go' sh "$WS" "$FIX"
    ) &
    sbx --backend "$1" --policy "$FIX/deny.toml" --status-file "$ST" -- python3 "$FIX/probe.py"
    wait
}
unchecked_has() {
    python3 -c 'import json, sys
u = json.load(open(sys.argv[1]))["unchecked"]
sys.exit(0 if any(l.startswith(sys.argv[2] + " ") and sys.argv[3] in l for l in u) else 1)' \
        "$ST" "$1" "$2"
}
host_as_the_host_left_it() {
    [ "$(cat "$WS/cred.txt")" = NEWSECRET ] && [ "$(cat "$WS/a/secret/k")" = NEWKEY ] &&
        [ "$(cat "$WS/.mcp.json")" = '{"host": 1}' ] && [ ! -e "$WS/a/secret/planted" ]
}

if (cd "$WS" && as_runner "$SBXRUN" --backend landlock -- true) >/dev/null 2>&1; then
    run landlock
    check "landlock: the run ends normally" test "$RC" = 0
    check "landlock: nothing the host put at a denied or protected name was read" \
        sh -c "! grep -q 'DONE' '$OUT'"
    check "landlock: ... nor written, made or changed (the host has what it left)" \
        host_as_the_host_left_it
    check "landlock: the replaced denied file's mode is the host's" \
        test "$(stat -c %a "$WS/cred.txt")" != 666
    check "landlock: the refused writes are listed as refusals of the denied paths" \
        python3 -c 'import json, sys
fs = json.load(open(sys.argv[1]))["denials"]["filesystem"]
assert {(e["op"], e["path"], e["why"]) for e in fs} >= {
    ("write", sys.argv[2] + "/cred.txt", "denied"),
    ("create", sys.argv[2] + "/a/secret/planted", "denied")}, fs' "$ST" "$WS"
    check "landlock: the denied path the host made is in unchecked" \
        unchecked_has "$FIX/outside/late.txt" "could read it"
    # A file that existed before the run keeps its Landlock rule when the host renames it over
    # a protected name (forty-first review): that cannot be taken back; it is said.
    check "landlock: a file the host renamed over a protected name is in unchecked" \
        unchecked_has "$WS/prot.txt" "kept the rights it had in the sandbox before"
    check "landlock: ... as are the replaced denied file and directory" \
        sh -c "grep -c 'was replaced on the host during the run' '$ERR' | grep -qx 4"
else
    ok "# SKIP landlock cannot run here as $SBXRUN_AS"
fi

if (cd "$WS" && as_runner "$SBXRUN" --backend bwrap -- true) >/dev/null 2>&1; then
    run bwrap
    check "bwrap: the run ends normally" test "$RC" = 0
    check "bwrap: the replaced denied file is in unchecked (its mount went with it)" \
        unchecked_has "$WS/cred.txt" "was replaced on the host during the run (hidden by"
    check "bwrap: the replaced denied directory too" \
        unchecked_has "$WS/a/secret" "was replaced on the host during the run (hidden by"
    check "bwrap: the replaced protected file too, as writable from then on" \
        unchecked_has "$WS/.mcp.json" "could write what took its place"
    check "bwrap: the denied path the host made is in unchecked" \
        unchecked_has "$FIX/outside/late.txt" "could read it"
    check "bwrap: the protected file the host renamed a file over too" \
        unchecked_has "$WS/prot.txt" "could write what took its place"
    check "bwrap: each is said on stderr" \
        test "$(grep -c 'on the host during the run\|was made during the run' "$ERR")" = 5
    # A run where the host changes nothing says nothing of the kind.
    (cd "$WS" && rm -f go ready)
    sbx --backend bwrap --policy "$FIX/deny.toml" --status-file "$ST" -- true
    check "bwrap: a run the host left alone has nothing in unchecked" \
        python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["unchecked"] == []' "$ST"
else
    ok "# SKIP bwrap cannot run here as $SBXRUN_AS"
fi
done_testing
