#!/bin/bash
# The default workspace (issue 17, part 4): inside a git work tree it is the tree's top level,
# so `cd src && sbxrun -- make` can write ../build; never / or $HOME itself; --workspace wins.
. "$(dirname "$0")/lib.sh"
make_workspace                       # $WS has a .git directory; a HEAD makes it git's
mkdir -p "$WS/src/deep" "$FIX/plain/sub" "$FIX/home/proj" "$FIX/home/.git" "$WS/sub/wt" \
    "$FIX/fake/a/sub" "$FIX/fake/b/sub"
echo "ref: refs/heads/main" | tee "$WS/.git/HEAD" >"$FIX/home/.git/HEAD"
echo "gitdir: $WS/.git/worktrees/wt" >"$WS/sub/wt/.git"
# Not repositories: an empty .git file (what a placeholder for a missing protected .git looks
# like) and a .git directory without HEAD.
: >"$FIX/fake/a/.git"
mkdir "$FIX/fake/b/.git"
own_fix
# run_in DIR ARGS...: sbxrun as the runner with DIR as its current directory.
run_in() {
    local dir=$1; shift
    (cd "$dir" && as_runner "$SBXRUN" "$@") >"$OUT" 2>"$ERR"
    RC=$?
}

run_in "$WS/src/deep" --explain -- true
check "from a subdirectory: the workspace is the work tree's top level" \
    grep -qx "workspace: $WS (git work tree)" "$OUT"
run_in "$WS/src/deep" -- sh -c 'mkdir -p ../../build && echo x >../../build/out'
expect_rc 0 "from a subdirectory: ../build at the top level is writable"
check "... and the file is there on the host" test -f "$WS/build/out"
run_in "$WS/sub/wt" --explain -- true
check "a .git file (a worktree) makes its directory the top level" \
    grep -qx "workspace: $WS/sub/wt (git work tree)" "$OUT"
run_in "$FIX/plain/sub" --explain -- true
check "outside any work tree: the current directory" \
    grep -qx "workspace: $FIX/plain/sub (current directory)" "$OUT"
run_in "$FIX/fake/a/sub" --explain -- true
check "an empty .git file (a placeholder) is not a repository" \
    grep -qx "workspace: $FIX/fake/a/sub (current directory)" "$OUT"
run_in "$FIX/fake/b/sub" --explain -- true
check "a .git directory without HEAD is not one either" \
    grep -qx "workspace: $FIX/fake/b/sub (current directory)" "$OUT"
run_in "$FIX/home/proj" --explain -- true
check "a home directory kept in git does not become the workspace" \
    grep -qx "workspace: $FIX/home/proj (current directory)" "$OUT"
run_in "$FIX/home/proj" -- sh -c 'echo x >../planted'
expect_denied "... and the home directory stays read-only"
check "... nothing was planted in it" test ! -e "$FIX/home/planted"
run_in "$WS/src/deep" --workspace . --explain -- true
check "--workspace still decides" grep -qx "workspace: $WS/src/deep (--workspace)" "$OUT"
run_in "$WS/src/deep" --workspace . -- sh -c 'echo x >../../build/out2'
expect_denied "with --workspace ., the top level is not writable"
run_in "$WS/src/deep" --explain --explain-format json -- true
check "--explain json: workspace path and source" python3 -c '
import json, sys; w = json.load(open(sys.argv[1]))["workspace"]
assert w == {"path": sys.argv[2], "source": "git work tree"}, w' "$OUT" "$WS"
# A workspace in /dev/shm: bwrap's /dev is the sandbox's own, but /dev/shm is bound as the
# policy says (it was hidden: bwrap failed at chdir and the run fell back to Landlock).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    SHM=$(mktemp -d /dev/shm/sbxrun-ws.XXXXXX)
    chmod 0777 "$SHM"; own_fix
    if [ "$SBXRUN_AS" = user ]; then chown "$TEST_USER:" "$SHM"; fi
    (cd "$SHM" && as_runner "$SBXRUN" --backend bwrap --status-file "$FIX/shm.json" -- \
        sh -c 'echo in >made && cat made') >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "a workspace in /dev/shm runs under bwrap"
    check "and is writable there" test "$(cat "$SHM/made" 2>/dev/null)" = in
    check "with no fallback" grep -q '"backend":"bwrap"' "$FIX/shm.json"
    rm -rf "$SHM"
fi
done_testing
