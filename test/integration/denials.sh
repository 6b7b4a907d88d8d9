#!/bin/bash
# Issue 15: what the sandbox refused the command's file system calls, in the status document's
# denials.filesystem (op, path, count, why, rule), in one last line on stderr, and as a
# suggestion_policy the example harnesses offer and rerun with. On both backends: each refusal
# appears exactly once with the right cause, a flood of refusals stays bounded, and the host is
# left as it was by the refused run.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
PY=$(command -v /usr/bin/python3 || command -v python3)
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
make_workspace
echo 'ref: refs/heads/main' >"$WS/.git/HEAD"
mkdir -p "$FIX/home/.cache/tool"
echo keep >"$FIX/home/.cache/tool/old"
own_fix
H=$FIX/home
ST=$FIX/status.json

# denial OP PATH: the entries of denials.filesystem for OP on PATH, as "count|why|rule".
denial() {
    python3 - "$ST" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["denials"]["filesystem"]:
    if e["op"] == sys.argv[2] and e["path"] == sys.argv[3]:
        print("%s|%s|%s" % (e["count"], e["why"], e["rule"]))
PY
}
expect_denial() {  # expect_denial OP PATH "count|why|rule-prefix" description
    local got
    got=$(denial "$1" "$2")
    case "$got" in
        "$3"*) if [ "$(printf '%s\n' "$got" | wc -l)" = 1 ]; then ok "$4"; else
                   not_ok "$4 (listed more than once: $got)"; fi ;;
        *) not_ok "$4 (got '${got:-nothing}', expected '$3...')" ;;
    esac
}

for backend in bwrap landlock; do
    if ! (cd "$WS" && as_runner "$SBXRUN" --backend "$backend" -- true) >/dev/null 2>&1; then
        ok "# SKIP $backend: the backend cannot run here as $SBXRUN_AS"
        continue
    fi
    B=(--backend "$backend")
    printf 'version = 1\n[backend]\norder = ["%s"]\n' "$backend" >"$FIX/only-$backend.toml"
    before=$(fingerprint "$FIX/home"; fingerprint "$FIX/outside"; fingerprint "$WS/.git")
    sbx "${B[@]}" --status-file "$ST" -- sh -c '
        mkdir -p "$HOME/.cache/tool/x"
        echo new >"$0/outside/file.txt"
        python3 -c "import os, sys; os.open(sys.argv[1], os.O_WRONLY)" "$0/outside/file.txt"
        rm -f "$0/outside/file.txt"
        mv "$HOME/.cache/tool/old" "$HOME/.cache/tool/new"
        touch .git/planted
        mkdir .codex
        for i in 1 2 3; do touch "$HOME/.cache/tool/y"; done
        exit 3' "$FIX"
    expect_rc 3 "$backend: the command's own status passes through"
    expect_denial create "$H/.cache/tool/x" "1|outside every writable root|None" \
        "$backend: a directory made outside the writable roots"
    expect_denial write "$FIX/outside/file.txt" "2|outside every writable root|None" \
        "$backend: an existing file opened for writing outside (O_CREAT | O_TRUNC, then O_WRONLY)"
    expect_denial remove "$FIX/outside/file.txt" "1|outside every writable root|None" \
        "$backend: a file removed outside"
    expect_denial rename "$H/.cache/tool/old" "1|outside every writable root|None" \
        "$backend: a rename outside"
    expect_denial create "$WS/.git/planted" '1|protected|filesystem.protect ".git"' \
        "$backend: a file planted in the protected .git, with its rule"
    expect_denial create "$WS/.codex" '1|protected|filesystem.protect ".codex"' \
        "$backend: a missing protected name made, with its rule"
    expect_denial create "$H/.cache/tool/y" "3|outside every writable root|None" \
        "$backend: three refusals of one path are one entry with count 3"
    check "  $backend: complete is false (reads and calls on descriptors are not seen)" \
        test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["denials"]["complete"])' "$ST")" = False
    check "  $backend: one last line on stderr says what was refused" \
        grep -q "^sbxrun: refused 10 writes: 8 outside every writable root, most under ~/\.cache/tool, 2 to protected paths (\.git, \.codex); the status document lists each$" "$ERR"
    after=$(fingerprint "$FIX/home"; fingerprint "$FIX/outside"; fingerprint "$WS/.git")
    check "  $backend: the host is as it was" test "$before" = "$after"
    check "  $backend: suggestion_policy: the tool's directory after the run's roots (nothing outside \$HOME)" \
        test "$(status_field "$ST" suggestion_policy)" = "version = 1
[filesystem]
write = [\"$WS\", \"$FIX/tmp\", \"~/.cache/tool\"]"
    sbx "${B[@]}" -q --status-file "$ST" -- sh -c 'touch "$HOME/z" 2>/dev/null; true'
    check "  $backend: -q hides the line (the document still lists it)" \
        test ! -s "$ERR" -a "$(denial create "$H/z")" = "1|outside every writable root|None"
    # A name with a backslash and an escape character: written \x5c and \x1b, once, in the
    # document and on stderr alike (stderr showed \x5cx5cx5c: each layer escaped it again).
    sbx "${B[@]}" --status-file "$ST" -- sh -c 'touch "$HOME/a\\b$(printf "\033")c" 2>/dev/null; true'
    check "  $backend: an odd name is escaped once, in the document and on stderr" \
        test "$(denial create "$H/a\x5cb\x1bc")" = "1|outside every writable root|None" -a \
        "$(tail -n 1 "$ERR")" = 'sbxrun: refused a write to ~/a\x5cb\x1bc (outside every writable root); the status document lists each'
    sbx "${B[@]}" --status-file "$ST" -- true
    check "  $backend: nothing refused: an empty list, no line, no suggestion" \
        test -z "$(grep "refused" "$ERR")" -a "$(status_field "$ST" suggestion_policy)" = null -a \
        -z "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["denials"]["filesystem"] or "")' "$ST")"

    # Writes to existing protected files, each a read-only mount of its own in a writable
    # directory (missed under bwrap until the fourteenth outside review).
    echo '{}' >"$WS/.mcp.json"
    echo orig >"$WS/dotbashrc"
    ln -sfn "$WS/dotbashrc" "$H/.bashrc"
    own_fix
    sbx "${B[@]}" -q --status-file "$ST" -- sh -c \
        'echo x >>.mcp.json; echo x >>dotbashrc; echo x >>"$HOME/.bashrc"; true' 2>/dev/null
    expect_denial write "$WS/.mcp.json" '1|protected|filesystem.protect ".mcp.json"' \
        "$backend: a write to a protected file at the workspace's top"
    expect_denial write "$WS/dotbashrc" '1|protected|filesystem.protect ".bashrc"' \
        "$backend: a write to the workspace file ~/.bashrc links to"
    expect_denial write "$H/.bashrc" '1|protected|filesystem.protect ".bashrc"' \
        "$backend: a write through ~/.bashrc itself"
    # Metadata calls (answered by sbxrun under Landlock, by sbxrun-inner under bwrap; on a path
    # or a descriptor), and under bwrap truncate(2) and hard links: each refusal noted with
    # its op.
    echo x >"$WS/lk"
    echo x >"$FIX/outside/trunc.txt"
    echo x >"$FIX/outside/by-fd.txt"
    own_fix
    sbx "${B[@]}" -q --status-file "$ST" -- sh -c '
        chmod 600 .mcp.json; touch -m "$0/outside/file.txt"
        python3 -c "import os, sys; os.fchmod(os.open(sys.argv[1], os.O_RDONLY), 0o600)" \
            "$0/outside/by-fd.txt"
        python3 -c "import os, sys; os.setxattr(sys.argv[1], \"user.x\", b\"1\")" .mcp.json
        python3 -c "import os, sys; os.truncate(sys.argv[1], 0)" "$0/outside/trunc.txt"
        ln lk .gemini
        ln .git/config src/gitcfg; ln "$0/outside/file.txt" src/outside
        ln -s ../.git/HEAD src/headlink; ln -L src/headlink src/head; rm -f src/headlink
        true' "$FIX" 2>/dev/null
    expect_denial chmod "$WS/.mcp.json" '1|protected|filesystem.protect ".mcp.json"' \
        "$backend: a chmod of a protected file"
    expect_denial utime "$FIX/outside/file.txt" "1|outside every writable root|None" \
        "$backend: a change of times outside the writable roots"
    expect_denial xattr "$WS/.mcp.json" '1|protected|filesystem.protect ".mcp.json"' \
        "$backend: an extended attribute set on a protected file"
    expect_denial chmod "$FIX/outside/by-fd.txt" "1|outside every writable root|None" \
        "$backend: a fchmod through a descriptor, outside the writable roots"
    # Under Landlock since the fourteenth session (the kernel refused both unseen).
    expect_denial write "$FIX/outside/trunc.txt" "1|outside every writable root|None" \
        "$backend: truncate(2) outside the writable roots"
    expect_denial create "$WS/.gemini" '1|protected|filesystem.protect ".gemini"' \
        "$backend: a hard link named as a missing protected name"
    # A hard link of a file the command may not change, into a writable directory: EXDEV
    # (bwrap: a mount of its own; Landlock: REFER), listed at the file.
    expect_denial link "$WS/.git/config" '1|protected|filesystem.protect ".git"' \
        "$backend: a hard link of a protected file into the workspace, at the file"
    expect_denial link "$FIX/outside/file.txt" "1|outside every writable root|None" \
        "$backend: a hard link of a file outside the writable roots into the workspace"
    expect_denial link "$WS/.git/HEAD" '1|protected|filesystem.protect ".git"' \
        "$backend: a hard link through a symbolic link (ln -L), at the file it leads to"
    check "  $backend: ... neither made, nor listed as a create" test ! -e "$WS/src/gitcfg" -a \
        ! -e "$WS/src/outside" -a -z "$(denial create "$WS/src/gitcfg")$(denial create "$WS/src/outside")"
    # truncate(2) of a file made at the workspace's top during the run: allowed by the policy
    # (Landlock alone refused it: sbxrun now truncates it); nothing listed.
    sbx "${B[@]}" -q --status-file "$ST" -- python3 -c '
import os
open("made.txt", "w").write("12345")
os.truncate("made.txt", 2)
print(open("made.txt").read())'
    check "  $backend: truncate(2) of a file new at the workspace's top works, unlisted" \
        test "$RC" = 0 -a "$(cat "$OUT")" = 12 -a -z "$(denial write "$WS/made.txt")"
    # ... within the command's own file-size limit, which binds sbxrun's truncate as the
    # kernel's (thirty-sixth review: `ulimit -f 1` and a 1 GB truncate went through). Made in
    # this run, so that under Landlock it is new at the top and sbxrun truncates it.
    rm -f "$WS/made.txt"
    sbx "${B[@]}" -q -- sh -c 'ulimit -f 1; python3 -c "
import os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
open(\"made.txt\", \"w\").close()
try: os.truncate(\"made.txt\", 10**9)
except OSError as e: print(e.errno)
print(os.path.getsize(\"made.txt\"))"'
    check "  $backend: ... and within the command's RLIMIT_FSIZE (EFBIG, nothing grown)" \
        test "$(cat "$OUT" | tr '\n' ' ')" = "27 0 "
    rm -f "$WS/made.txt"
    # Not refusals, and so not listed (twenty-sixth review): a device written through its
    # read-only mount, truncate(2) of a FIFO (EINVAL), an open a file's own mode refuses
    # (EACCES before any mount); a chmod through a workspace link is listed where it landed.
    mkfifo "$FIX/outside/fifo"
    echo x >"$FIX/outside/mode444" && chmod 444 "$FIX/outside/mode444"
    ln -sfn "$FIX/outside/file.txt" "$WS/lnk"
    own_fix
    sbx "${B[@]}" -q --status-file "$ST" -- sh -c '
        echo x >/dev/null; echo y >>/dev/null
        python3 -c "import os, sys; os.truncate(sys.argv[1], 0)" "$0/outside/fifo"
        python3 -c "import os, sys; os.open(sys.argv[1], os.O_RDWR)" "$0/outside/mode444"
        chmod 600 lnk
        true' "$FIX" 2>/dev/null
    check "  $backend: writes to /dev/null are not refusals" test -z "$(denial write /dev/null)"
    check "  $backend: truncate(2) of a FIFO is not a refusal" test -z "$(denial write "$FIX/outside/fifo")"
    check "  $backend: an open refused by the file's own mode is not listed" \
        test -z "$(denial write "$FIX/outside/mode444")"
    check "  $backend: a chmod through a workspace link is listed where it landed, not at the link" \
        test -z "$(denial chmod "$WS/lnk")"
    if [ "$backend" = bwrap ]; then
        expect_denial chmod "$FIX/outside/file.txt" "1|outside every writable root|None" \
            "bwrap: ... at the file it reached"
    fi
    rm -f "$FIX/outside/fifo" "$FIX/outside/mode444" "$WS/lnk"
    check "  $backend: the protected file and the outside one are unchanged" \
        test "$(cat "$WS/.mcp.json")" = '{}' -a -s "$FIX/outside/file.txt" -a -s "$FIX/outside/trunc.txt"
    rm -f "$WS/lk" "$FIX/outside/trunc.txt"
    rm -f "$WS/.mcp.json" "$WS/dotbashrc" "$H/.bashrc"

    # The seed's link farm: .codex links into the workspace. Removing or moving the pinned link,
    # the directory that anchors its target, or the protected target itself: each refused once
    # and listed once (bwrap answered EBUSY for these mount points and listed none of them
    # until the fourteenth session; ln -sfn renames a new link over the pinned one).
    mkdir -p "$WS/.aux/codex"
    ln -sfn .aux/codex "$WS/.codex"
    own_fix
    sbx "${B[@]}" -q --status-file "$ST" -- sh -c '
        rm .codex; mv .codex moved; ln -sfn /tmp .codex; mv .aux aux2; rmdir .aux/codex
        python3 -c "import os; os.rename(\".aux/codex\", \"codex-out\")"
        true' 2>/dev/null
    P='1|protected|filesystem.protect ".codex"'
    expect_denial remove "$WS/.codex" "$P" "$backend: removing the pinned link .codex"
    expect_denial rename "$WS/.codex" "2|protected|filesystem.protect \".codex\"" \
        "$backend: moving it, and ln -sfn renaming a link over it: one entry, count 2"
    expect_denial rename "$WS/.aux" "$P" "$backend: moving the directory that holds its target"
    expect_denial remove "$WS/.aux/codex" "$P" "$backend: removing the protected target"
    expect_denial rename "$WS/.aux/codex" "$P" \
        "$backend: renaming the target out of its directory (bwrap: EXDEV, unlisted until the thirty-sixth review)"
    check "  $backend: nothing else is listed (not ln's temporary link)" test "$(python3 -c '
import json, sys
print(len(json.load(open(sys.argv[1]))["denials"]["filesystem"]))' "$ST")" = 5
    check "  $backend: the farm is as it was" \
        test "$(readlink "$WS/.codex")" = .aux/codex -a -d "$WS/.aux/codex" -a ! -e "$WS/moved"
    rm -rf "$WS/.codex" "$WS/.aux"

    # A write through a link to a protected file is the protected file's refusal, listed at the
    # name the command used (it was "outside every writable root", and at the link).
    ln -s .git/config "$WS/gitcfg"
    own_fix
    sbx "${B[@]}" --status-file "$ST" -- sh -c 'echo x >>gitcfg'
    expect_denial write "$WS/gitcfg" '1|protected|filesystem.protect ".git"' \
        "$backend: a write through a link to .git/config: protected, with the rule"
    check "  $backend: .git/config is as it was" sh -c "! grep -qx x '$WS/.git/config'"
    rm -f "$WS/gitcfg"
    # Through a dangling link to a missing protected name: a create of that name, refused by
    # the kernel unseen until the forty-third review.
    ln -s .envrc "$WS/dangling"
    own_fix
    sbx "${B[@]}" --status-file "$ST" -- sh -c 'echo x >dangling'
    expect_denial create "$WS/dangling" '1|protected|filesystem.protect ".envrc"' \
        "$backend: a write through a dangling link to a missing .envrc: a protected create"
    check "  $backend: no .envrc was made" test ! -e "$WS/.envrc"
    rm -f "$WS/dangling"
    # ... and to a name that may be made there: made, as if named (it was refused on both
    # backends: the kernel cannot make entries at a writable root's top, sbxrun makes them).
    ln -s notes.txt "$WS/dangling"
    own_fix
    sbx "${B[@]}" --status-file "$ST" -- sh -c 'echo made >dangling'
    expect_rc 0 "$backend: a write through a dangling link to an allowed new name at the top succeeds"
    check "  $backend: ... the file it names was made, with what was written" grep -qx made "$WS/notes.txt"
    check "  $backend: ... and nothing is listed as refused" \
        test -z "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["denials"]["filesystem"] or "")' "$ST")"
    rm -f "$WS/dangling" "$WS/notes.txt"

    # A flood: 2,000 paths and 20,000 repeats of one, refused; the list stays bounded.
    sbx "${B[@]}" -q --status-file "$ST" -- python3 -c '
import os
h = os.environ["HOME"]
for i in range(2000):
    try: os.mkdir("%s/f%d" % (h, i))
    except OSError: pass
for i in range(20000):
    try: os.mkdir(h + "/f0")
    except OSError: pass'
    check "  $backend: a flood of refusals: 256 entries kept, the rest counted in dropped" \
        test "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
fs = d["filesystem"]
print(len(fs), d["dropped"], [e["count"] for e in fs if e["path"].endswith("/f0")])' "$ST")" = "256 1744 [20001]"

    # The example harness turns the refusal into a prompt, and the rerun with the suggested
    # layer works.
    for h in python node; do
        interp=$PY script=$EXAMPLES/harness.py
        if [ $h = node ]; then
            interp=$(command -v /usr/bin/node || command -v node || true)
            script=$EXAMPLES/harness.mjs
            [ -n "$interp" ] || { ok "# SKIP $backend: harness.mjs: node is not installed"; continue; }
        fi
        (cd "$WS" && as_runner env SBXRUN="$SBXRUN" "$interp" "$script" --yes --policy "$FIX/only-$backend.toml" -- \
            sh -c 'mkdir -p "$HOME/.cache/tool/made" && echo made') >"$OUT" 2>"$ERR" </dev/null
        RC=$?
        expect_rc 0 "$backend: $h harness: the rerun with the suggested layer succeeds"
        check "  $backend: $h harness: it showed the refusal and the layer" \
            grep -q "suggested policy layer" "$ERR"
        check "  $backend: $h harness: the directory was made by the approved rerun" \
            test -d "$H/.cache/tool/made" -a "$(grep -c made "$OUT")" = 1
        rm -rf "$H/.cache/tool/made"
    done
    rm -f "$H"/z
done
done_testing
