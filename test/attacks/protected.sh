#!/bin/bash
# Protected paths: modify, remove, rename, replace, recreate, hooks, atomic save.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host

attack_errno "modify .git/config" "cannot create .git/config: $E_RO" "echo x >>.git/config"
attack_errno "truncate .git/config" "cannot create .git/config: $E_RO" ": >.git/config"
attack_errno "remove .git/config" "cannot remove .\.git/config.: $E_RO" "rm .git/config"
attack_errno "remove .git" "cannot remove .\.git/config.: $E_RO" "rm -rf .git"
attack_errno "rename .git/config" "cannot move .\.git/config. to .*: $E_RO" "mv .git/config .git/config.old"
attack_errno "create .git/hooks/pre-commit" "cannot create .git/hooks/pre-commit: $E_RO" "printf '#!/bin/sh\necho pwned\n' >.git/hooks/pre-commit"
attack_errno "create .git/hooks/post-checkout with a new dir" "cannot create directory .\.git/hooks2.: $E_RO" "mkdir -p .git/hooks2 && echo x >.git/hooks2/a"
attack_errno "atomic save: temp in the workspace renamed over .git/config" "$(pick 'unable to remove target: Read-only file system' 'cannot move .src/cfg. to .\.git/config.: Permission denied')" \
    "cp .git/config src/cfg && echo evil >>src/cfg && mv src/cfg .git/config"
attack_errno "atomic save: temp in .git renamed over .git/config" "cannot create .git/config.tmp: $E_RO" \
    "echo evil >.git/config.tmp && mv .git/config.tmp .git/config"
attack_errno "write through the pinned link" "cannot create .codex/config.toml: $E_RO" "echo x >>.codex/config.toml"
attack_errno "write to the link's target directly" "cannot create .auxiliary/configuration/coders/codex/config.toml: $E_RO" "echo x >>.auxiliary/configuration/coders/codex/config.toml"
attack_errno "remove the pinned link" "cannot remove .\.codex.: $E_BUSY" "rm .codex"
attack_errno "rename the pinned link" "cannot move .\.codex. to .*: $E_BUSY" "mv .codex src/codex"
attack_errno "replace the pinned link (ln -sfn)" "failed to create symbolic link .\.codex.: $E_BUSY" "ln -sfn /tmp .codex"
attack_errno "replace the pinned link by rename over it" "cannot move .src/l. to .\.codex.: $E_BUSY" "ln -s src src/l && mv -T src/l .codex"
attack_errno "remove the link's target directory" "cannot remove .*config.toml.: $E_RO" "rm -rf .auxiliary/configuration/coders/codex"
attack_errno "recreate the missing .agents (mkdir)" "cannot create directory .\.agents.: ($E_MISSING)" "mkdir .agents"
attack_errno "recreate the missing .agents (file)" "cannot create .agents: ($E_RO|$E_MISSING)" "echo x >.agents"
attack_errno "recreate the missing .agents (symlink)" "failed to create symbolic link .\.agents.: ($E_MISSING)" "ln -s src .agents"
attack_errno "recreate the missing .agents (rename)" "$(pick 'cannot overwrite non-directory .\.agents.|cannot move .src/a. to .\.agents.: Permission denied' 'cannot move .src/a. to .\.agents.: Permission denied')" "mkdir -p src/a && mv src/a .agents"

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
