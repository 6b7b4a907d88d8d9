#!/bin/bash
# Where the host's git goes from a repository the git check judged (forty-sixth review): a
# gitlink in a nested repository's index (or the top's, in commit mode) to a repository deeper
# than the search; a submodule's work tree below a nested repository; a submodule named with a
# slash whose git directory, or a directory above it, is replaced by a link; a file a hook
# sources from a directory in hooks/; a file the host's own include.path or core.hooksPath
# names; a rebase left stopped with an exec line or a merge strategy of the run's. And the
# forty-seventh's: a split index, a core.worktree elsewhere, an index the run made unreadable,
# padding the search's bound with gitlinks, a linked worktree deeper than the search, a nested
# include, husky's layout; the top repository's own hooksPath and includes. Each must end the
# run 120 and name the place (or be refused). What git clone and sparse-checkout write must pass.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip_all "git is not installed"

mkdir -p "$FIX/home" "$FIX/tmp" "$FIX/outside"
MARK=$FIX/outside/MARK
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
not_in() { ! grep -q "$1" "$2"; }
hgit() { as_runner env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    git -c user.name=t -c user.email=t@example.org -c protocol.file.allow=always "$@"; }
G='git -c user.name=t -c user.email=t@example.org -c protocol.file.allow=always'
FSM="touch $MARK; false"
SRC=$FIX/src
own_fix
hgit init -q "$SRC" && hgit -C "$SRC" commit -q --allow-empty -m s &&
    hgit -C "$SRC" config uploadpack.allowFilter true

for MODE in protect commit; do
    printf 'version = 1\n[filesystem]\ngit = "%s"\n' "$MODE" >"$FIX/$MODE.toml"
    WS=$FIX/ws-$MODE
    rm -rf "$WS"; mkdir -p "$WS"; own_fix
    hgit init -q "$WS" && hgit -C "$WS" commit -q --allow-empty -m init
    own_fix
    run() { sbxb --policy "$FIX/$MODE.toml" --status-file "$FIX/.status" -- sh -c "$@"; }

    # A clean repository made in the run, its index given a gitlink to one three levels down
    # with an fsmonitor: `git status` in src/ enters it. In version 4 of the index format too.
    for V in 2 4; do
        run "$G init -q src && $G init -q src/a/inner && $G -C src/a/inner commit -q --allow-empty -m i &&
            $G -C src/a/inner config core.fsmonitor '$FSM' && $G -C src update-index --index-version $V &&
            $G -C src add a/inner 2>/dev/null"
        expect_rc 120 "$BACKEND $MODE: a gitlink (index v$V) to a repository three levels down ends the run 120"
        check "$BACKEND $MODE: ... naming it" grep -q "$WS/src/a/inner/.git is a git directory" "$ERR"
        rm -rf "$WS/src"
    done
    # The same in a nested repository the host made, and a plain git init there still passes.
    hgit init -q "$WS/sub" && hgit -C "$WS/sub" commit -q --allow-empty -m i
    own_fix
    run "$G init -q sub/a/inner && $G -C sub/a/inner commit -q --allow-empty -m i && $G -C sub add a/inner 2>/dev/null"
    [ "$MODE" = protect ] &&
        expect_rc 0 "$BACKEND $MODE: ... a plain repository three levels down, staged as a gitlink, passes"
    run "$G -C sub/a/inner config core.fsmonitor '$FSM'"
    expect_rc 120 "$BACKEND $MODE: ... given an fsmonitor in a later run, ends it 120"
    rm -rf "$WS/sub"
    if [ "$MODE" = commit ]; then
        # The top's index is writable in commit mode: a gitlink into a dependency tree.
        run "$G init -q node_modules/pkg && $G -C node_modules/pkg commit -q --allow-empty -m i &&
            $G -C node_modules/pkg config core.fsmonitor '$FSM' && $G add node_modules/pkg 2>/dev/null"
        expect_rc 120 "$BACKEND commit: a gitlink in the top's index to node_modules/pkg ends the run 120"
        hgit -C "$WS" rm -q --cached node_modules/pkg 2>/dev/null
        rm -rf "$WS/node_modules"
    fi

    # A nested repository with a submodule named libs/foo.
    hgit init -q "$WS/sub" && hgit -C "$WS/sub" submodule -q add "$SRC" libs/foo &&
        hgit -C "$WS/sub" commit -q -m sm
    own_fix
    run "cd sub/libs/foo && rm .git && $G init -q && $G config core.fsmonitor '$FSM'"
    expect_rc 120 "$BACKEND $MODE: the submodule work tree's .git (level 3) replaced ends the run 120"
    rm -rf "$WS/sub/libs/foo/.git" && echo "gitdir: ../../.git/modules/libs/foo" >"$WS/sub/libs/foo/.git"
    own_fix
    run "mkdir -p sub/a/b/c && mv sub/.git/modules/libs/foo sub/a/b/c/foo &&
        ln -s ../../../a/b/c/foo sub/.git/modules/libs/foo && $G config -f sub/a/b/c/foo/config core.fsmonitor '$FSM'"
    expect_rc 120 "$BACKEND $MODE: modules/libs/foo replaced by a link to a copy with an fsmonitor ends the run 120"
    rm "$WS/sub/.git/modules/libs/foo" && mv "$WS/sub/a/b/c/foo" "$WS/sub/.git/modules/libs/foo" &&
        hgit --git-dir="$WS/sub/.git/modules/libs/foo" config --unset core.fsmonitor
    run "mkdir -p sub/a/b && mv sub/.git/modules/libs sub/a/b/libs && ln -s ../../a/b/libs sub/.git/modules/libs &&
        $G config -f sub/a/b/libs/foo/config core.fsmonitor '$FSM'"
    expect_rc 120 "$BACKEND $MODE: modules/libs replaced by a link, its foo given an fsmonitor, ends the run 120"
    rm -rf "$WS/sub"

    # The host's nested repository: a hook that sources a file beside it, an include and a
    # hooksPath of the host's own.
    hgit init -q "$WS/sub" && hgit -C "$WS/sub" commit -q --allow-empty -m i &&
        mkdir -p "$WS/sub/.git/hooks/lib" "$WS/sub/tools/hooks" &&
        printf '#!/bin/sh\n. "$(dirname "$0")/lib/common.sh"\n' >"$WS/sub/.git/hooks/pre-commit" &&
        chmod +x "$WS/sub/.git/hooks/pre-commit" && echo : >"$WS/sub/.git/hooks/lib/common.sh" &&
        hgit -C "$WS/sub" config include.path extra.cfg && : >"$WS/sub/.git/extra.cfg"
    own_fix
    run "echo 'touch $MARK' >sub/.git/hooks/lib/common.sh"
    expect_rc 120 "$BACKEND $MODE: a file a host hook sources, rewritten in place, ends the run 120"
    check "$BACKEND $MODE: ... saying its hooks changed" grep -q "$WS/sub/.git is a git directory whose hooks the run changed" "$ERR"
    echo : >"$WS/sub/.git/hooks/lib/common.sh"
    run "printf '[core]\\n\\tfsmonitor = \"$FSM\"\\n' >sub/.git/extra.cfg"
    expect_rc 120 "$BACKEND $MODE: the file the host's include.path names, given an fsmonitor, ends the run 120"
    check "$BACKEND $MODE: ... naming the include" grep -q "include.path extra.cfg names what the run changed" "$ERR"
    : >"$WS/sub/.git/extra.cfg"
    hgit -C "$WS/sub" config core.hooksPath tools/hooks
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >sub/tools/hooks/pre-commit && chmod +x sub/tools/hooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: a hook added in the host's core.hooksPath (in the work tree) ends the run 120"
    rm -f "$WS/sub/tools/hooks/pre-commit"
    if [ "$MODE" = protect ]; then  # commit mode reports every change to a nested repository
        run "$G -C sub checkout -q -b feature && echo x >sub/tools/notes"
        expect_rc 0 "$BACKEND $MODE: ... git checkout -b beside them, and a file elsewhere, passes"
    fi

    # A rebase left stopped in the nested repository: an exec line, a strategy of the run's.
    echo a >"$WS/sub/f" && hgit -C "$WS/sub" add f && hgit -C "$WS/sub" commit -q -m a &&
        echo b >>"$WS/sub/f" && hgit -C "$WS/sub" commit -q -am b
    own_fix
    run "cd sub && GIT_SEQUENCE_EDITOR='sed -i \"1i break\"' $G rebase -q -i --exec 'touch $MARK' HEAD~1"
    expect_rc 120 "$BACKEND $MODE: a nested rebase left stopped with an exec line ends the run 120"
    check "$BACKEND $MODE: ... naming its todo" grep -q "$WS/sub/.git/rebase-merge/git-rebase-todo was left by the run with 'exec touch" "$ERR"
    hgit -C "$WS/sub" rebase --abort
    run "cd sub && GIT_SEQUENCE_EDITOR='sed -i \"1i break\"' $G rebase -q -i HEAD~1 && echo x/../evil.sh >.git/rebase-merge/strategy"
    expect_rc 120 "$BACKEND $MODE: a nested rebase left naming the strategy x/../evil.sh ends the run 120"
    hgit -C "$WS/sub" rebase --abort
    if [ "$MODE" = commit ]; then
        echo a >"$WS/f" && hgit -C "$WS" add f && hgit -C "$WS" commit -q -m a &&
            echo b >>"$WS/f" && hgit -C "$WS" commit -q -am b
        own_fix
        run "GIT_SEQUENCE_EDITOR='sed -i \"1i break\"' $G rebase -q -i HEAD~1 && echo x/../evil.sh >.git/rebase-merge/strategy"
        expect_rc 120 "$BACKEND commit: the top's rebase left naming a strategy of the run's ends the run 120"
        check "$BACKEND commit: ... naming the strategy" grep -q "naming the merge strategy 'x/../evil.sh'" "$ERR"
        hgit -C "$WS" rebase --abort
        run "mkdir -p .git/sequencer && printf '[options]\n\tstrategy = \"x/../evil.sh\"\n' >.git/sequencer/opts"
        expect_rc 120 "$BACKEND commit: a sequencer's opts naming a strategy of the run's ends the run 120"
        rm -rf "$WS/.git/sequencer"
        run "GIT_SEQUENCE_EDITOR='sed -i \"1i break\"' $G rebase -q -i -s ort HEAD~1"
        expect_rc 0 "$BACKEND commit: a rebase left stopped with git's own strategy passes"
        hgit -C "$WS" rebase --abort
    fi
    rm -rf "$WS/sub"

    # Split index (core.splitIndex): the gitlink lies in the shared index the split one names.
    run "$G init -q src && $G init -q src/a/inner && $G -C src/a/inner commit -q --allow-empty -m i &&
        $G -C src/a/inner config core.fsmonitor '$FSM' && $G -C src add a/inner 2>/dev/null &&
        $G -C src update-index --split-index"
    expect_rc 120 "$BACKEND $MODE: a gitlink kept in a split index's shared index ends the run 120"
    rm -rf "$WS/src"
    # core.worktree (a plain key) moves the work tree, and the index's paths with it: a gitlink
    # there, to a repository in ${tmpdir}, is entered by the host's git status in sub/.
    run "$G init -q sub && w=\$TMPDIR/wt && $G init -q \$w/inner && $G -C \$w/inner commit -q --allow-empty -m i &&
        $G -C \$w/inner config core.fsmonitor '$FSM' && $G -C sub config core.worktree \$w && $G -C sub add inner 2>/dev/null"
    expect_rc 120 "$BACKEND $MODE: a gitlink in a work tree core.worktree moves to \${tmpdir} ends the run 120"
    check "$BACKEND $MODE: ... naming the work tree or the repository there" grep -q "$FIX/tmp/wt" "$ERR"
    rm -rf "$WS/sub" "$FIX/tmp/wt"
    # An index the run wrote that cannot be read for gitlinks is the run's to answer for.
    hgit init -q "$WS/sub"
    own_fix
    run "head -c 100 /dev/zero >sub/.git/index"
    expect_rc 120 "$BACKEND $MODE: an index the run made unreadable ends the run 120"
    rm -rf "$WS/sub"
    if [ "$MODE" = protect ]; then
        # 5000 gitlinks to the host's directories, then one to a plant: they used to spend the
        # search's bound (4096) and the plant went unseen, with a warning and exit 0.
        hgit init -q "$WS/sub" && mkdir -p "$WS/sub/d" && (cd "$WS/sub/d" && mkdir $(seq 5000))
        own_fix
        run "cd sub && h=0123456789012345678901234567890123456789 && $G init -q zz &&
            $G -C zz config core.fsmonitor '$FSM' &&
            { for i in \$(seq 5000); do printf '160000 %s\\td/%s\\n' \$h \$i; done; printf '160000 %s\\tzz\\n' \$h; } |
            $G update-index --index-info"
        expect_rc 120 "$BACKEND $MODE: a plant behind 5000 gitlinks to the host's directories ends the run 120"
        check "$BACKEND $MODE: ... naming it" grep -q "$WS/sub/zz/.git is a git directory" "$ERR"
        rm -rf "$WS/sub/zz" && (cd "$WS/sub/d" && mkdir $(seq 5001 8300))
        own_fix
        run "cd sub && h=0123456789012345678901234567890123456789 &&
            for i in \$(seq 8300); do printf '160000 %s\\td/%s\\n' \$h \$i; done | $G update-index --index-info"
        expect_rc 120 "$BACKEND $MODE: more gitlinks than the search follows (8192) end the run 120"
        check "$BACKEND $MODE: ... saying so" grep -q "more than 8192 gitlinks" "$ERR"
        rm -rf "$WS/sub"
    fi
    # Forty-seventh review. A nested repository's core.worktree pointed into the protected
    # .git/hooks: the host's next `git switch` there would check files out into it.
    hgit init -q "$WS/sub" && hgit -C "$WS/sub" commit -q --allow-empty -m i
    own_fix
    run "$G -C sub config core.worktree ../../.git/hooks"
    expect_rc 120 "$BACKEND $MODE: a nested core.worktree leading into .git/hooks ends the run 120"
    [ "$MODE" = protect ] &&  # commit mode reports any change to a nested repository's config
        check "$BACKEND $MODE: ... saying where it leads" grep -q "core.worktree leads to $WS/.git/hooks, inside a git directory" "$ERR"
    hgit -C "$WS/sub" config --unset core.worktree
    # A linked worktree deeper than the search: its index's gitlinks.
    hgit -C "$WS/sub" worktree add -q "$WS/sub/.worktrees/feat" 2>/dev/null
    own_fix
    run "$G init -q sub/.worktrees/feat/evil && $G -C sub/.worktrees/feat/evil commit -q --allow-empty -m i &&
        $G -C sub/.worktrees/feat/evil config core.fsmonitor '$FSM' && $G -C sub/.worktrees/feat add evil 2>/dev/null"
    expect_rc 120 "$BACKEND $MODE: a gitlink added in a linked worktree three levels down ends the run 120"
    check "$BACKEND $MODE: ... naming the plant" grep -q "$WS/sub/.worktrees/feat/evil/.git is a git directory" "$ERR"
    hgit -C "$WS/sub" worktree remove --force "$WS/sub/.worktrees/feat" 2>/dev/null
    rm -rf "$WS/sub/.worktrees"
    # An include of the host's own that includes another file: the second level, rewritten.
    mkdir -p "$WS/sub/inc" && : >"$WS/sub/inc/two.inc" && printf '[include]\n\tpath = two.inc\n' >"$WS/sub/inc/one.inc" &&
        hgit -C "$WS/sub" config include.path ../inc/one.inc
    own_fix
    run "printf '[core]\\n\\tfsmonitor = \"$FSM\"\\n' >sub/inc/two.inc"
    expect_rc 120 "$BACKEND $MODE: the file a host's include includes, given an fsmonitor, ends the run 120"
    check "$BACKEND $MODE: ... naming both" grep -q "include.path ../inc/one.inc, which includes include.path two.inc" "$ERR"
    hgit -C "$WS/sub" config --unset include.path
    # husky's layout: hooksPath .husky/_, whose stubs run .husky/<hook>.
    mkdir -p "$WS/sub/.husky/_" && hgit -C "$WS/sub" config core.hooksPath .husky/_
    own_fix
    run "printf 'touch $MARK\\n' >sub/.husky/post-checkout"
    expect_rc 120 "$BACKEND $MODE: a husky hook (.husky/post-checkout) added in a nested repository ends the run 120"
    rm -rf "$WS/sub"
    # The top repository's own hooksPath and include (protected read-only by the plan).
    mkdir -p "$WS/.githooks" "$WS/tools" && : >"$WS/tools/git.inc" &&
        hgit -C "$WS" config core.hooksPath .githooks && hgit -C "$WS" config include.path ../tools/git.inc
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >.githooks/post-checkout"
    check "$BACKEND $MODE: a hook cannot be added in the top repository's core.hooksPath" test ! -e "$WS/.githooks/post-checkout"
    run "printf '[core]\\n\\tfsmonitor = \"$FSM\"\\n' >>tools/git.inc"
    check "$BACKEND $MODE: the file the top repository's include.path names stays as it was" test ! -s "$WS/tools/git.inc"
    run "echo x >tools/other && mkdir .githooks2"
    expect_rc 0 "$BACKEND $MODE: ... the files beside them stay writable"
    sbxb --policy "$FIX/$MODE.toml" --explain >"$OUT" 2>"$ERR"
    check "$BACKEND $MODE: --explain names the hooks directory and why" grep -q "core.hookspath .githooks in $WS/.git/config" "$OUT"
    hgit -C "$WS" config --unset core.hooksPath && hgit -C "$WS" config --unset include.path
    rm -rf "$WS/.githooks" "$WS/.githooks2" "$WS/tools"
    # Forty-eighth review: the plan read the top repository's config its own way. A ".." after a
    # name the command could re-point (scripts/../.githooks, scripts made a link elsewhere).
    mkdir -p "$WS/scripts" && hgit -C "$WS" config core.hooksPath scripts/../.githooks
    own_fix
    run "mv scripts scripts.real; mkdir -p a/b a/.githooks && ln -s a/b scripts; printf '#!/bin/sh\ntouch $MARK\n' >a/.githooks/post-commit"
    check "$BACKEND $MODE: the name before a '..' in core.hooksPath stays as it was" \
        test -d "$WS/scripts" -a ! -L "$WS/scripts" -a ! -e "$WS/scripts.real"
    hgit -C "$WS" config --unset core.hooksPath
    rm -rf "$WS/scripts" "$WS/scripts.real" "$WS/a"
    # An inline comment after the value, and a value continued on the next line.
    printf '[core]\n\thooksPath = .githooks ; the team hooks\n[include]\n\tpath = ../v3\\\n.cfg\n' >>"$WS/.git/config"
    own_fix
    run "mkdir -p .githooks; printf '#!/bin/sh\ntouch $MARK\n' >.githooks/post-commit; echo '[core]' >v3.cfg"
    check "$BACKEND $MODE: a hooksPath with a comment after it is protected as git reads it" \
        test ! -e "$WS/.githooks/post-commit"
    check "$BACKEND $MODE: an include continued on the next line is protected as git reads it" \
        test ! -e "$WS/v3.cfg"
    hgit -C "$WS" config --unset core.hooksPath && hgit -C "$WS" config --unset include.path
    rm -rf "$WS/.githooks"
    # An include through a link, whose own include is relative to the link, not its target.
    mkdir -p "$WS/conf" && printf '[include]\n\tpath = b.cfg\n' >"$WS/conf/a.cfg" &&
        ln -s conf/a.cfg "$WS/lnk.cfg" && hgit -C "$WS" config include.path ../lnk.cfg
    own_fix
    run "printf '[core]\\n\\tfsmonitor = \"$FSM\"\\n' >b.cfg"
    check "$BACKEND $MODE: what an include reached through a link includes is protected where git reads it" \
        test ! -e "$WS/b.cfg"
    hgit -C "$WS" config --unset include.path
    rm -rf "$WS/conf" "$WS/lnk.cfg"
    # More includes than sbxrun protects: refused (122), not left writable past the bound.
    for i in $(seq 65); do hgit -C "$WS" config --add include.path "../m$i.cfg"; done
    own_fix
    run "echo '[core]' >m65.cfg"
    expect_rc 122 "$BACKEND $MODE: 65 includes in the top repository's config: the run needs approval"
    check "$BACKEND $MODE: ... and nothing ran" test ! -e "$WS/m65.cfg"
    hgit -C "$WS" config --unset-all include.path
    # The user's own git configuration: a relative hooksPath there is taken in this work tree.
    printf '[core]\n\thooksPath = .ghooks\n' >"$FIX/home/.gitconfig"
    own_fix
    run "mkdir -p .ghooks; printf '#!/bin/sh\ntouch $MARK\n' >.ghooks/post-commit"
    check "$BACKEND $MODE: a relative hooksPath of ~/.gitconfig is protected in the work tree" \
        test ! -e "$WS/.ghooks/post-commit"
    rm -f "$FIX/home/.gitconfig"
    # A nested repository's include with a comment after it, as git reads it.
    hgit init -q "$WS/sub" && : >"$WS/sub/n.cfg" && printf '[include]\n\tpath = ../n.cfg # ours\n' >>"$WS/sub/.git/config"
    own_fix
    run "printf '[core]\\n\\tfsmonitor = \"$FSM\"\\n' >sub/n.cfg"
    expect_rc 120 "$BACKEND $MODE: the file a nested include with a comment names, rewritten, ends the run 120"
    rm -rf "$WS/sub"
    # A file there named in filesystem.write (the deeper rule) may be edited.
    mkdir -p "$WS/.githooks" && echo old >"$WS/.githooks/pre-commit" && hgit -C "$WS" config core.hooksPath .githooks
    printf 'version = 1\n[filesystem]\nwrite = ["%s"]\n' "$WS/.githooks/pre-commit" >"$FIX/hookok.toml"
    own_fix
    sbxb --policy "$FIX/$MODE.toml" --policy "$FIX/hookok.toml" -- sh -c 'echo new >.githooks/pre-commit'
    expect_rc 0 "$BACKEND $MODE: a hook named in filesystem.write may be edited"
    check "$BACKEND $MODE: ... and was" grep -qx new "$WS/.githooks/pre-commit"
    hgit -C "$WS" config --unset core.hooksPath
    rm -rf "$WS/.githooks"
    # Forty-ninth review. A .git file (or link) written below the top, naming the protected
    # .git: git run there takes its config, a relative hooksPath with it, in that directory.
    mkdir -p "$WS/src" "$WS/.husky/_" && hgit -C "$WS" config core.hooksPath .husky/_
    own_fix
    run "echo 'gitdir: ../.git' >src/.git && mkdir -p src/.husky/_ && printf '#!/bin/sh\ntouch $MARK\n' >src/.husky/_/pre-commit"
    expect_rc 120 "$BACKEND $MODE: src/.git naming the protected .git ends the run 120"
    check "$BACKEND $MODE: ... naming it" grep -q "$WS/.git is a git directory of a repository the plan protects" "$ERR"
    rm -rf "$WS/src"
    run "mkdir src && ln -s ../.git src/.git"
    expect_rc 120 "$BACKEND $MODE: ... and a src/.git link to it"
    rm -rf "$WS/src" "$WS/.husky"
    hgit -C "$WS" config --unset core.hooksPath
    # The top repository's own core.worktree: its relative hooks path is taken there too.
    mkdir -p "$WS/wt" && hgit -C "$WS" config core.hooksPath .githooks && hgit -C "$WS" config core.worktree ../wt
    own_fix
    run "mkdir -p wt/.githooks; printf '#!/bin/sh\ntouch $MARK\n' >wt/.githooks/pre-commit"
    check "$BACKEND $MODE: a hook in the work tree the top's core.worktree names is refused" test ! -e "$WS/wt/.githooks/pre-commit"
    hgit -C "$WS" config --unset core.worktree && hgit -C "$WS" config --unset core.hooksPath
    rm -rf "$WS/wt"
    # Nested: one repository made to borrow another's git directory, and a core.worktree the run
    # set to a directory of its own.
    hgit init -q "$WS/sub1" && hgit -C "$WS/sub1" config core.hooksPath .githooks && hgit init -q "$WS/sub2"
    own_fix
    run "rm -rf sub2/.git && echo 'gitdir: ../sub1/.git' >sub2/.git && mkdir -p sub2/.githooks && printf '#!/bin/sh\ntouch $MARK\n' >sub2/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: sub2/.git made to name sub1's git directory ends the run 120"
    rm -rf "$WS/sub2"
    run "$G -C sub1 config core.worktree ../../evilwt && mkdir -p evilwt/.githooks && printf '#!/bin/sh\ntouch $MARK\n' >evilwt/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: a core.worktree the run set to a directory of its own ends the run 120"
    [ "$MODE" = protect ] &&
        check "$BACKEND $MODE: ... saying its .git does not lead back" grep -q "core.worktree leads to $WS/evilwt, whose .git does not lead back" "$FIX/.status"
    rm -rf "$WS/sub1" "$WS/evilwt"
    # A command of the top repository's config whose program is a file of the work tree.
    mkdir -p "$WS/tools" && printf '#!/bin/sh\nexit 1\n' >"$WS/tools/fsmon.sh" &&
        hgit -C "$WS" config core.fsmonitor tools/fsmon.sh && hgit -C "$WS" config alias.t '!scripts/t.sh --x'
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >tools/fsmon.sh"
    check "$BACKEND $MODE: the program the top's core.fsmonitor names cannot be rewritten" grep -qx 'exit 1' "$WS/tools/fsmon.sh"
    run "mkdir -p scripts && printf '#!/bin/sh\ntouch $MARK\n' >scripts/t.sh"
    check "$BACKEND $MODE: ... nor the one its alias names made" test ! -e "$WS/scripts/t.sh"
    run "echo x >tools/other"
    expect_rc 0 "$BACKEND $MODE: ... the files beside them stay writable"
    hgit -C "$WS" config --unset core.fsmonitor && hgit -C "$WS" config --unset alias.t
    rm -rf "$WS/tools" "$WS/scripts"
    # An interpreter's script in a command of the top's config (forty-ninth review, left then).
    hgit -C "$WS" config diff.py.textconv 'python3 tools/conv.py'
    own_fix
    run "mkdir -p tools && printf 'print(1)\n' >tools/conv.py"
    check "$BACKEND $MODE: the script a textconv's interpreter runs cannot be made" test ! -e "$WS/tools/conv.py"
    hgit -C "$WS" config --unset diff.py.textconv
    rm -rf "$WS/tools"
    # The user's relative hooksPath applies in nested repositories too (forty-ninth review).
    hgit init -q "$WS/sub" && mkdir -p "$WS/sub/.githooks"
    printf '[core]\n\thooksPath = .githooks\n' >"$FIX/home/.gitconfig"
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >sub/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: a hook in a nested repository's work tree where ~/.gitconfig's relative hooksPath leads ends the run 120"
    check "$BACKEND $MODE: ... naming it" grep -q "$WS/sub/.githooks was changed by the run" "$ERR"
    rm -f "$FIX/home/.gitconfig"
    run "echo x >sub/.githooks/notes"
    expect_rc 0 "$BACKEND $MODE: ... without that hooksPath, the same directory is the run's to write"
    rm -rf "$WS/sub"
    # Configuration the environment gives git: $GIT_CONFIG_GLOBAL's file (the file itself too),
    # $GIT_CONFIG_COUNT's and $GIT_CONFIG_PARAMETERS' entries.
    printf '[core]\n\thooksPath = .ghooks\n' >"$WS/team.gitconfig"
    own_fix
    GIT_CONFIG_GLOBAL=$WS/team.gitconfig run "mkdir -p .ghooks && printf '#!/bin/sh\ntouch $MARK\n' >.ghooks/pre-commit"
    check "$BACKEND $MODE: a hook where \$GIT_CONFIG_GLOBAL's relative hooksPath leads cannot be made" test ! -e "$WS/.ghooks/pre-commit"
    GIT_CONFIG_GLOBAL=$WS/team.gitconfig run "echo '[core] fsmonitor = \"touch $MARK\"' >>team.gitconfig"
    check "$BACKEND $MODE: ... nor the file \$GIT_CONFIG_GLOBAL names rewritten" not_in fsmonitor "$WS/team.gitconfig"
    rm -rf "$WS/team.gitconfig" "$WS/.ghooks"
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0=tools/fsm.sh \
        run "mkdir -p tools && printf '#!/bin/sh\ntouch $MARK\n' >tools/fsm.sh"
    check "$BACKEND $MODE: the program a \$GIT_CONFIG_COUNT entry names cannot be made" test ! -e "$WS/tools/fsm.sh"
    GIT_CONFIG_PARAMETERS="'core.hooksPath'='.ph'" run "mkdir -p .ph && printf '#!/bin/sh\ntouch $MARK\n' >.ph/pre-commit"
    check "$BACKEND $MODE: ... nor a hook where \$GIT_CONFIG_PARAMETERS' hooksPath leads" test ! -e "$WS/.ph/pre-commit"
    rm -rf "$WS/tools" "$WS/.ph"
    # Linked worktrees: the top's relative hooksPath is git's there too (fiftieth session). The
    # host's own worktree is protected; one the run adds (commit mode) is judged after it.
    hgit -C "$WS" config core.hooksPath .githooks && hgit -C "$WS" worktree add -q "$WS/hostwt" 2>/dev/null
    own_fix
    run "mkdir -p hostwt/.githooks && printf '#!/bin/sh\ntouch $MARK\n' >hostwt/.githooks/pre-commit"
    check "$BACKEND $MODE: a hook in the host's linked worktree where the top's hooksPath leads cannot be made" \
        test ! -e "$WS/hostwt/.githooks/pre-commit"
    # Review 51: another directory's .git naming that worktree's admin directory.
    run "mkdir -p y/.githooks && echo 'gitdir: $WS/.git/worktrees/hostwt' >y/.git && printf '#!/bin/sh\ntouch $MARK\n' >y/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: y/.git naming the admin directory of the host's linked worktree ends the run 120"
    rm -rf "$WS/y"
    if [ "$MODE" = commit ]; then
        run "$G worktree add -q runwt 2>/dev/null && mkdir -p runwt/.githooks && printf '#!/bin/sh\ntouch $MARK\n' >runwt/.githooks/pre-commit"
        expect_rc 120 "$BACKEND commit: a hook in a worktree the run added, where the top's hooksPath leads, ends the run 120"
        check "$BACKEND commit: ... naming it" grep -q "$WS/runwt/.githooks was changed by the run" "$ERR"
        hgit -C "$WS" worktree remove --force runwt 2>/dev/null; rm -rf "$WS/runwt"
        # ... and with its gitdir rewritten to lead elsewhere (review 51).
        run "$G worktree add -q runwt 2>/dev/null && mkdir -p runwt/.githooks && printf '#!/bin/sh\ntouch $MARK\n' >runwt/.githooks/pre-commit &&
            echo '$FIX/tmp/nowhere/.git' >.git/worktrees/runwt/gitdir"
        expect_rc 120 "$BACKEND commit: ... also when the run rewrote its admin directory's gitdir"
        rm -rf "$WS/runwt" "$WS/.git/worktrees/runwt"
        # The project's committed hooks checked out in a worktree the run adds are the project's.
        mkdir -p "$WS/.githooks" && printf '#!/bin/sh\nexit 0\n' >"$WS/.githooks/pre-commit" &&
            hgit -C "$WS" add .githooks && hgit -C "$WS" commit -q -m hooks --no-verify
        own_fix
        run "$G worktree add -q -b topic runwt 2>/dev/null"
        expect_rc 0 "$BACKEND commit: a worktree the run adds, with the project's committed hooks, passes"
        hgit -C "$WS" worktree remove --force runwt 2>/dev/null; rm -rf "$WS/runwt"
        hgit -C "$WS" rm -q -r --cached .githooks && hgit -C "$WS" commit -q -m unhooks --no-verify
        rm -rf "$WS/.githooks"
    fi
    hgit -C "$WS" worktree remove --force hostwt 2>/dev/null; rm -rf "$WS/hostwt"; hgit -C "$WS" worktree prune
    hgit -C "$WS" config --unset core.hooksPath
    # A nested repository's own command whose program is in its work tree.
    hgit init -q "$WS/sub" && mkdir -p "$WS/sub/tools" && printf '#!/bin/sh\nexit 1\n' >"$WS/sub/tools/fsmon.sh" &&
        hgit -C "$WS/sub" config core.fsmonitor tools/fsmon.sh
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >sub/tools/fsmon.sh"
    expect_rc 120 "$BACKEND $MODE: the program a nested repository's own core.fsmonitor names, rewritten, ends the run 120"
    rm -rf "$WS/sub"
    # A .git file the run wrote to a plain repository elsewhere, in a directory where the user's
    # relative hooksPath then leads.
    printf '[core]\n\thooksPath = .githooks\n' >"$FIX/home/.gitconfig"
    run "$G init -q --bare '$FIX/tmp/plain.git' && mkdir -p sub/.githooks && echo 'gitdir: $FIX/tmp/plain.git' >sub/.git &&
        printf '#!/bin/sh\ntouch $MARK\n' >sub/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: a hook beside a .git file the run wrote, where ~/.gitconfig's relative hooksPath leads, ends the run 120"
    rm -f "$FIX/home/.gitconfig"; rm -rf "$WS/sub" "$FIX/tmp/plain.git"
    # Pointers as git reads them (fiftieth session): a .git link to a file whose relative gitdir
    # git takes from where it named .git; one through /proc/self/cwd, which is where the process
    # reading it is.
    hgit -C "$WS" config core.hooksPath .githooks
    run "mkdir -p sub/.githooks a/b && echo 'gitdir: ../.git' >a/b/gf && ln -s ../a/b/gf sub/.git &&
        printf '#!/bin/sh\ntouch $MARK\n' >sub/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: sub/.git, a link to a file naming ../.git, ends the run 120"
    rm -rf "$WS/sub" "$WS/a"
    run "mkdir -p sub/.githooks && echo 'gitdir: /proc/self/cwd/../.git' >sub/.git &&
        printf '#!/bin/sh\ntouch $MARK\n' >sub/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: a .git file naming /proc/self/cwd/../.git ends the run 120"
    check "$BACKEND $MODE: ... saying why" grep -q "through a magic link of /proc" "$FIX/.status"
    rm -rf "$WS/sub"
    # git reads the path as a C string: what follows a NUL is not part of it.
    run "mkdir -p sub/.githooks && printf 'gitdir: ../.git\\0junk\\n' >sub/.git &&
        printf '#!/bin/sh\ntouch $MARK\n' >sub/.githooks/pre-commit"
    expect_rc 120 "$BACKEND $MODE: a .git file naming ../.git before a NUL ends the run 120"
    rm -rf "$WS/sub"
    hgit -C "$WS" config --unset core.hooksPath
    if [ "$MODE" = commit ]; then
        run "$G init -q '$FIX/tmp/eg' && $G -C '$FIX/tmp/eg' commit -q --allow-empty -m e &&
            $G -C '$FIX/tmp/eg' config core.fsmonitor '$FSM' && mkdir -p sub a/b &&
            echo 'gitdir: $FIX/tmp/eg/.git' >a/b/gf && ln -s ../a/b/gf sub/.git &&
            $G update-index --add --cacheinfo 160000,\$($G -C '$FIX/tmp/eg' rev-parse HEAD),sub"
        expect_rc 120 "$BACKEND commit: a gitlink whose .git is a link to a file naming a repository with an fsmonitor ends the run 120"
        rm -rf "$WS/sub" "$WS/a" "$FIX/tmp/eg"
        hgit -C "$WS" rm -q --cached sub 2>/dev/null
    fi
    # More of git's command keys, and a program after another simple command (review 50).
    hgit -C "$WS" config diff.external tools/d.sh && hgit -C "$WS" config alias.t '!true; scripts/t.sh'
    own_fix
    run "mkdir -p tools scripts && printf '#!/bin/sh\ntouch $MARK\n' >tools/d.sh"
    check "$BACKEND $MODE: the program diff.external names cannot be made" test ! -e "$WS/tools/d.sh"
    run "mkdir -p scripts && printf '#!/bin/sh\ntouch $MARK\n' >scripts/t.sh"
    check "$BACKEND $MODE: ... nor one an alias runs after 'true;'" test ! -e "$WS/scripts/t.sh"
    hgit -C "$WS" config --unset diff.external && hgit -C "$WS" config --unset alias.t
    rm -rf "$WS/tools" "$WS/scripts"
    # The host's template hooks in a clone, and preferences set in it, are not the run's (review
    # 50's false 120s); the template directory itself is protected.
    if [ "$MODE" = protect ]; then
        mkdir -p "$FIX/tmp/tmpl/hooks" && printf '#!/bin/sh\nexit 0\n' >"$FIX/tmp/tmpl/hooks/post-checkout" &&
            chmod +x "$FIX/tmp/tmpl/hooks/post-checkout"
        own_fix
        GIT_TEMPLATE_DIR=$FIX/tmp/tmpl run "$G clone -q '$SRC' c4 && $G -C c4 config pull.rebase false && $G -C c4 config core.autocrlf input"
        expect_rc 0 "$BACKEND $MODE: a clone with the host's template hook, and preferences set in it, passes"
        GIT_TEMPLATE_DIR=$FIX/tmp/tmpl run "printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/tmpl/hooks/post-checkout'"
        check "$BACKEND $MODE: ... and the template's hook cannot be rewritten" grep -qx 'exit 0' "$FIX/tmp/tmpl/hooks/post-checkout"
        rm -rf "$WS/c4" "$FIX/tmp/tmpl"
    fi
    # Review 51: git's own program variables, more spellings of a command's program, and an
    # origin that is a local repository in a writable root.
    GIT_EXTERNAL_DIFF=tools/gd.sh run "mkdir -p tools && printf '#!/bin/sh\ntouch $MARK\n' >tools/gd.sh"
    check "$BACKEND $MODE: the program \$GIT_EXTERNAL_DIFF names cannot be made" test ! -e "$WS/tools/gd.sh"
    hgit -C "$WS" config core.fsmonitor 'python3 fsmon.py' && hgit -C "$WS" config alias.f "!sh -c 'cd tools && ./f.sh'"
    own_fix
    run "printf 'print(1)\n' >fsmon.py"
    check "$BACKEND $MODE: the script of 'python3 fsmon.py' cannot be made" test ! -e "$WS/fsmon.py"
    run "mkdir -p tools && printf '#!/bin/sh\ntouch $MARK\n' >tools/f.sh"
    check "$BACKEND $MODE: ... nor the one after 'cd tools &&' in sh -c" test ! -e "$WS/tools/f.sh"
    hgit -C "$WS" config --unset core.fsmonitor && hgit -C "$WS" config --unset alias.f
    rm -rf "$WS/tools" "$WS/fsmon.py"
    hgit init -q --bare "$FIX/tmp/origin.git" && hgit -C "$WS" remote add origin "$FIX/tmp/origin.git"
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/origin.git/hooks/pre-receive'"
    check "$BACKEND $MODE: a hook in the origin, a local repository in a writable root, cannot be made" \
        test ! -e "$FIX/tmp/origin.git/hooks/pre-receive"
    hgit -C "$WS" remote remove origin && rm -rf "$FIX/tmp/origin.git"
    if [ "$MODE" = protect ]; then
        run "$G clone -q '$SRC' c6 && $G -C c6 config submodule.recurse true && $G -C c6 config core.fsmonitor true"
        expect_rc 0 "$BACKEND $MODE: a clone given submodule.recurse and git's own fsmonitor passes"
        rm -rf "$WS/c6"
    fi
    # Review 52: where git finds a local remote (P/.git before P), a remote through insteadOf,
    # a python -m package's __init__.py, and a clone whose origin the run made with a hook.
    hgit init -q --bare "$FIX/tmp/origin.git" && hgit -C "$WS" remote add origin "$FIX/tmp/origin.git"
    own_fix
    run "$G init -q --bare '$FIX/tmp/origin.git/.git'"
    check "$BACKEND $MODE: a repository cannot be made at the origin's .git, which git would take first" \
        test ! -e "$FIX/tmp/origin.git/.git"
    hgit -C "$WS" remote remove origin && rm -rf "$FIX/tmp/origin.git"
    hgit init -q --bare "$FIX/tmp/mirror/p.git" && hgit -C "$WS" remote add up https://example.invalid/p.git &&
        hgit -C "$WS" config "url.$FIX/tmp/mirror/.insteadOf" https://example.invalid/
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/mirror/p.git/hooks/pre-receive'"
    check "$BACKEND $MODE: a hook in a remote reached through url.*.insteadOf cannot be made" \
        test ! -e "$FIX/tmp/mirror/p.git/hooks/pre-receive"
    hgit -C "$WS" remote remove up && hgit -C "$WS" config --remove-section "url.$FIX/tmp/mirror/" && rm -rf "$FIX/tmp/mirror"
    hgit -C "$WS" config core.fsmonitor 'python3 -m tools.fsmon'
    own_fix
    run "mkdir -p tools && echo 'import os' >tools/__init__.py"
    check "$BACKEND $MODE: the __init__.py of 'python3 -m tools.fsmon' cannot be made" test ! -e "$WS/tools/__init__.py"
    hgit -C "$WS" config --unset core.fsmonitor; rm -rf "$WS/tools"
    if [ "$MODE" = protect ]; then
        run "$G init -q --bare '$FIX/tmp/up.git' && printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/up.git/hooks/pre-receive' &&
            chmod +x '$FIX/tmp/up.git/hooks/pre-receive' && $G clone -q '$FIX/tmp/up.git' vendor/lib 2>/dev/null"
        expect_rc 120 "$BACKEND $MODE: a clone whose origin the run made with a hook ends the run 120"
        rm -rf "$WS/vendor" "$FIX/tmp/up.git"
        # The same origin behind a gitfile whose path a NUL ends, as git reads it.
        run "$G init -q --bare '$FIX/tmp/up.git' && printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/up.git/hooks/pre-receive' &&
            chmod +x '$FIX/tmp/up.git/hooks/pre-receive' && $G init -q vendor/lib &&
            printf 'gitdir: $FIX/tmp/up.git\\0x' >'$FIX/tmp/upx' && $G -C vendor/lib remote add origin '$FIX/tmp/upx'"
        expect_rc 120 "$BACKEND $MODE: ... behind a gitfile naming it before a NUL, ends the run 120"
        rm -rf "$WS/vendor" "$FIX/tmp/up.git" "$FIX/tmp/upx"
        # A nested repository's remote named only in .git/branches, and one past 64 remotes.
        run "$G init -q --bare '$FIX/tmp/up.git' && printf '#!/bin/sh\\ntouch $MARK\\n' >'$FIX/tmp/up.git/hooks/pre-receive' &&
            chmod +x '$FIX/tmp/up.git/hooks/pre-receive' && $G init -q vendor/lib &&
            mkdir -p vendor/lib/.git/branches && echo '$FIX/tmp/up.git' >vendor/lib/.git/branches/origin"
        expect_rc 120 "$BACKEND $MODE: ... named only in the clone's .git/branches, ends the run 120"
        rm -rf "$WS/vendor" "$FIX/tmp/up.git"
        run "$G init -q --bare '$FIX/tmp/up.git' && printf '#!/bin/sh\\ntouch $MARK\\n' >'$FIX/tmp/up.git/hooks/pre-receive' &&
            chmod +x '$FIX/tmp/up.git/hooks/pre-receive' && $G init -q vendor/lib &&
            for i in \$(seq 1 64); do printf '[remote \"r%s\"]\\n\\turl = /nonexistent/%s\\n' \$i \$i; done >>vendor/lib/.git/config &&
            $G -C vendor/lib remote add origin '$FIX/tmp/up.git'"
        expect_rc 120 "$BACKEND $MODE: ... named after 64 other local remotes, ends the run 120"
        rm -rf "$WS/vendor" "$FIX/tmp/up.git"
    fi
    # What git clone and sparse-checkout write (the forty-sixth review's false 120s).
    if [ "$MODE" = protect ]; then
        hgit -C "$SRC" submodule -q add "$SRC" inner 2>/dev/null; hgit -C "$SRC" commit -q -m inner
        own_fix
        run "$G clone -q --recurse-submodules '$SRC' c1 && $G clone -q --mirror '$SRC' c2 &&
            $G clone -q --filter=blob:none 'file://$SRC' c3 && $G -C c3 sparse-checkout set x"
        expect_rc 0 "$BACKEND $MODE: clone --recurse-submodules, --mirror, --filter and sparse-checkout pass"
        rm -rf "$WS/c1" "$WS/c2" "$WS/c3"
    fi
    # Review 53. A local remote (a percent-escaped file:// URL) with its own relative hooks
    # path, and the host's relative one (~/.gitconfig), both taken in its git directory: its
    # commondir and both hooks directories cannot be made.
    O="$FIX/tmp/o r.git"
    hgit init -q --bare "$O" && hgit -C "$O" config core.hooksPath srv &&
        hgit -C "$WS" remote add origin "file://$FIX/tmp/o%20r.git"
    printf '[core]\n\thooksPath = .githooks\n' >"$FIX/home/.gitconfig"
    own_fix
    run "echo x >'$O/commondir'; mkdir '$O/srv'; mkdir '$O/.githooks'"
    check "$BACKEND $MODE: a local remote's commondir, own hooks path and the host's cannot be made" \
        test ! -e "$O/commondir" -a ! -e "$O/srv" -a ! -e "$O/.githooks"
    rm -f "$FIX/home/.gitconfig"; hgit -C "$WS" remote remove origin; rm -rf "$O"
    # A remote named only in .git/branches, and one relative to a linked worktree.
    hgit init -q --bare "$FIX/tmp/b.git" && mkdir -p "$WS/.git/branches" &&
        echo "$FIX/tmp/b.git" >"$WS/.git/branches/b"
    hgit -C "$WS" worktree add -q "$FIX/tmp/wts/wt1" 2>/dev/null &&
        hgit -C "$WS" remote add up ../origin.git
    own_fix
    run "printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/b.git/hooks/pre-receive'; $G init -q --bare '$FIX/tmp/wts/origin.git'"
    check "$BACKEND $MODE: ... nor a hook of a remote named in .git/branches, nor ../origin.git of a worktree" \
        test ! -e "$FIX/tmp/b.git/hooks/pre-receive" -a ! -e "$FIX/tmp/wts/origin.git/HEAD"
    hgit -C "$WS" remote remove up; hgit -C "$WS" worktree remove --force "$FIX/tmp/wts/wt1"
    rm -rf "$WS/.git/branches" "$FIX/tmp/b.git" "$FIX/tmp/wts"
    # A template directory's commondir; and its config's own entries are the host's (no 120).
    mkdir -p "$FIX/tmp/tpl/hooks" && printf '[diff]\n\tmnemonicPrefix = true\n' >"$FIX/tmp/tpl/config"
    printf '[init]\n\ttemplateDir = %s\n' "$FIX/tmp/tpl" >"$FIX/home/.gitconfig"
    own_fix
    run "echo x >'$FIX/tmp/tpl/commondir'"
    check "$BACKEND $MODE: a template directory's commondir cannot be made" test ! -e "$FIX/tmp/tpl/commondir"
    if [ "$MODE" = protect ]; then
        rm -f "$FIX/tmp/tpl/commondir"  # made where the check above failed
        run "GIT_CONFIG_GLOBAL='$FIX/home/.gitconfig' $G init -q pkg"
        expect_rc 0 "$BACKEND $MODE: git init with the template's own config passes"
        rm -rf "$WS/pkg"
    fi
    rm -rf "$FIX/home/.gitconfig" "$FIX/tmp/tpl"
    # A template directory named in a file ~/.gitconfig includes: git follows the include.
    mkdir -p "$FIX/tmp/tpl" "$FIX/home/inc" &&
        printf '[init]\n\ttemplateDir = %s\n' "$FIX/tmp/tpl" >"$FIX/home/inc/git.cfg" &&
        printf '[include]\n\tpath = inc/git.cfg\n' >"$FIX/home/.gitconfig"
    own_fix
    run "mkdir -p '$FIX/tmp/tpl/hooks' && printf '#!/bin/sh\ntouch $MARK\n' >'$FIX/tmp/tpl/hooks/post-checkout'"
    check "$BACKEND $MODE: the hooks of a template directory set in an included file cannot be made" \
        test ! -e "$FIX/tmp/tpl/hooks/post-checkout"
    rm -rf "$FIX/home/.gitconfig" "$FIX/home/inc" "$FIX/tmp/tpl"
    # Commands spelled past their program: a cd with options, a pattern; a system program with
    # two names is no reason to refuse the run (it was a false 122).
    mkdir -p "$WS/tools" && echo : >"$WS/tools/a" && echo : >"$WS/tools/b"
    hgit -C "$WS" config alias.t '!cd -P tools && sh a' && hgit -C "$WS" config alias.g '!sh tools/?'
    own_fix
    run "echo 'touch $MARK' >tools/a; echo 'touch $MARK' >tools/b"
    check "$BACKEND $MODE: the scripts of 'cd -P tools && sh a' and 'sh tools/?' cannot be changed" \
        test "$(cat "$WS/tools/a" "$WS/tools/b")" = ":
:"
    # A pattern matching more files than the plan once kept (16) is judged by its new matches
    # only: an untouched tools/ passed as a false 120 before.
    for i in $(seq 1 20); do echo : >"$WS/tools/s$i.sh"; done
    hgit -C "$WS" config alias.s '!for f in tools/s*.sh; do sh "$f"; done'
    own_fix
    run true
    expect_rc 0 "$BACKEND $MODE: a pattern matching 20 files passes a run that makes none"
    run "echo x >tools/s21.sh"
    expect_rc 120 "$BACKEND $MODE: ... and a 21st match the run makes ends it 120"
    hgit -C "$WS" config --unset alias.s; rm -f "$WS"/tools/s*.sh
    hgit -C "$WS" config alias.p '!/usr/bin/perl x.pl'
    run true
    expect_rc 0 "$BACKEND $MODE: an alias of /usr/bin/perl (two names) is no reason to refuse the run"
    for k in t g p; do hgit -C "$WS" config --unset "alias.$k"; done
    rm -rf "$WS/tools"
    # Review 54: a missing program behind a redirection, an unknown wrapper or a pattern, made
    # by the run, ends it 120; the place after a local remote git takes and a template's
    # modules/ cannot be made; a program named without a slash is PATH's, not the work tree's.
    mkdir -p "$WS/tools"
    for v in '>/dev/null tools/run' 'setarch x86_64 tools/run' 'tools/ru[n]'; do
        hgit -C "$WS" config core.fsmonitor "$v"
        own_fix
        run "printf '#!/bin/sh\ntouch $MARK\n' >tools/run && chmod +x tools/run"
        check "$BACKEND $MODE: core.fsmonitor = $v: its program cannot be made, or made ends the run 120" \
            test "$RC" = 120 -o ! -e "$WS/tools/run"
        rm -f "$WS/tools/run"
    done
    hgit -C "$WS" config --unset core.fsmonitor
    # Review 55: a script behind a prefix ("sh" was read as a duration); and a word that ends
    # like data is no program: a compile's a.o and a test's report pass.
    hgit -C "$WS" config core.fsmonitor 'exec sh fsm' && hgit -C "$WS" config alias.c '!rm -f *.o' &&
        hgit -C "$WS" config alias.v '!open coverage/index.html'
    own_fix
    run "printf 'touch $MARK\n' >fsm"
    check "$BACKEND $MODE: the script of 'exec sh fsm' cannot be made" test ! -e "$WS/fsm"
    run "echo x >a.o && mkdir -p coverage && echo x >coverage/index.html"
    expect_rc 0 "$BACKEND $MODE: a.o and coverage/index.html, which aliases name, may be made"
    hgit -C "$WS" config --unset core.fsmonitor; hgit -C "$WS" config --unset alias.c
    hgit -C "$WS" config --unset alias.v; rm -rf "$WS/a.o" "$WS/coverage"
    # Review 56: a file ending like data is code to what runs it (make -f, a wrapper not known
    # here); an inert program's operand is no code, whatever its ending.
    for v in 'make -f tools/fsm.mk' 'flock tools/l sh tools/fsm.txt'; do
        hgit -C "$WS" config core.fsmonitor "$v"
        own_fix
        run "mkdir -p tools && printf 'touch $MARK\n' >tools/fsm.mk && cp tools/fsm.mk tools/fsm.txt"
        expect_rc 120 "$BACKEND $MODE: core.fsmonitor = $v, its file made by the run: 120"
        rm -rf "$WS/tools"
    done
    hgit -C "$WS" config --unset core.fsmonitor
    hgit -C "$WS" config alias.c '!rm -f build/app' && mkdir -p "$WS/build" && echo old >"$WS/build/app"
    own_fix
    run "echo new >build/app && echo x >build/app2"
    expect_rc 0 "$BACKEND $MODE: build/app, which '!rm -f build/app' names, stays writable"
    rm -f "$WS/build/app"
    run "echo new >build/app"
    expect_rc 0 "$BACKEND $MODE: ... and may be made"
    hgit -C "$WS" config --unset alias.c; rm -rf "$WS/build"
    # Review 57: a substitution in double quotes; the value's own PATH; a name it redefines; the
    # directory find -exec runs the files of. And what a command writes, or an inert program
    # behind a wrapper or a reader, is no program: a build that makes them passes.
    mkdir -p "$WS/tools" "$WS/node_modules/.bin" "$WS/scripts/checks"
    echo : >"$WS/tools/list.sh"; echo : >"$WS/node_modules/.bin/eslint"; echo : >"$WS/scripts/checks/a.sh"
    hgit -C "$WS" config alias.l '!rm -rf "$(tools/list.sh)"' &&
        hgit -C "$WS" config alias.e '!PATH=node_modules/.bin:$PATH eslint .' &&
        hgit -C "$WS" config alias.f '!find scripts/checks -type f -name "*.sh" -exec sh {} \;'
    own_fix
    run "echo 'touch $MARK' >tools/list.sh; echo 'touch $MARK' >node_modules/.bin/eslint;
        echo 'touch $MARK' >scripts/checks/a.sh; echo 'touch $MARK' >scripts/checks/b.sh"
    check "$BACKEND $MODE: files run through \"\$(...)\", the value's PATH and find -exec cannot be changed or added" \
        test "$(cat "$WS/tools/list.sh" "$WS/node_modules/.bin/eslint" "$WS/scripts/checks/a.sh")" = ":
:
:" -a ! -e "$WS/scripts/checks/b.sh"
    for k in l e f; do hgit -C "$WS" config --unset "alias.$k"; done
    rm -rf "$WS/tools" "$WS/node_modules" "$WS/scripts"
    for v in 'echo "$(build/info)"' 'rm() { "$@"; }; rm build/info'; do
        hgit -C "$WS" config core.fsmonitor "$v"
        own_fix
        run "mkdir -p build && echo 'touch $MARK' >build/info"
        check "$BACKEND $MODE: core.fsmonitor = $v: its file cannot be made, or made ends the run 120" \
            test "$RC" = 120 -o ! -e "$WS/build/info"
        rm -rf "$WS/build"
    done
    hgit -C "$WS" config --unset core.fsmonitor
    hgit -C "$WS" config alias.s '!git diff HEAD > out/current.diff' &&
        hgit -C "$WS" config alias.p '!git archive -o out/src.tar HEAD' &&
        hgit -C "$WS" config alias.c '!command rm -f build/app' &&
        hgit -C "$WS" config alias.t '!tail -n 50 build/test.log'
    own_fix
    run "mkdir -p out build && echo x >out/current.diff && echo x >out/src.tar && echo x >build/app && echo x >build/test.log"
    expect_rc 0 "$BACKEND $MODE: what aliases write, and an inert program's operands behind a wrapper, may be made"
    for k in s p c t; do hgit -C "$WS" config --unset "alias.$k"; done
    rm -rf "$WS/out" "$WS/build"
    # Review 58: an inert program's option that runs a program, output redirected around a
    # reader; and a pipeline of readers may read what the build makes.
    mkdir -p "$WS/tools" && echo : >"$WS/tools/c.sh" && echo : >"$WS/tools/h.txt"
    hgit -C "$WS" config alias.z '!sort -S 100 --compress-program=tools/c.sh build/big.txt' &&
        hgit -C "$WS" config alias.b '!{ cat tools/h.txt; } >build/b.sh && sh build/b.sh' &&
        hgit -C "$WS" config alias.t '!tail -n 50 build/test.log | grep -i fail'
    own_fix
    run "echo 'touch $MARK' >tools/c.sh; echo 'touch $MARK' >tools/h.txt"
    check "$BACKEND $MODE: sort's compress program and a grouped cat's file cannot be changed" \
        test "$(cat "$WS/tools/c.sh" "$WS/tools/h.txt")" = ":
:"
    hgit -C "$WS" config --unset alias.z; hgit -C "$WS" config --unset alias.b
    run "mkdir -p build && echo FAIL >build/test.log"
    expect_rc 0 "$BACKEND $MODE: build/test.log, which '!tail ... | grep' reads, may be made"
    hgit -C "$WS" config --unset alias.t
    rm -rf "$WS/tools" "$WS/build"
    # Review 59: a shell's -c among its options, env -S, a script without a slash behind a
    # wrapper; output to /dev/null and archives are no programs.
    echo : >"$WS/lint.sh"
    hgit -C "$WS" config alias.b '!sh -ec "sh bootstrap"' &&
        hgit -C "$WS" config alias.l '!env -S "sh lint.sh --all"' &&
        hgit -C "$WS" config core.fsmonitor 'flock .lock sh deploy'
    own_fix
    run "echo 'touch $MARK' >>lint.sh; echo 'touch $MARK' >bootstrap; echo 'touch $MARK' >deploy"
    check "$BACKEND $MODE: the scripts of 'sh -ec', 'env -S' and 'flock .lock sh' cannot be changed, or made without 120" \
        test "$(cat "$WS/lint.sh")" = ":" -a ! -e "$WS/bootstrap" -a \( "$RC" = 120 -o ! -e "$WS/deploy" \)
    for k in alias.b alias.l core.fsmonitor; do hgit -C "$WS" config --unset "$k"; done
    # Review 60: -f joined to its script; git commit -F's message file is no script.
    hgit -C "$WS" config core.fsmonitor 'make -s --file=ci'
    own_fix
    run "printf 'all:\n\t@touch $MARK\n' >ci"
    check "$BACKEND $MODE: make --file=ci: ci cannot be made, or made ends the run 120" \
        test "$RC" = 120 -o ! -e "$WS/ci"
    rm -f "$WS/ci"
    hgit -C "$WS" config --unset core.fsmonitor; hgit -C "$WS" config alias.c '!git commit -F MSG'
    own_fix
    run "echo x >MSG"
    expect_rc 0 "$BACKEND $MODE: the message file of '!git commit -F MSG' may be made"
    hgit -C "$WS" config --unset alias.c; rm -f "$WS/MSG"
    rm -f "$WS/lint.sh" "$WS/bootstrap" "$WS/deploy" "$WS/.lock"
    hgit -C "$WS" config alias.t '!tail -n 50 build/test.log 2>/dev/null' &&
        hgit -C "$WS" config alias.a '!tar -czf dist/src.tar.gz src' &&
        hgit -C "$WS" config alias.z '!zip -r dist/x.zip src'
    own_fix
    run "mkdir -p build dist && echo x >build/test.log && echo x >dist/src.tar.gz && echo x >dist/x.zip"
    expect_rc 0 "$BACKEND $MODE: a log read with 2>/dev/null and the archives tar -c and zip write may be made"
    for k in t a z; do hgit -C "$WS" config --unset "alias.$k"; done
    rm -rf "$WS/build" "$WS/dist"
    # A relative init.templateDir is taken where git runs: in the workspace too.
    printf '[init]\n\ttemplateDir = tpl\n' >"$FIX/home/.gitconfig"
    own_fix
    run "mkdir -p tpl/hooks && printf '#!/bin/sh\ntouch $MARK\n' >tpl/hooks/post-checkout"
    check "$BACKEND $MODE: the hooks of a relative init.templateDir cannot be made in the workspace" \
        test ! -e "$WS/tpl/hooks/post-checkout"
    rm -rf "$FIX/home/.gitconfig" "$WS/tpl"
    if [ "$MODE" = commit ]; then
        run "mkdir -p .git/remotes; echo 'URL: $FIX/tmp/evil.git' >.git/remotes/origin"
        check "$BACKEND commit: .git/remotes cannot be written" test ! -e "$WS/.git/remotes/origin"
        rm -rf "$WS/.git/remotes"
    fi
    hgit init -q --bare "$FIX/tmp/o.git" && hgit -C "$WS" remote add origin "$FIX/tmp/o.git"
    mkdir -p "$FIX/tmp/tpl" && printf '[init]\n\ttemplateDir = %s\n' "$FIX/tmp/tpl" >"$FIX/home/.gitconfig"
    hgit -C "$WS" config core.pager 'less -R'
    echo l >"$WS/less"
    own_fix
    run "$G init -q --bare '$FIX/tmp/o.git.git'; mkdir '$FIX/tmp/tpl/modules'; echo edit >>less"
    check "$BACKEND $MODE: neither the place after a local remote nor a template's modules/ can be made" \
        test ! -e "$FIX/tmp/o.git.git" -a ! -e "$FIX/tmp/tpl/modules"
    check "$BACKEND $MODE: ... and ./less stays writable under core.pager = less -R" \
        grep -q edit "$WS/less"
    hgit -C "$WS" remote remove origin; hgit -C "$WS" config --unset core.pager
    rm -rf "$FIX/tmp/o.git" "$FIX/tmp/o.git.git" "$FIX/tmp/tpl" "$FIX/home/.gitconfig" "$WS/less" "$WS/tools"
    check "$BACKEND $MODE: no planted command ran on the host" test ! -e "$MARK"
done
done_testing
