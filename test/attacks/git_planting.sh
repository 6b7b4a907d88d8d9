#!/bin/bash
# What makes the host's git run code, planted from inside the sandbox (issue 14, part 2), with
# filesystem.git = "protect" (the default) and "commit": a hook, core.fsmonitor,
# core.sshCommand, core.pager, an alias, includeIf, core.hooksPath and a .gitmodules
# `update = !cmd`. Each would create $MARK; afterwards the host's git commits, pulls, pages
# and updates submodules, and $MARK must be absent. In commit mode also: replacing .git, a new
# submodule git directory, a planted commondir, a bare repository elsewhere in the workspace,
# a worktree whose commondir leads to a planted config, and a rebase left stopped with an exec
# line in its todo list (the last four: exit 120, named).
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip_all "git is not installed"

mkdir -p "$FIX/home" "$FIX/tmp" "$FIX/outside"
MARK=$FIX/home/MARK
printf 'version = 1\n[filesystem]\ngit = "commit"\n' >"$FIX/commit.toml"
printf 'version = 1\n' >"$FIX/protect.toml"
own_fix
hgit() { as_runner env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    git -c user.name=t -c user.email=t@example.org -c protocol.file.allow=always "$@"; }
G='GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git -c user.name=s -c user.email=s@example.org'

# The workspace: a repository with a commit, an upstream to pull from (outside) and a submodule.
WS=$FIX/ws
UP=$FIX/up.git
SRC=$FIX/subsrc
mkdir -p "$WS" "$SRC"; own_fix
hgit init -q --bare "$UP"
hgit init -q "$SRC" && echo s >"$SRC/s" && own_fix && hgit -C "$SRC" add s && hgit -C "$SRC" commit -q -m s
hgit init -q "$WS" && echo a >"$WS/a" && own_fix && hgit -C "$WS" add a && hgit -C "$WS" commit -q -m init
hgit -C "$WS" submodule -q add "$SRC" sub >/dev/null 2>&1
hgit -C "$WS" commit -q -m sub
hgit -C "$WS" remote add origin "$UP"
hgit -C "$WS" push -q origin HEAD:refs/heads/main 2>/dev/null
hgit -C "$WS" branch -q -u origin/main 2>/dev/null
check "layout: a repository with a submodule and an upstream" \
    test -f "$WS/sub/.git" -a -d "$WS/.git/modules/sub"

# The host's next git: commit (hooks, fsmonitor), pull (sshCommand is used for an ssh remote:
# one is tried too), a pager on a terminal, the planted alias, submodule update.
host_git() {
    echo "$1" >>"$WS/a"; own_fix
    hgit -C "$WS" status >/dev/null 2>&1
    hgit -C "$WS" commit -q -a -m "host $1" >/dev/null 2>&1
    hgit -C "$WS" pull -q --no-rebase origin main >/dev/null 2>&1
    timeout 20 env -C "$WS" setpriv --reuid="$(as_runner id -u)" --regid="$(as_runner id -g)" \
        --clear-groups env HOME="$FIX/home" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
        GIT_SSH_COMMAND= git fetch -q ssh://sbxrun.invalid/x >/dev/null 2>&1
    as_runner env -C "$WS" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null TERM=dumb \
        script -qec "git log -1" /dev/null >/dev/null 2>&1
    hgit -C "$WS" st >/dev/null 2>&1
    hgit -C "$WS" submodule -q update --init --recursive >/dev/null 2>&1
    hgit -C "$WS/sub" status >/dev/null 2>&1
}

REFUSED="$E_RO|$E_BUSY"
for MODE in protect commit; do
    P=$FIX/$MODE.toml
    sbxp() { sbxb --policy "$P" "$@"; }
    attack_git() {  # attack_git DESC REGEX CMD: attack_errno under this mode's policy
        local desc=$1 want=$2
        sbxp -- sh -c "$3"
        if [ "$RC" -ge 1 ] && [ "$RC" -lt 120 ] &&
            cat "$OUT" "$ERR" | grep -v '^sbxrun: ' | grep -Eq -- "$want"; then
            ok "$BACKEND: $MODE: $desc"
        else
            not_ok "$BACKEND: $MODE: $desc (exit $RC; expected a refusal saying /$want/)"
            cat "$OUT" "$ERR" | head -10 | sed 's/^/#   output: /'
        fi
    }
    for gd in .git .git/modules/sub; do
        attack_git "$gd: a pre-commit hook" "$REFUSED" \
            "printf '#!/bin/sh\\ntouch $MARK\\n' >$gd/hooks/pre-commit && chmod +x $gd/hooks/pre-commit"
        attack_git "$gd: hooks/ replaced" "$REFUSED" "mv $gd/hooks $gd/hooks.old || exit 1; mkdir $gd/hooks"
        attack_git "$gd: appended to config" "$REFUSED" "echo '[core] fsmonitor = touch $MARK' >>$gd/config"
        attack_git "$gd: config replaced by rename" "$REFUSED" \
            "printf '[core]\\n\\tfsmonitor = touch $MARK\\n' >$gd/c && mv -f $gd/c $gd/config"
        attack_git "$gd: info/attributes" "$REFUSED" "echo '* filter=x' >$gd/info/attributes"
    done
    attack_git "git config core.fsmonitor" "$REFUSED" "$G config core.fsmonitor 'touch $MARK' || exit 1"
    attack_git "git config core.sshCommand" "$REFUSED" "$G config core.sshCommand 'touch $MARK' || exit 1"
    attack_git "git config core.pager" "$REFUSED" "$G config core.pager 'touch $MARK' || exit 1"
    attack_git "git config alias.st" "$REFUSED" "$G config alias.st '!touch $MARK' || exit 1"
    attack_git "git config core.hooksPath" "$REFUSED" "$G config core.hooksPath hooks-here || exit 1"
    attack_git "git config includeIf" "$REFUSED" \
        "printf '[core]\\n\\tfsmonitor = touch $MARK\\n' >evil.cfg && $G config includeIf.gitdir:/.path '$WS/evil.cfg' || exit 1"
    attack_git "config.worktree" "$(pick "$E_RO|$E_BUSY|$E_MISSING" 'Permission denied')" \
        "echo '[core] fsmonitor = touch $MARK' >.git/config.worktree"
    attack_git "the submodule's .git file" "$REFUSED" "echo 'gitdir: ../evil' >sub/.git"
    # (under bwrap with the entry broker .git holds blocked names, so moving it is EACCES)
    attack_git ".git replaced" "$REFUSED|$E_MISSING" "mv .git .git.old || exit 1; mkdir .git"
    attack_git "a new submodule git directory in .git/modules" \
        "$(pick "$E_RO|$E_BUSY|File exists|Not a directory" 'Permission denied')" \
        "mkdir .git/modules/evil && git init -q --bare .git/modules/evil"
    # .gitmodules: protected with @agent-config (issue 14, part 1); git itself also never runs
    # an `update = !cmd` that comes from it. Either way the host's submodule update runs nothing.
    attack_git ".gitmodules update = !cmd" "$REFUSED" \
        "$G config -f .gitmodules submodule.sub.update '!touch $MARK' || exit 1"
    host_git "$MODE"
    check "$BACKEND: $MODE: the host's commit, pull, pager, alias and submodule update ran nothing planted" \
        test ! -e "$MARK"
    hgit -C "$WS" checkout -q -- .gitmodules 2>/dev/null
    rm -f "$MARK" "$WS/evil.cfg"
done

# Commit mode only: what the writable git directory makes possible is found after the run.
P=$FIX/commit.toml
if [ "$BACKEND" = bwrap ]; then
    # bwrap cannot block a missing commondir (an empty placeholder would stop git): the check
    # after the run moves it aside and says 120.
    sbxb --policy "$P" --status-file "$FIX/.status" -- sh -c "echo '$FIX/outside' >.git/commondir"
    expect_rc 120 "$BACKEND: commit: a planted .git/commondir is an integrity violation"
    check "$BACKEND: commit: the status names it" \
        test "$(status_field "$FIX/.status" path)" = "$WS/.git/commondir"
    check "$BACKEND: commit: it was moved aside" test ! -e "$WS/.git/commondir"
    rm -f "$WS"/.git/commondir.sbxrun-planted.*
else
    attack_errno "commit: a planted .git/commondir" "$E_RO" \
        "echo '$FIX/outside' >.git/commondir"
fi
sbxb --policy "$P" --status-file "$FIX/.status" -- sh -c "
    mkdir -p src/deep && cd src/deep && git init -q --bare evil &&
    git config -f evil/config core.fsmonitor 'touch $MARK'"
expect_rc 120 "$BACKEND: commit: a bare repository planted in the workspace is an integrity violation"
check "$BACKEND: commit: the status names the planted repository" \
    test "$(status_field "$FIX/.status" path)" = "$WS/src/deep/evil"
check "$BACKEND: commit: the status says integrity_violation" \
    test "$(status_field "$FIX/.status" outcome)" = integrity_violation
rm -rf "$WS/src"
sbxb --policy "$P" --status-file "$FIX/.status" -- sh -c "
    $G worktree add -q wt2 && mkdir -p common/objects common/refs &&
    printf '[core]\\n\\tfsmonitor = touch $MARK\\n' >common/config && echo '$WS/common' >.git/worktrees/wt2/commondir"
expect_rc 120 "$BACKEND: commit: a worktree pointed at a planted common directory is an integrity violation"
check "$BACKEND: commit: the reason names the worktree's commondir" \
    grep -q "worktrees/wt2/commondir" "$ERR"
check "$BACKEND: commit: nothing planted ran" test ! -e "$MARK"
hgit -C "$WS" worktree remove --force wt2 2>/dev/null; rm -rf "$WS/common" "$WS/wt2" "$WS/.git/worktrees/wt2"
# A gitlink staged in the index, its .git file naming a git directory planted in ${tmpdir}
# (writable, not searched by itself): the host's `git status` at the top would enter it.
sbxb --policy "$P" --status-file "$FIX/.status" -- sh -c "
    git init -q --bare \"\$TMPDIR/planted\" &&
    git config -f \"\$TMPDIR/planted/config\" core.fsmonitor 'touch $MARK' &&
    mkdir ghost && echo \"gitdir: \$TMPDIR/planted\" >ghost/.git &&
    $G update-index --add --cacheinfo 160000,\$(git rev-parse HEAD),ghost"
expect_rc 120 "$BACKEND: commit: a staged gitlink naming a git directory planted in \${tmpdir} is an integrity violation"
check "$BACKEND: commit: the status names the planted directory" \
    test "$(status_field "$FIX/.status" path)" = "$FIX/tmp/planted"
hgit -C "$WS" rm -q --cached ghost 2>/dev/null; rm -rf "$WS/ghost" "$FIX/tmp/planted"
# An interactive rebase left stopped, its todo list holding an exec line: the host's
# `git rebase --continue` would run it.
sbxb --policy "$P" --status-file "$FIX/.status" -- sh -c "
    GIT_SEQUENCE_EDITOR=\"printf 'break\\nexec touch $MARK\\n' >\" $G rebase -q -i HEAD"
expect_rc 120 "$BACKEND: commit: a rebase left stopped with an exec line is an integrity violation"
check "$BACKEND: commit: the reason names the todo list" grep -q "rebase-merge/git-rebase-todo" "$ERR"
hgit -C "$WS" rebase --abort 2>/dev/null
check "$BACKEND: commit: nothing planted ran" test ! -e "$MARK"
done_testing
