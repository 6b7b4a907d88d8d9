#!/bin/bash
# Renaming what holds a mount (found by the third outside review): a directory that is not a
# mount point can be renamed when its parent is writable, and every mount beneath it moves
# along. A workspace nested in a writable ${tmpdir} was renamed away with its read-only .git,
# and a fresh, writable one built at the old path, which the host then trusted. And anchors,
# the mounts that prevent this, must not make a read-only place writable.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
# The workspace two levels into the writable ${tmpdir} ($FIX/tmp): its parent, and the
# directory between it and the root, are writable places.
mkdir -p "$FIX/tmp/a"
mv "$FIX/ws" "$FIX/tmp/a/ws"
WS=$FIX/tmp/a/ws
# A hook kept in the work tree and linked from .git/hooks, a common layout.
mkdir -p "$WS/scripts"
printf '#!/bin/sh\nexit 0\n' >"$WS/scripts/pre-commit"
chmod +x "$WS/scripts/pre-commit"
ln -s ../../scripts/pre-commit "$WS/.git/hooks/pre-commit"
own_fix
snapshot_host

E_MOVE=$(pick 'Device or resource busy|Permission denied' 'Permission denied')
attack_errno "the workspace, nested in a writable root, cannot be renamed away" "$E_MOVE" \
    "mv '$WS' '$WS.moved'"
attack_errno "the directory between a writable root and the workspace cannot be renamed" \
    "$E_MOVE" "mv '$FIX/tmp/a' '$FIX/tmp/a.moved'"
check "nothing was moved" test -d "$WS/.git" -a ! -e "$WS.moved" -a ! -e "$FIX/tmp/a.moved"
# The status document's directory moves with the workspace: a forged one at the old path.
rm -f "$FIX/st.json"
mkdir -p "$WS/out"
own_fix
sbxb --status-file "$WS/out/status.json" -- sh -c \
    "cd '$FIX/tmp/a' && mv ws ws.x && mkdir -p ws/out && echo '{\"exit_code\":0}' >ws/out/status.json; exit 4"
check "the status document at the asked path is sbxrun's own ($(head -c 80 "$WS/out/status.json" 2>/dev/null))" \
    grep -q '"sbxrun_status"' "$WS/out/status.json"
rm -rf "$WS/out"

# An anchor is a writable bind of a directory onto itself; one inside a read-only .git (on
# the way to a hook linked into the work tree) made .git/hooks writable under bwrap.
attack_errno "a hook linked into the work tree does not make .git/hooks writable" "$E_RO" \
    "printf '#!/bin/sh\necho pwned\n' >.git/hooks/post-commit"
attack_errno "nor a new file beside the link" "$E_RO" "touch .git/hooks/x"
check "no hook was planted" test ! -e "$WS/.git/hooks/post-commit" -a ! -e "$WS/.git/hooks/x"

# The same inside a protected directory of the policy's own: .codex links into docs/, which
# is protected as a whole; the directory on the way to the link's target stays read-only.
mkdir -p "$WS/docs/ai/codex"
echo 'model = "x"' >"$WS/docs/ai/codex/config.toml"
ln -sfn docs/ai/codex "$WS/.codex.docs"
cat >"$FIX/docs.toml" <<'P'
version = 1
[filesystem]
read = ["/"]
write = ["${workspace}", "${tmpdir}"]
protect = [".git", ".codex.docs", ".agents", "docs"]
P
own_fix
snapshot_host
sbxb --policy "$FIX/docs.toml" -- sh -c "echo x >docs/ai/new"
expect_denied "$BACKEND: with the protected docs/, its docs/ai stays read-only"
check "nothing was written into docs/ai" test ! -e "$WS/docs/ai/new"

# No anchor under a tmpfs (the second review): renames there touch only the sandbox's own
# tree, and an anchor, a writable bind of the host's directory, made the host's directories
# below the tmpfs writable. Here a write root deep below it is the only rule that could.
mkdir -p "$FIX/outside/t/a/b"
cat >"$FIX/tmpfs.toml" <<P
version = 1
[filesystem]
read = ["/"]
write = ["\${workspace}", "\${tmpdir}", "$FIX/outside/t/a/b"]
tmpfs = ["$FIX/outside/t"]
protect = [".git", ".agents"]
P
own_fix
sbxb --policy "$FIX/tmpfs.toml" -- sh -c "touch '$FIX/outside/t/a/planted'; mkdir '$FIX/outside/t/a/d'; true"
check "$BACKEND: below a tmpfs, the host's directory above a write root stays untouched" \
    test ! -e "$FIX/outside/t/a/planted" -a ! -e "$FIX/outside/t/a/d"
rm -rf "$FIX/outside/t"
check_host_unchanged "the renames"
done_testing
