#!/bin/bash
# Issue 14: under bwrap, missing protected names are kept by sbxrun-inner's entry broker
# (inner/entry_broker.hpp) instead of placeholders on the host, and the workspace top and
# ${tmpdir}, where every entry change now goes through it, stay usable with the default policy:
# each everyday step below must work, and what it makes must have the runner's owner and the
# modes its umask gives. Then the fallback (SBXRUN_ENTRY_BROKER=0: placeholders, as on kernels
# without Landlock ABI 2) still keeps the names.
. "$(dirname "$0")/lib.sh"
make_workspace
echo "[core]" >"$WS/.git/config"
own_fix
if ! (cd "$WS" && as_runner "$SBXRUN" --backend bwrap -- true) >/dev/null 2>&1; then
    skip_all "the bwrap backend cannot run here as $SBXRUN_AS"
fi
B=(--backend bwrap)
owner=$([ "$SBXRUN_AS" = user ] && echo "$TEST_USER" || echo root)

step() {
    sbx "${B[@]}" -- sh -c "$2"
    expect_rc 0 "bwrap: $1"
}
# mode_is PATH MODE: on the host, owned by the runner with that mode.
mode_is() {
    local got
    got=$(stat -c '%U %a' "$1" 2>&1)
    if [ "$got" = "$owner $2" ]; then ok "  $1 is '$owner $2' on the host"; else
        not_ok "  $1 is '$owner $2' on the host (got '$got')"; fi
}

step "touch f at the workspace top" 'touch f'
mode_is "$WS/f" 644
step "mkdir d && touch d/x" 'mkdir d && touch d/x'
mode_is "$WS/d" 755
mode_is "$WS/d/x" 644
step "umask 027: a file and a directory" 'umask 027 && echo x >g && mkdir e'
mode_is "$WS/g" 640
mode_is "$WS/e" 750
step "mktemp -p ." 't=$(mktemp -p .) && echo x >"$t" && mv "$t" mk.txt'
mode_is "$WS/mk.txt" 600
step "an editor's save: write a temp file, rename it over the original" 'echo v1 >notes.txt && echo v2 >.notes.txt.swp && mv .notes.txt.swp notes.txt && test "$(cat notes.txt)" = v2'
check "  the host sees the saved content" test "$(cat "$WS/notes.txt")" = v2
step "rm at the top" 'echo a >gone && rm gone && test ! -e gone'
step "mv across directories" 'echo m >mv1 && mv mv1 src/mv1 && mv src/mv1 d/mv2 && mv d/mv2 mv3 && test "$(cat mv3)" = m'
step "a tree below a new top-level directory (through the broker)" 'mkdir -p nd/a/b && echo x >nd/a/b/c && mv nd/a/b/c nd/c && rm -r nd/a && test -f nd/c'
mode_is "$WS/nd/c" 644
step "git init sub" 'git init -q sub && git -C sub -c user.name=t -c user.email=t@t commit -q --allow-empty -m x'
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
    step "python3 -m venv .venv" 'python3 -m venv --without-pip .venv && test -x .venv/bin/python3'
else
    ok "  # SKIP python3 -m venv: no python3 venv/ensurepip here"
fi
mkdir -p "$FIX/tarsrc/t/a" && echo x >"$FIX/tarsrc/t/a/f" && ln -s a/f "$FIX/tarsrc/t/l"
(cd "$FIX/tarsrc" && tar cf "$FIX/tree.tar" t) && own_fix
step "tar x of a small tree at the top" "tar xf '$FIX/tree.tar' && test -f t/a/f && test -L t/l"
mode_is "$WS/t/a/f" 644
step "mktemp and mktemp -d in \${tmpdir}" 't=$(mktemp) && d=$(mktemp -d) && echo x >"$t" && touch "$d/y" && echo y >"$TMPDIR/kept" && rm -r "$t" "$d"'
mode_is "$FIX/tmp/kept" 644
step "a fifo and a symlink at the top" 'mkfifo ff && ln -s f lf && test -p ff && test -L lf'
step "a hard link below an existing directory" 'echo h >src/h1 && ln src/h1 src/h2'
# Hard links where either side is in the broker's directories: made by sbxrun-inner (refused by
# Landlock before, EACCES at the top and EXDEV out of it).
step "a hard link at the workspace top" 'echo k >k1 && ln k1 k2 && test "$(stat -c %h k1)" = 2'
check "  the host sees one file with two names" test "$(stat -c %i "$WS/k1")" = "$(stat -c %i "$WS/k2")"
mode_is "$WS/k2" 644
step "a hard link from a subdirectory to the top, and back" 'echo s >src/s1 && ln src/s1 s2 && ln k1 src/k3'
check "  both are the same files on the host" test "$(stat -c %i "$WS/src/s1")" = "$(stat -c %i "$WS/s2")" -a "$(stat -c %i "$WS/k1")" = "$(stat -c %i "$WS/src/k3")"
step "a hard link into a directory made at the top during the run" 'mkdir nl && ln k1 nl/k && test -f nl/k'
step "ln -L: a hard link of what a symlink names" 'ln -s k1 ks && ln -L ks k4 && test ! -L k4 && test "$(stat -c %i k4)" = "$(stat -c %i k1)"'
step "ln -P: a hard link of the symlink itself" 'ln -P ks k5 && test -L k5'
step "a hard link in \${tmpdir}" 'echo t >"$TMPDIR/t1" && ln "$TMPDIR/t1" "$TMPDIR/t2"'

# The names stay missing, and nothing stood in for them on the host.
sbx "${B[@]}" -- sh -c 'mkdir .claude'
expect_denied "bwrap: mkdir .claude is refused"
check "  with 'Permission denied'" grep -q 'Permission denied' "$ERR"
sbx "${B[@]}" -- sh -c 'ln k1 .claude'
expect_denied "bwrap: a hard link named .claude is refused"
check "  with 'Permission denied'" grep -q 'Permission denied' "$ERR"
sbx "${B[@]}" -- sh -c 'ln k1 .VSCode'
expect_denied "bwrap: a hard link named .VSCode (another case) is refused"
sbx "${B[@]}" -- sh -c 'ln -s k1 kc && ln -L kc .envrc'
expect_denied "bwrap: ln -L to .envrc is refused"
check "  no .claude, .vscode or .envrc on the host" sh -c "! ls -A '$WS' | grep -qx -e .claude -e .vscode -e .envrc"
check "--explain says who keeps them" sh -c "cd '$WS' && $(printf %q "$SBXRUN") --backend bwrap --explain -- true 2>&1 | grep -q 'entry broker'"

# The fallback: placeholders (only during the run), the names still refused.
(cd "$WS" && as_runner env SBXRUN_ENTRY_BROKER=0 "$SBXRUN" "${B[@]}" -- sh -c 'ls -A; mkdir .claude') >"$OUT" 2>"$ERR"
RC=$?
expect_denied "fallback: mkdir .claude is refused"
check "  the placeholder was there during the run" grep -qx .claude "$OUT"
check "  and is gone after it" test ! -e "$WS/.claude"
# A kernel without Landlock ABI 2 (REFER) gets the placeholders, not the broker.
check "Landlock ABI 1: no entry broker, placeholders" sh -c "cd '$WS' && SBXRUN_LANDLOCK_ABI_MAX=1 $(printf %q "$SBXRUN") --backend bwrap --explain -- true 2>&1 | grep -q 'entry broker' && exit 1; exit 0"
done_testing
