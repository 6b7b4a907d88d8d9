#!/bin/bash
# A `.git` *file* (gitdir: ...) at the top of a writable root: the directory it names and that
# directory's `commondir` hold the config and hooks host git runs from, so the sandbox must not
# be able to change them (issue 11, escape 6). Three layouts, each its own workspace:
#   sep: git init --separate-git-dir=<ws>/.auxiliary/gitdir
#   wt:  git worktree add <ws> of a repository kept in ${tmpdir} (commondir = ../..)
#   sub: a submodule checkout, .git = "gitdir: ../.git/modules/x", its superproject in ${tmpdir}
# Every attack plants something that writes $MARK when host git runs; afterwards host git runs
# (status, commit) and the marker must be absent, the git directories unchanged.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip_all "git is not installed"

make_workspace  # $FIX/home, $FIX/tmp, $FIX/outside
MARK=$FIX/home/MARK
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
hgit() { as_runner env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    git -c user.name=t -c user.email=t@example.org "$@"; }
own_fix

SEP=$FIX/sep
mkdir -p "$SEP/.auxiliary"; own_fix
hgit init -q --separate-git-dir="$SEP/.auxiliary/gitdir" "$SEP"
echo tracked >"$SEP/file.txt"; own_fix
hgit -C "$SEP" add file.txt && hgit -C "$SEP" commit -q -m init

MAIN=$FIX/tmp/main
WT=$FIX/wt
mkdir -p "$MAIN"; own_fix
hgit init -q "$MAIN"
echo tracked >"$MAIN/file.txt"; own_fix
hgit -C "$MAIN" add file.txt && hgit -C "$MAIN" commit -q -m init
hgit -C "$MAIN" worktree add -q "$WT" 2>/dev/null

SUPER=$FIX/tmp/super
SUB=$SUPER/x
mkdir -p "$SUPER/.git/modules" "$SUB"; own_fix
hgit init -q "$SUPER"
hgit init -q --separate-git-dir="$SUPER/.git/modules/x" "$SUB"
echo "gitdir: ../.git/modules/x" >"$SUB/.git"  # relative, as git submodule writes it
echo tracked >"$SUB/file.txt"; own_fix
hgit -C "$SUB" add file.txt && hgit -C "$SUB" commit -q -m init

check "layouts: the workspaces have .git files" \
    test -f "$SEP/.git" -a -f "$WT/.git" -a -f "$SUB/.git"

git_state() {
    echo "== sep"; fingerprint "$SEP/.auxiliary/gitdir"
    echo "== main"; fingerprint "$MAIN/.git"
    echo "== super"; fingerprint "$SUPER/.git"
    echo "== .git files"; cat "$SEP/.git" "$WT/.git" "$SUB/.git"
    echo "== outside"; fingerprint "$FIX/outside"
}
BEFORE=$(git_state)

HOOK="printf '#!/bin/sh\\ntouch $MARK\\n'"
gitdir_of() {
    local gd
    gd=$(sed -n 's/^gitdir: //p' "$1/.git")
    case $gd in /*) echo "$gd" ;; *) echo "$1/$gd" ;; esac
}
unchanged() {
    local after
    after=$(git_state)
    if [ "$after" = "$BEFORE" ]; then ok "git directories unchanged $1"; else
        not_ok "git directories unchanged $1"
        diff <(echo "$BEFORE") <(echo "$after") | sed 's/^/#   /' | head -40
    fi
}

# What each refusal says: a read-only mount or a pinned link under bwrap, Landlock's EACCES.
REFUSED="$E_RO|$E_BUSY"

# 1. Plant what host git would run: config (fsmonitor, hooksPath) and hooks.
for ws in "$SEP" "$WT" "$SUB"; do
    WS=$ws
    name=${ws##*/}
    gd=$(gitdir_of "$ws")
    attack_errno "$name: git config core.fsmonitor" "$REFUSED" "git config core.fsmonitor 'touch $MARK; true' || exit 1"
    attack_errno "$name: git config core.hooksPath" "$REFUSED" "git config core.hooksPath '$ws/hooks' || exit 1"
    attack_errno "$name: append to the gitdir's config" "$REFUSED" "echo '[core] fsmonitor = touch $MARK; true' >>'$gd/config'"
    attack_errno "$name: write a pre-commit hook" "$REFUSED" \
        "mkdir -p '$gd/hooks' && $HOOK >'$gd/hooks/pre-commit' && chmod +x '$gd/hooks/pre-commit'"
done
WS=$WT
attack_errno "wt: modify the commondir's config" "$REFUSED" "echo '[core] fsmonitor = touch $MARK; true' >>'$MAIN/.git/config'"
attack_errno "wt: write a hook in the commondir" "$REFUSED" \
    "$HOOK >'$MAIN/.git/hooks/pre-commit' && chmod +x '$MAIN/.git/hooks/pre-commit'"
unchanged "after planting config and hooks"

# Normal work still goes: tracked files in each worktree can be edited.
for ws in "$SEP" "$WT" "$SUB"; do
    WS=$ws
    sbxb -- sh -c 'echo edited >file.txt && git status --porcelain >/dev/null'
    expect_rc 0 "$BACKEND: ${ws##*/}: editing a tracked file works"
    check "${ws##*/}: the edit reached the host" grep -qx edited "$ws/file.txt"
done

# The host's next git runs nothing the sandbox planted (and does run: the commits land).
for ws in "$SEP" "$WT" "$SUB"; do
    hgit -C "$ws" status >/dev/null 2>&1
    hgit -C "$ws" commit -q -a -m edit >/dev/null 2>&1
    check "${ws##*/}: host git commit went through" \
        test "$(hgit -C "$ws" log -1 --format=%s 2>/dev/null)" = edit
done
check "host git status/commit ran nothing planted (no $MARK)" test ! -e "$MARK"

# 2. Swap the git directories (or what leads to them) for ones the sandbox made.
BEFORE=$(git_state)
for ws in "$SEP" "$WT" "$SUB"; do
    WS=$ws
    name=${ws##*/}
    gd=$(gitdir_of "$ws")
    # (a worktree's own gitdir has no hooks/ of its own: then creating one is the attack)
    attack_errno "$name: replace the gitdir's hooks directory" "$REFUSED" \
        "if [ -d '$gd/hooks' ]; then mv '$gd/hooks' '$gd/hooks.old' || exit 1; fi; mkdir '$gd/hooks'"
    attack_errno "$name: rename the gitdir away and plant a new one" "$REFUSED" \
        "mv '$gd' '$gd.old' && mkdir -p '$gd/hooks' && $HOOK >'$gd/hooks/pre-commit'"
    attack_errno "$name: rewrite the .git file" "$REFUSED" "echo 'gitdir: /tmp/evil' >.git"
done
WS=$WT
attack_errno "wt: rewrite the commondir file" "$REFUSED" "echo '$WT/fake' >'$MAIN/.git/worktrees/wt/commondir'"
unchanged "after swapping them"

# 3. A registered submodule inside the workspace (found by a second outside review): rewrite its
#    .git file to point at a gitdir the sandbox plants, with a core.fsmonitor. Host git status at
#    the top level recurses into the submodule and would run it.
#    Nested: sub has a submodule of its own (inner). And a gitlink with no .gitmodules entry.
INNERSRC=$FIX/tmp/innersrc
SUBSRC=$FIX/tmp/subsrc
SUPW=$FIX/supw
mkdir -p "$INNERSRC" "$SUBSRC" "$SUPW"; own_fix
hgit init -q "$INNERSRC"
echo i >"$INNERSRC/i"; own_fix
hgit -C "$INNERSRC" add i && hgit -C "$INNERSRC" commit -q -m i
hgit init -q "$SUBSRC"
echo s >"$SUBSRC/s"; own_fix
hgit -C "$SUBSRC" add s && hgit -C "$SUBSRC" commit -q -m s
hgit -C "$SUBSRC" -c protocol.file.allow=always submodule -q add "$INNERSRC" inner >/dev/null 2>&1
hgit -C "$SUBSRC" commit -q -m inner
hgit init -q "$SUPW"
echo t >"$SUPW/t"; own_fix
hgit -C "$SUPW" add t && hgit -C "$SUPW" commit -q -m t
hgit -C "$SUPW" -c protocol.file.allow=always submodule -q add "$SUBSRC" sub >/dev/null 2>&1
hgit -C "$SUPW" -c protocol.file.allow=always submodule -q update --init --recursive >/dev/null 2>&1
hgit -C "$SUPW" update-index --add --cacheinfo "160000,$(hgit -C "$INNERSRC" rev-parse HEAD),ghost"
hgit -C "$SUPW" commit -q -m "sub, ghost"
mkdir -p "$SUPW/ghost"; own_fix
check "nested layout: sub/inner/.git is a gitdir file" grep -q '^gitdir: ' "$SUPW/sub/inner/.git"
check "submodule layout: sub/.git is a gitdir file" grep -q '^gitdir: ' "$SUPW/sub/.git"
WS=$SUPW
sub_before=$(cat "$SUPW/sub/.git")
# The copy it plants is removed in the same run: left there, it is itself a git directory with
# a core.fsmonitor, which the check after the run reports (120, test/attacks/bare_plant.sh).
attack_errno "super: rewrite a submodule's .git file" "$REFUSED" \
    "cp -a .git/modules/sub sub/.x && git config -f sub/.x/config core.worktree .. &&
     git config -f sub/.x/config core.fsmonitor 'touch $MARK; false' &&
     printf 'gitdir: .x\\n' >sub/.git; rc=\$?; rm -rf sub/.x; exit \$rc"
check "super: the submodule's .git file is unchanged" test "$(cat "$SUPW/sub/.git")" = "$sub_before"
attack_errno "super: replace the submodule's .git file" "$REFUSED" \
    "rm -f sub/.git || exit 1; printf 'gitdir: .x\\n' >sub/.git"
sbxb --explain -- true
check "super: --explain names the submodule's .git" \
    grep -q "submodule sub (a gitlink in $SUPW/.git/index)" "$OUT"
# .gitmodules is read-only by default (@agent-config: git submodule update follows it). Under a
# policy that leaves it writable an earlier run could empty it: done here on the host, then the
# run attacks the submodule git no longer finds through it (it does through the index).
attack_errno "super: .gitmodules is read-only by default" "$E_RO" ': >.gitmodules'
: >"$SUPW/.gitmodules"
attack_errno "super: run 2 rewrites sub/.git after .gitmodules was emptied" "$REFUSED" \
    "printf 'gitdir: .x\\n' >sub/.git"
hgit -C "$SUPW" checkout -q -- .gitmodules
inner_before=$(cat "$SUPW/sub/inner/.git")
attack_errno "super: rewrite a nested submodule's .git file" "$REFUSED" \
    "cp -a .git/modules/sub/modules/inner sub/inner/.x 2>/dev/null; printf 'gitdir: .x\\n' >sub/inner/.git"
check "super: the nested submodule's .git file is unchanged" \
    test "$(cat "$SUPW/sub/inner/.git")" = "$inner_before"
attack_errno "super: create .git in a gitlink that .gitmodules does not list" \
    "$(pick "$E_RO|$E_PLACEHOLDER|Permission denied" 'Permission denied')" \
    "mkdir -p ghost/.x && printf 'gitdir: .x\\n' >ghost/.git"
check "super: ghost/.git was not created" test ! -e "$SUPW/ghost/.git"
hgit -C "$SUPW" status >/dev/null 2>&1
check "super: host git status ran nothing planted (no $MARK)" test ! -e "$MARK"

# 4. The workspace is a plain subdirectory of a larger work tree (a dotfiles home, --workspace
#    on a part of a repository; found by a fourth outside review): that repository's .git is
#    outside the workspace, yet git at its top level recurses into the submodules inside it.
hgit -C "$SUPW" -c protocol.file.allow=always submodule -q add "$INNERSRC" deps/mod >/dev/null 2>&1
hgit -C "$SUPW" commit -q -m deps
mod_before=$(cat "$SUPW/deps/mod/.git")
WS=$SUPW/deps
( cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" --workspace . -- \
    sh -c "printf 'gitdir: ../x\\n' >mod/.git" ) >"$OUT" 2>"$ERR"
RC=$?
check "enclosing: a gitlink of the enclosing repository cannot be rewritten (exit $RC)" \
    test "$RC" -ge 1 -a "$RC" -lt 120
check "enclosing: deps/mod/.git is unchanged" test "$(cat "$SUPW/deps/mod/.git")" = "$mod_before"
( cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" --workspace . --explain -- true ) \
    >"$OUT" 2>"$ERR"
check "enclosing: --explain names the submodule and the work tree that holds the workspace" \
    grep -q "submodule deps/mod (a gitlink in $SUPW/.git/index)" "$OUT"
hgit -C "$SUPW" status >/dev/null 2>&1
check "enclosing: host git status ran nothing planted (no $MARK)" test ! -e "$MARK"
done_testing
