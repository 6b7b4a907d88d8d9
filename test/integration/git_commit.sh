#!/bin/bash
# filesystem.git = "commit" (issue 14, part 2): on both backends, a plain repository, a
# worktree (its main repository outside the workspace), a submodule and a --separate-git-dir
# repository each commit, branch and stash from inside the sandbox, and the host's git sees it
# all afterwards; the run ends clean (no integrity violation). With the default ("protect") the
# same commit is refused and the host's repository is unchanged.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip_all "git is not installed"

mkdir -p "$FIX/home" "$FIX/tmp"
printf 'version = 1\n[filesystem]\ngit = "commit"\n' >"$FIX/commit.toml"
own_fix
hgit() { as_runner env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    git -c user.name=t -c user.email=t@example.org -c protocol.file.allow=always "$@"; }
# What the command runs inside the sandbox: git with an identity, no system or global config.
G='git -c user.name=s -c user.email=s@example.org'
export_env='export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null'

work() {  # work BACKEND NAME: commit, branch and stash in $WS, in the sandbox
    sbx --backend "$1" --policy "$FIX/commit.toml" --status-file "$FIX/.status" -- sh -c "
        $export_env
        date +%s%N >work.txt && $G add work.txt && $G commit -q -m 'sbx $1 $2' &&
        $G checkout -q -b 'br-$1' && echo more >>work.txt && $G stash -q &&
        $G stash list | grep -q . || exit 9"
}

host_sees() {  # host_sees BACKEND NAME
    expect_rc 0 "$1: $2: commit, checkout -b and stash work in the sandbox"
    check "$1: $2: the run was clean ($(status_field "$FIX/.status" outcome 2>/dev/null))" \
        test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = exited
    check "$1: $2: the host's git sees the commit" \
        test "$(hgit -C "$WS" log -1 --format=%s 2>/dev/null)" = "sbx $1 $2"
    check "$1: $2: the host's git sees the branch" test -n "$(hgit -C "$WS" branch --list "br-$1")"
    check "$1: $2: the host's git sees the stash" test -n "$(hgit -C "$WS" stash list)"
    check "$1: $2: host git status works" hgit -C "$WS" status --porcelain
}

# The key: an unknown value is a policy error naming it; --explain shows it and what it adds.
printf 'version = 1\n[filesystem]\ngit = "write"\n' >"$FIX/bad.toml"; own_fix
WS=$FIX/home
sbx --policy "$FIX/bad.toml" -- true
expect_rc 125 "git = \"write\" is a policy error"
check "the error names filesystem.git and its line" grep -q "bad.toml:3: filesystem.git" "$ERR"
WS=$FIX/explain
mkdir -p "$WS"; own_fix
hgit init -q "$WS"
sbx --policy "$FIX/commit.toml" --explain -- true
check "--explain shows the setting and its line" grep -q "^git: commit ($FIX/commit.toml:3: filesystem.git)" "$OUT"
mount_from() {  # mount_from KIND DEST: the mount's "from" line names filesystem.git
    grep -A1 -x "  $1  $2" "$OUT" | grep -q 'from filesystem.git "commit"'
}
check "--explain shows .git writable from filesystem.git" mount_from writable "$WS/.git"
check "--explain shows .git/hooks read-only from filesystem.git" mount_from read-only "$WS/.git/hooks"
sbx --explain --explain-format json -- true
check "--explain JSON: git mode protect by default" \
    python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["git"]["mode"] == "protect"' "$OUT"

for BACKEND in bwrap landlock; do
    R=$FIX/$BACKEND
    mkdir -p "$R"; own_fix
    if ! (cd "$R" && as_runner "$SBXRUN" --backend "$BACKEND" -- true) >/dev/null 2>&1; then
        if [ "${SBXRUN_MUST_WORK:-0}" = 1 ]; then not_ok "$BACKEND cannot run here"; fi
        ok "# SKIP $BACKEND cannot run here as $SBXRUN_AS"
        continue
    fi

    # A plain repository; also git worktree add (inside the workspace) and git rebase.
    WS=$R/repo
    mkdir -p "$WS"; own_fix
    hgit init -q "$WS" && echo a >"$WS/a" && own_fix && hgit -C "$WS" add a && hgit -C "$WS" commit -q -m init
    work "$BACKEND" repo
    host_sees "$BACKEND" repo
    sbx --backend "$BACKEND" --policy "$FIX/commit.toml" --status-file "$FIX/.status" -- sh -c "
        $export_env
        $G worktree add -q wt2 && $G -C wt2 commit -q --allow-empty -m in-wt2 &&
        $G commit -q --allow-empty -m one && $G commit -q --allow-empty -m two &&
        $G rebase -q HEAD~2 && $G log -1 --format=%s | grep -qx two"
    expect_rc 0 "$BACKEND: repo: git worktree add and git rebase work in the sandbox"
    check "$BACKEND: repo: the new worktree's commit reached the host" \
        test "$(hgit -C "$WS/wt2" log -1 --format=%s 2>/dev/null)" = in-wt2
    check "$BACKEND: repo: worktree add and rebase ended clean" \
        test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = exited

    # The default (protect): the same commit is refused, the repository unchanged.
    before=$(hgit -C "$WS" rev-parse HEAD)
    sbx --backend "$BACKEND" -- sh -c "$export_env; date +%N >>work.txt; $G commit -q -a -m no || exit 1"
    expect_denied "$BACKEND: repo: with filesystem.git = \"protect\" a commit is refused"
    check "$BACKEND: repo: with protect, HEAD is unchanged" \
        test "$(hgit -C "$WS" rev-parse HEAD)" = "$before"
    hgit -C "$WS" checkout -q -- work.txt 2>/dev/null

    # A worktree whose main repository lies outside the workspace.
    MAIN=$R/main
    WS=$R/wt
    mkdir -p "$MAIN"; own_fix
    hgit init -q "$MAIN" && echo m >"$MAIN/m" && own_fix && hgit -C "$MAIN" add m && hgit -C "$MAIN" commit -q -m init
    hgit -C "$MAIN" worktree add -q "$WS" 2>/dev/null
    work "$BACKEND" worktree
    host_sees "$BACKEND" worktree
    check "$BACKEND: worktree: the main repository has the branch" \
        test -n "$(hgit -C "$MAIN" branch --list "br-$BACKEND")"

    # A submodule, committed to from inside it (its git directory is .git/modules/sub).
    SRC=$R/subsrc
    SUPER=$R/super
    mkdir -p "$SRC" "$SUPER"; own_fix
    hgit init -q "$SRC" && echo s >"$SRC/s" && own_fix && hgit -C "$SRC" add s && hgit -C "$SRC" commit -q -m s
    hgit init -q "$SUPER" && echo t >"$SUPER/t" && own_fix && hgit -C "$SUPER" add t && hgit -C "$SUPER" commit -q -m t
    hgit -C "$SUPER" submodule -q add "$SRC" sub >/dev/null 2>&1
    hgit -C "$SUPER" commit -q -m sub
    check "$BACKEND: submodule: sub/.git is a gitdir file" grep -q '^gitdir: ' "$SUPER/sub/.git"
    WS=$SUPER/sub
    (cd "$SUPER" && as_runner "$SBXRUN" --backend "$BACKEND" --policy "$FIX/commit.toml" \
        --status-file "$FIX/.status" -- sh -c "cd sub && $export_env &&
        date +%s%N >work.txt && $G add work.txt && $G commit -q -m 'sbx $BACKEND submodule' &&
        $G checkout -q -b 'br-$BACKEND' && echo more >>work.txt && $G stash -q &&
        $G stash list | grep -q . || exit 9") >"$OUT" 2>"$ERR"
    RC=$?
    host_sees "$BACKEND" submodule
    WS=$SUPER
    sbx --backend "$BACKEND" --policy "$FIX/commit.toml" --status-file "$FIX/.status" -- sh -c "
        $export_env; $G add sub && $G commit -q -m 'bump sub'"
    expect_rc 0 "$BACKEND: submodule: the superproject records the new submodule commit"

    # --separate-git-dir, its git directory outside the workspace.
    WS=$R/sep
    mkdir -p "$WS"; own_fix
    hgit init -q --separate-git-dir="$R/sep.git" "$WS" && echo a >"$WS/a" && own_fix &&
        hgit -C "$WS" add a && hgit -C "$WS" commit -q -m init
    work "$BACKEND" separate
    host_sees "$BACKEND" separate
done
done_testing
