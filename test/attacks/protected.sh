#!/bin/bash
# Protected paths: modify, remove, rename, replace, recreate, hooks, atomic save.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host

attack "modify .git/config" "echo x >>.git/config"
attack "truncate .git/config" ": >.git/config"
attack "remove .git/config" "rm .git/config"
attack "remove .git" "rm -rf .git"
attack "rename .git/config" "mv .git/config .git/config.old"
attack "create .git/hooks/pre-commit" "printf '#!/bin/sh\necho pwned\n' >.git/hooks/pre-commit"
attack "create .git/hooks/post-checkout with a new dir" "mkdir -p .git/hooks2 && echo x >.git/hooks2/a"
attack "atomic save: temp in the workspace renamed over .git/config" \
    "cp .git/config src/cfg && echo evil >>src/cfg && mv src/cfg .git/config"
attack "atomic save: temp in .git renamed over .git/config" \
    "echo evil >.git/config.tmp && mv .git/config.tmp .git/config"
attack "write through the pinned link" "echo x >>.codex/config.toml"
attack "write to the link's target directly" "echo x >>.auxiliary/configuration/coders/codex/config.toml"
attack "remove the pinned link" "rm .codex"
attack "rename the pinned link" "mv .codex src/codex"
attack "replace the pinned link (ln -sfn)" "ln -sfn /tmp .codex"
attack "replace the pinned link by rename over it" "ln -s src src/l && mv -T src/l .codex"
attack "remove the link's target directory" "rm -rf .auxiliary/configuration/coders/codex"
attack "recreate the missing .agents (mkdir)" "mkdir .agents"
attack "recreate the missing .agents (file)" "echo x >.agents"
attack "recreate the missing .agents (symlink)" "ln -s src .agents"
attack "recreate the missing .agents (rename)" "mkdir -p src/a && mv src/a .agents"

# A nested repository is not protected by default: protect names apply at the top of each
# writable root, and git run at the workspace root never reads a nested .git (see SECURITY.md).
# So `git init` in a subdirectory must succeed, and the workspace's own .git stay as it was.
if command -v git >/dev/null; then
    sbxb -- sh -c "git init -q src/sub && test -d src/sub/.git"
    expect_rc 0 "$BACKEND: git init in a subdirectory is allowed (a nested repo is not protected)"
else
    diag "git is not installed: the nested git init case is not run"
fi
check_host_unchanged
done_testing
