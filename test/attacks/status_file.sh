#!/bin/bash
# The next run's --status-file, shaped by this run (found by the fourth outside review): a link
# planted at the name or above it made sbxrun write its document through it (over a file
# outside every writable root, or the protected .git/config), and a hard link planted to the
# name let the command append a forged document after sbxrun's. Each planting run is a real
# sandboxed command; the next run must refuse the path (125) and leave the target as it was.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
mkdir -p "$FIX/outside"
echo victim >"$FIX/outside/victim"
git_config_before=$(cat "$WS/.git/config" 2>/dev/null)
own_fix

# plant "description" SHELL: run it in the sandbox; it must succeed (the planting is allowed).
plant() {
    sbxb -- sh -c "$2"
    if [ "$RC" = 0 ]; then ok "$BACKEND: planted $1"; else
        not_ok "$BACKEND: planted $1 (exit $RC)"
        sed 's/^/#   stderr: /' "$ERR" | head -5
    fi
}
# next "description" STATUS-FILE: the next run with --status-file must refuse it, before running.
next() {
    sbxb --status-file "$2" -- sh -c 'echo ran >"$TMPDIR/ran"'
    if [ "$RC" = 125 ] && grep -q -- "--status-file" "$ERR" && [ ! -e "$FIX/tmp/ran" ]; then
        ok "$BACKEND: $1"
    else
        not_ok "$BACKEND: $1 (exit $RC, ran: $(test -e "$FIX/tmp/ran" && echo yes || echo no))"
        sed 's/^/#   stderr: /' "$ERR" | head -5
    fi
    rm -f "$FIX/tmp/ran"
}

plant "a link at the status file's name" "ln -s '$FIX/outside/victim' status.json"
next "a status file that is a link is refused" status.json
check "the link's target outside the writable roots is unchanged" \
    test "$(cat "$FIX/outside/victim")" = victim
plant "a link to the protected .git/config" "rm -f status.json; ln -s .git/config status.json"
next "a status file linked to .git/config is refused" status.json
check ".git/config is unchanged" test "$(cat "$WS/.git/config" 2>/dev/null)" = "$git_config_before"

plant "a directory link above the status file" "rm -f status.json; ln -s '$FIX/outside' out"
next "a status file path through a planted directory link is refused" out/status.json
check "nothing was created through the link" test ! -e "$FIX/outside/status.json"

mkdir -p "$WS/d" && own_fix  # an existing directory: under Landlock, new ones take no links
plant "a hard link to the status file" "echo old >d/s.json && ln d/s.json d/hl"
next "a status file with another name is refused" d/s.json
check "the hard-linked file is unchanged" test "$(cat "$WS/d/s.json")" = old

# Without a planted name: the command cannot add to the document, whatever it writes.
rm -rf "$WS/sub" "$WS/d" "$WS/out" "$WS/status.json"
sbxb --status-file s.json -- sh -c 'printf "%2000s{\"sbxrun_status\":1,\"exit_code\":0}\n" "" >>s.json 2>/dev/null; exit 7'
check "$BACKEND: the status file holds one line, sbxrun's" test "$(wc -l <"$WS/s.json")" = 1
check "$BACKEND: and it says the command's exit status" grep -q '"exit_code":7' "$WS/s.json"
# Names the sandbox chose, reported by the next run: a newline could fake a line of sbxrun's,
# an escape sequence would reach the user's terminal. One line each, escaped.
plant "a link whose name and target hold a newline and an escape sequence" \
    "ln -s \"\$(printf 'x\\nsbxrun: fine\\033[2J')\" \"\$(printf 'lnk\\nsbxrun: ok')\""
printf 'version = 1\n[filesystem]\nsymlinks = "escalate"\nprotect = ["${workspace}/lnk\\nsbxrun: ok"]\n' \
    >"$FIX/escalate.toml"
sbxb --policy "$FIX/escalate.toml" --status-file "$FIX/esc.json" -- true
expect_rc 122 "$BACKEND: the next run asks about the link"
check "no escape character reaches stderr" sh -c "! grep -q \"\$(printf '\\033')\" '$ERR'"
check "no line of stderr is forged" sh -c "! grep -q '^sbxrun: ok\\|^sbxrun: fine' '$ERR'"
check "the status document is one line" test "$(wc -l <"$FIX/esc.json")" = 1
check "its reason shows the newline escaped" grep -q 'lnk\\\\nsbxrun: ok' "$FIX/esc.json"
rm -f "$WS/lnk"* "$WS/x"*
# A FIFO: the command could write a document of its own before sbxrun's, and one with no
# reader made sbxrun block in open(2) (fifth outside review). Refused at once.
plant "a FIFO at the next run's status file" 'mkfifo fifo.json'
sbxb --status-file fifo.json -- true
expect_rc 125 "$BACKEND: a FIFO as the status file is refused, without waiting for a reader"
rm -f "$WS/fifo.json"
# --explain prints names the sandbox chose escaped too.
plant "a protected link named with an escape sequence" \
    "ln -s x \"\$(printf 'e\\033]0;title\\007\\nsbxrun: forged')\""
printf 'version = 1\n[filesystem]\nprotect = ["${workspace}/e\\u001b]0;title\\u0007\\nsbxrun: forged"]\n' \
    >"$FIX/explain.toml"
sbxb --policy "$FIX/explain.toml" --explain -- true
check "$BACKEND: --explain prints no escape or bell byte" sh -c "! grep -q \"\$(printf '\\033\\|\\007')\" '$OUT'"
check "$BACKEND: nor a forged line" sh -c "! grep -q '^sbxrun: forged' '$OUT'"
rm -f "$WS"/e*
# A kernel file takes writes as commands; refused before anything runs.
sbxb --status-file /proc/self/comm -- true
expect_rc 125 "$BACKEND: a /proc file as the status file is refused"
done_testing
