#!/bin/bash
# Issue 14 part 3: the Landlock fallback stays usable with the default policy. The workspace root
# and ${tmpdir} hold protected names (.git exists, .agents and .codex must not be created), which
# Landlock can keep only by withholding entry changes in the whole root; sbxrun performs the
# allowed ones for the command (run/entry_notify.hpp). Each everyday step below failed before.
. "$(dirname "$0")/lib.sh"
make_workspace
echo "[core]" >"$WS/.git/config"
own_fix
if ! (cd "$WS" && as_runner "$SBXRUN" --backend landlock -- true) >/dev/null 2>&1; then
    skip_all "the Landlock backend cannot run here as $SBXRUN_AS"
fi
L=(--backend landlock)

# step "description" SHELL-COMMAND: must succeed inside the sandbox.
step() {
    sbx "${L[@]}" -- sh -c "$2"
    expect_rc 0 "landlock: $1"
}

step "mktemp in \${tmpdir}" 't=$(mktemp) && echo x >"$t" && test "$(cat "$t")" = x && rm "$t"'
step "mktemp -d in \${tmpdir}, and a tree in it" 'd=$(mktemp -d) && mkdir -p "$d/a/b" && echo x >"$d/a/b/c" && rm -r "$d"'
step "touch a new file at the workspace root, then append to it" 'touch new.txt && echo hi >>new.txt && test "$(cat new.txt)" = hi'
check "  and it is on the host" test "$(cat "$WS/new.txt")" = hi
step "mkdir at the root, and a tree below the new directory" 'mkdir -p build/obj/x && echo o >build/obj/x/a.o && mv build/obj/x/a.o build/a.o && test -f build/a.o'
step "an editor's save: write a temp file, rename it over the original" 'echo v1 >notes.txt && echo v2 >.notes.txt.swp && mv .notes.txt.swp notes.txt && test "$(cat notes.txt)" = v2'
check "  the host sees the saved content" test "$(cat "$WS/notes.txt")" = v2
step "rename and remove at the root" 'echo a >one && mv one two && rm two && test ! -e one && test ! -e two'
step "a symlink at the root" 'ln -s src/file.txt link && test "$(cat link)" = hello && rm link'
step "chmod +x a new script and run it" 'printf "#!/bin/sh\necho ran\n" >run.sh && chmod +x run.sh && test "$(./run.sh)" = ran'
step "the command's umask is kept" 'umask 077 && touch private && test "$(stat -c %a private)" = 600 && mkdir pdir && test "$(stat -c %a pdir)" = 700'
step "rm -rf of a new tree" 'mkdir -p gone/a/b && touch gone/a/b/c && rm -rf gone && test ! -e gone'
if command -v git >/dev/null; then
    step "git init and a commit in a new subdirectory" 'git init -q sub && cd sub && echo x >f && git add f && git -c user.name=t -c user.email=t@t commit -qm one && git log --oneline | grep -q one'
else
    diag "git is not installed: git init is not run"
fi
if python3 -c 'import venv' 2>/dev/null; then
    step "python3 -m venv .venv (without pip)" 'python3 -m venv --without-pip .venv && .venv/bin/python -c "import sys; print(sys.prefix)" | grep -q "/.venv$"'
fi
# What is still refused, with the default policy, after all of the above:
sbx "${L[@]}" -- sh -c 'mkdir .agents'
expect_denied "landlock: the missing .agents still cannot be created"
sbx "${L[@]}" -- sh -c 'mkdir x && mv x .agents'
expect_denied "landlock: nor renamed into place"
sbx "${L[@]}" -- sh -c 'touch .git/new'
expect_denied "landlock: .git still takes no new entry"
sbx "${L[@]}" -- sh -c 'mv .git g'
expect_denied "landlock: nor can .git be renamed away"
check "the host has no .agents" test ! -e "$WS/.agents"
# What the run gives up is said before the command's output, not under it (issue 17).
(cd "$WS" && as_runner "$SBXRUN" --backend landlock -- sh -c 'echo from-the-command >&2') \
    >/dev/null 2>"$ERR"
check "landlock: the approximated line comes first, the command's output last" \
    sh -c "head -1 '$ERR' | grep -q '^sbxrun: warning: approximated: ' && tail -1 '$ERR' | grep -qx from-the-command"
check "the host's .git has no new entry" test ! -e "$WS/.git/new"
check "the host's .git is where it was" test -f "$WS/.git/config"
# A hard link is never made by sbxrun: still refused at the top of a root (documented).
sbx "${L[@]}" -- sh -c 'echo a >hl-src && ln hl-src hl'
expect_denied "landlock: a hard link at the root is refused (documented in approximated)"
sbx "${L[@]}" --status-file "$FIX/.status" -- true
approx=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["approximated"]))' "$FIX/.status")
check "approximated says who makes the entries at the root" sh -c "printf '%s\n' \"\$1\" | grep -q \"^$WS: new entries, removals and renames at its top are made by sbxrun\"" - "$approx"
done_testing
