#!/bin/bash
# A git directory planted without the name .git (found by the fourth outside review): HEAD,
# objects/, refs/ and a config with core.fsmonitor in the workspace, or in a directory above it
# inside a writable root, is a repository the host's next `git status` there uses. In protect
# mode (the default) too, the run ends 120 naming it; a repository the command makes with git
# init or git clone, whose config is git's own, is everyday work and passes.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
plant='d=$1; mkdir -p "$d/objects" "$d/refs/heads" && echo "ref: refs/heads/main" >"$d/HEAD" &&
printf "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n\tfsmonitor = \"touch %s; false\"\n" "$2" >"$d/config"'
marker="$FIX/outside/PLANTED"

# In a workspace with no .git of its own.
rm -rf "$WS/.git"
sbxb --status-file "$FIX/s1.json" -- sh -c "$plant" sh "$WS" "$marker"
expect_rc 120 "$BACKEND: a git directory planted in the workspace itself ends the run 120"
check "the status document names it" grep -q "\"path\":\"$WS\"" "$FIX/s1.json"
# In a directory above the workspace, inside a writable root (${tmpdir} holds the workspace).
mkdir -p "$FIX/tmp/up/proj"; own_fix
(cd "$FIX/tmp/up/proj" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c "$plant" sh "$FIX/tmp/up" "$marker") \
    >"$OUT" 2>"$ERR"; RC=$?
expect_rc 120 "$BACKEND: one planted in a directory above the workspace ends the run 120"
check "and stderr names it" grep -q "$FIX/tmp/up is a git directory that was not there before the run" "$ERR"
# Deeper in the workspace, where the host's git in that subdirectory would find it.
mkdir -p "$WS/src/lib"; own_fix
sbxb -- sh -c "$plant" sh "$WS/src/lib" "$marker"
expect_rc 120 "$BACKEND: one planted two levels down ends the run 120"
# A nested repository given a pager by the command.
sbxb -- sh -c 'git init -q evil && git -C evil config core.pager "touch '"$marker"'"'
expect_rc 120 "$BACKEND: a repository the command gives a core.pager ends the run 120"
check "$BACKEND: nothing ran on the host meanwhile" test ! -e "$marker"
rm -rf "$WS/evil" "$WS/src/lib" "$WS/HEAD" "$WS/objects" "$WS/refs" "$WS/config"

# The status document names the whole path, spaces and all (it was cut at the first space,
# naming the user's own "src": fifth outside review).
mkdir -p "$WS/src (copy)"; own_fix
sbxb --status-file "$FIX/s2.json" -- sh -c "$plant" sh "$WS/src (copy)" "$marker"
expect_rc 120 "$BACKEND: one planted in a directory with a space in its name ends the run 120"
check "the status document names it whole" grep -qF "\"path\":\"$WS/src (copy)\"" "$FIX/s2.json"
rm -rf "$WS/src (copy)"
# Two runs (fifth outside review): the first plants a git directory in ${tmpdir}, outside every
# place searched (so it passes), the second only writes a .git file leading to it. The second
# is the one the host's git would follow: reported, by what the directory holds.
sbxb -- sh -c "$plant" sh "$FIX/tmp/evil" "$marker"
expect_rc 0 "$BACKEND: a git directory made in \${tmpdir}, away from the workspace, is not searched"
mkdir -p "$WS/sub2"; own_fix
# The planted directory must be older than the next run (change times count in whole seconds
# there): wait for the clock's next second, a bounded loop on the clock itself.
t0=$(date +%s); n=0
while [ "$(date +%s)" = "$t0" ] && [ $n -lt 40 ]; do sleep 0.05; n=$((n + 1)); done
sbxb -- sh -c "printf 'gitdir: $FIX/tmp/evil\\n' >sub2/.git"
expect_rc 120 "$BACKEND: a .git file written to lead to it ends the run 120"
check "and stderr names where it leads" grep -q "$FIX/tmp/evil is a git directory" "$ERR"
sbxb -- sh -c "rm -f sub2/.git && ln -s '$FIX/tmp/evil' sub3"
expect_rc 120 "$BACKEND: so does a symlink to it"
rm -rf "$WS/sub2" "$WS/sub3" "$FIX/tmp/evil"

# Everyday work: git init, a bare repository for a test, a clone of it.
sbxb -- sh -c 'git init -q newproj && git init -q --bare fixture.git &&
    git clone -q fixture.git copy 2>/dev/null && git -C newproj config user.name me'
expect_rc 0 "$BACKEND: git init, a bare fixture and a clone of it pass"
done_testing
