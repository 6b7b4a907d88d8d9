#!/bin/bash
# The sixth outside review's ways past the planted-git check, in both git modes: a repository
# built deeper than the search in one run and moved next to the top in the next (and, in commit
# mode, staged as a gitlink that the host's `git status` at the top enters); a .git file or
# symlink written by one run toward ${tmpdir}, and the repository made there by the next; a
# thousand decoy directories before the plant; a FIFO named config (sbxrun hung on it). And the
# seventh's: padding past the search's bound, an old link into ${tmpdir}, a hook rewritten in
# place. And the eighth's: objects/ or refs/ as a link (git follows it), a bare repository at the
# top of ${tmpdir}, a hook of the host's nested repository that is a link into the work tree
# rewritten through it. Each must end a run 120, name the place, and leave the host's next git
# harmless.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip_all "git is not installed"

mkdir -p "$FIX/home" "$FIX/tmp" "$FIX/outside"
MARK=$FIX/outside/MARK
own_fix
hgit() { as_runner env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    git -c user.name=t -c user.email=t@example.org "$@"; }
# A repository-looking directory $1 whose config runs `touch $MARK` as its fsmonitor.
plant="d=\$1; mkdir -p \"\$d/objects\" \"\$d/refs/heads\" && echo 'ref: refs/heads/main' >\"\$d/HEAD\" &&
printf '[core]\\n\\trepositoryformatversion = 0\\n\\tbare = false\\n\\tworktree = ..\\n\\tfsmonitor = \"touch $MARK; false\"\\n' >\"\$d/config\""

# A host repository nested in the workspace whose pre-commit hook is a link into its work
# tree (a common layout: hooks kept under version control).
nested_with_linked_hook() {
    hgit init -q "$WS/nested" && mkdir "$WS/nested/hooks" &&
        printf '#!/bin/sh\nexit 0\n' >"$WS/nested/hooks/pre-commit" &&
        ln -s ../../hooks/pre-commit "$WS/nested/.git/hooks/pre-commit"
    own_fix
}

for MODE in protect commit; do
    printf 'version = 1\n[filesystem]\ngit = "%s"\n' "$MODE" >"$FIX/$MODE.toml"
    WS=$FIX/ws-$MODE
    rm -rf "$WS"; mkdir -p "$WS"; own_fix
    hgit init -q "$WS" && hgit -C "$WS" commit -q --allow-empty -m init
    run() { sbxb --policy "$FIX/$MODE.toml" --status-file "$FIX/.status" -- sh -c "$@"; }
    deep=a/b/c/d/e/f/g/h/i/j/k/l/m/n/o

    # Built 15 levels deep (beyond both modes' search), then moved to the top.
    run "$plant" sh "$deep"
    diag "$MODE: run 1 (plant $deep) exit $RC"
    run "mv $deep ./evil"
    expect_rc 120 "$BACKEND $MODE: a repository moved in from deep ends the run 120"
    check "$BACKEND $MODE: the status document names it" grep -q "\"path\":\"$WS/evil\"" "$FIX/.status"
    check "$BACKEND $MODE: stderr says it was not there before" \
        grep -q "$WS/evil is a git directory that was not there before the run" "$ERR"
    rm -rf "$WS/evil" "$WS/a"

    # Commit mode can also stage it as a gitlink, which `git status` at the top enters.
    if [ "$MODE" = commit ]; then
        run "$plant" sh "$deep"
        run "mv $deep ./sub && git -c user.name=s -c user.email=s@x update-index --add --cacheinfo 160000,\$(git rev-parse HEAD),sub"
        expect_rc 120 "$BACKEND commit: a repository moved in and staged as a gitlink ends the run 120"
        hgit -C "$WS" update-index --force-remove sub 2>/dev/null
        rm -rf "$WS/sub" "$WS/a"
    fi

    # A .git file (then a symlink) toward ${tmpdir} in one run, the repository there in the next.
    for KIND in file link; do
        rm -rf "$FIX/tmp/evil" "$WS/sub"
        if [ $KIND = file ]; then
            run "mkdir -p sub && printf 'gitdir: %s\\n' '$FIX/tmp/evil' >sub/.git"
        else
            run "mkdir -p sub && ln -s '$FIX/tmp/evil' sub/.git"
        fi
        diag "$MODE $KIND: run 1 (pointer) exit $RC"
        run "$plant" sh "$FIX/tmp/evil"
        expect_rc 120 "$BACKEND $MODE: the repository a .git $KIND of an earlier run names ends the run 120"
        check "$BACKEND $MODE: ... naming it" grep -q "$FIX/tmp/evil is a git directory" "$ERR"
    done
    rm -rf "$FIX/tmp/evil" "$WS/sub"

    # A thousand decoy directories listed before the plant.
    run "mkdir -p decoys && cd decoys && mkdir \$(seq -f 'a%04g' 1000) && cd .. && $plant" sh "$WS/zz"
    expect_rc 120 "$BACKEND $MODE: a plant after 1000 decoy directories ends the run 120"
    rm -rf "$WS/decoys" "$WS/zz"

    # A FIFO named config: judged, without waiting on it.
    run 'mkdir -p s/objects s/refs && echo "ref: refs/heads/main" >s/HEAD && mkfifo s/config'
    expect_rc 120 "$BACKEND $MODE: a repository whose config is a FIFO ends the run 120, at once"
    if [ "$MODE" = protect ]; then
        check "$BACKEND $MODE: ... saying why" grep -q "its config is not a regular file" "$ERR"
    else
        check "$BACKEND $MODE: ... naming it" grep -q "$WS/s is a git directory" "$ERR"
    fi
    rm -rf "$WS/s"

    # Seventh outside review: thousands of empty directories for the search to spend its
    # bound on, then the plant; fail closed (120), however many.
    n=$([ "$MODE" = protect ] && echo 4100 || echo 20100)
    run "mkdir pad && cd pad && seq -f 'd%05g' $n | xargs mkdir && cd .. && mkdir q && $plant" sh "$WS/q"
    expect_rc 120 "$BACKEND $MODE: a plant after $n padding directories ends the run 120"
    check "$BACKEND $MODE: ... saying the run made more directories than the search vouches for" \
        grep -q "the run made more than" "$ERR"
    rm -rf "$WS/pad" "$WS/q"
    # Eighth outside review: the padding spread over runs, each under the bound. The search
    # then stops at its bound on the host's (old) directories, which is not fatal (a large
    # tree is not an attack), but the status document says so to the harness.
    if [ "$MODE" = protect ]; then
        run "mkdir pad1 && cd pad1 && seq -f 'd%05g' 2100 | xargs mkdir"
        run "mkdir pad2 && cd pad2 && seq -f 'd%05g' 2100 | xargs mkdir"
        run true
        check "$BACKEND $MODE: a search cut at its bound is listed under unchecked in the status document" \
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any("stopped at its bound" in u for u in d["unchecked"]) else 1)' "$FIX/.status"
        rm -rf "$WS/pad1" "$WS/pad2"
        run true
        check "$BACKEND $MODE: ... and unchecked is empty when the search is whole" \
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["unchecked"] == [] else 1)' "$FIX/.status"
    fi
    # A link older than the run into a writable place (${tmpdir}) is followed.
    mkdir -p "$FIX/tmp/build"; ln -s "$FIX/tmp/build" "$WS/build"; own_fix
    run "$plant" sh build
    expect_rc 120 "$BACKEND $MODE: a plant through an old link into \${tmpdir} ends the run 120"
    rm -rf "$WS/build" "$FIX/tmp/build"

    # Eighth outside review: objects/ (then refs/) a link to a directory beside it.
    for L in objects refs; do
        run "$plant"' && mv "$1/'$L'" "$1/.'$L'" && ln -s ".'$L'" "$1/'$L'"' sh "$WS/lnk"
        expect_rc 120 "$BACKEND $MODE: a plant whose $L is a link ends the run 120"
        check "$BACKEND $MODE: ... naming it" grep -q "$WS/lnk is a git directory" "$ERR"
        rm -rf "$WS/lnk"
    done
    # Ninth: objects and refs as executable files (git's access(X_OK) takes them).
    run "$plant"' && rm -rf "$1/objects" "$1/refs" && : >"$1/objects" && : >"$1/refs" && chmod +x "$1/objects" "$1/refs"' sh "$WS/xf"
    expect_rc 120 "$BACKEND $MODE: a plant whose objects and refs are executable files ends the run 120"
    rm -rf "$WS/xf"
    # ... and the two-run way: a .git file toward ${tmpdir}, then a plant there with a link.
    run "mkdir -p sub && printf 'gitdir: %s\\n' '$FIX/tmp/evil' >sub/.git"
    run "$plant"' && mv "$1/objects" "$1/o" && ln -s o "$1/objects"' sh "$FIX/tmp/evil"
    expect_rc 120 "$BACKEND $MODE: a linked-objects repository a .git file of an earlier run names ends the run 120"
    rm -rf "$FIX/tmp/evil" "$WS/sub"
    # A bare repository written straight into the top of ${tmpdir} (its .git is blocked).
    run "$plant" sh "$FIX/tmp"
    expect_rc 120 "$BACKEND $MODE: a bare repository at the top of \${tmpdir} ends the run 120"
    check "$BACKEND $MODE: ... naming it" grep -q "$FIX/tmp is a git directory" "$ERR"
    rm -rf "$FIX/tmp/objects" "$FIX/tmp/refs" "$FIX/tmp/HEAD" "$FIX/tmp/config"

    check "$BACKEND $MODE: no planted command ran on the host during the runs" test ! -e "$MARK"

    # The host's own nested repository with a hook is not reported for what the host did.
    hgit init -q "$WS/nested" && printf '#!/bin/sh\n' >"$WS/nested/.git/hooks/pre-commit"
    own_fix
    run 'cd nested && git status >/dev/null && echo ok'
    expect_rc 0 "$BACKEND $MODE: git status in the host's own nested repository with a hook passes"
    # Seventh outside review: its hook rewritten in place (hooks/ itself unchanged).
    run 'echo "touch '"$MARK"'" >>nested/.git/hooks/pre-commit'
    expect_rc 120 "$BACKEND $MODE: a hook of the host's nested repository rewritten in place ends the run 120"
    check "$BACKEND $MODE: ... saying its hooks changed" grep -q "whose hooks the run changed" "$ERR"
    rm -rf "$WS/nested"
    # Eighth outside review: the hook is a link into the work tree (a common layout), and the
    # command rewrites the file it names; then the config, the same way.
    nested_with_linked_hook
    run 'echo "touch '"$MARK"'" >>nested/hooks/pre-commit'
    expect_rc 120 "$BACKEND $MODE: a hook of the host's nested repository rewritten through its link ends the run 120"
    mv "$WS/nested/.git/config" "$WS/nested/cfg" && ln -s ../cfg "$WS/nested/.git/config"
    run 'printf "[core]\\n\\tfsmonitor = \\"touch '"$MARK"'\\"\\n" >>nested/cfg'
    expect_rc 120 "$BACKEND $MODE: a config of the host's nested repository rewritten through its link ends the run 120"
    rm -rf "$WS/nested"
    # Ninth: the file the hook's link leads to is swapped over two runs: the first writes a
    # new hook where nothing leads yet, the second renames its directory onto the link's path.
    nested_with_linked_hook
    run 'mkdir nested/new && printf "#!/bin/sh\\ntouch '"$MARK"'\\n" >nested/new/pre-commit'
    diag "$MODE: run 1 (a hook where nothing leads) exit $RC"
    run 'mv nested/hooks nested/old && mv nested/new nested/hooks'
    expect_rc 120 "$BACKEND $MODE: a hook whose link leads to another, older file after the run ends the run 120"
    rm -rf "$WS/nested"

    # Forty-third review: a work tree at the search's last level (vendor/lib), and a submodule's
    # git directory (sub/.git/modules/m, where `git submodule add` keeps it), had their config
    # changed unseen in protect mode; and a git directory planted there, unseen too.
    hgit init -q "$WS/vendor/lib" && hgit init -q "$WS/sub" && hgit init -q --bare "$WS/sub/.git/modules/m"
    own_fix
    run 'cd vendor/lib && git status >/dev/null && cd ../../sub && git status >/dev/null'
    expect_rc 0 "$BACKEND $MODE: the host's vendor/lib and a submodule's git directory, untouched: passes"
    for cfg in vendor/lib/.git/config sub/.git/modules/m/config; do
        run 'printf "[core]\n\tfsmonitor = \"touch '"$MARK"'\"\n" >>'"$cfg"
        expect_rc 120 "$BACKEND $MODE: $cfg given an fsmonitor ends the run 120"
        check "$BACKEND $MODE: ... naming it" grep -q "${cfg%/config} is a git directory" "$ERR"
        sed -i '/fsmonitor/d; /^\[core\]$/{$d}' "$WS/$cfg"
    done
    run "$plant" sh sub/.git/modules/evil
    expect_rc 120 "$BACKEND $MODE: a git directory planted among a repository's submodules ends the run 120"
    # Forty-fifth review: a submodule named with a slash (git submodule add URL libs/foo).
    hgit init -q --bare "$WS/sub/.git/modules/libs/foo"
    own_fix
    run 'git config -f sub/.git/modules/libs/foo/config core.fsmonitor "touch '"$MARK"'"'
    expect_rc 120 "$BACKEND $MODE: a submodule named libs/foo given an fsmonitor ends the run 120"
    rm -rf "$WS/sub/.git/modules/libs"
    # Forty-fourth review: a .git file written at the search's last level, naming a plant in
    # ${tmpdir}, and a .git link there, went unseen.
    mkdir -p "$WS/src"
    own_fix
    run "$plant"' && mkdir -p src/x && echo "gitdir: $1" >src/x/.git' sh "$FIX/tmp/evx"
    expect_rc 120 "$BACKEND $MODE: a .git file written two levels down, naming a plant, ends the run 120"
    rm -rf "$FIX/tmp/evx" "$WS/src/x"
    run "$plant"' && mkdir -p src/x && ln -s "$1" src/x/.git' sh "$FIX/tmp/evx"
    expect_rc 120 "$BACKEND $MODE: a .git link made two levels down, to a plant, ends the run 120"
    rm -rf "$FIX/tmp/evx" "$WS/src"
    if [ "$MODE" = protect ]; then
        # Forty-fourth review: everyday work in them ended 120, for the host's own config (a
        # submodule URL; a submodule's core.worktree) once HEAD changed. Only what the run
        # changed is judged.
        hgit -C "$WS/vendor/lib" commit -q --allow-empty -m x &&
            hgit -C "$WS/vendor/lib" config submodule.m.url /nowhere &&
            hgit --git-dir="$WS/sub/.git/modules/m" config core.worktree ../../../m &&
            hgit --git-dir="$WS/sub/.git/modules/m" config core.bare false && mkdir -p "$WS/sub/m"
        own_fix
        run 'git -C vendor/lib checkout -q -b feature && git --git-dir=sub/.git/modules/m symbolic-ref HEAD refs/heads/x'
        expect_rc 0 "$BACKEND $MODE: git checkout -b in repositories whose own config has unusual keys passes"
        run 'printf "#!/bin/sh\ntouch '"$MARK"'\n" >vendor/lib/.git/hooks/post-checkout && chmod +x vendor/lib/.git/hooks/post-checkout'
        expect_rc 120 "$BACKEND $MODE: ... and a hook added there still ends the run 120"
        rm -f "$WS/vendor/lib/.git/hooks/post-checkout"
    fi
    # Forty-fourth review: a submodule's git directory replaced by a link to a copy with an
    # fsmonitor, and a repository made in a dependency tree the search does not enter.
    run 'cp -a sub/.git/modules/m "$TMPDIR/evilm" &&
        git config -f "$TMPDIR/evilm/config" core.fsmonitor "touch '"$MARK"'" &&
        mv sub/.git/modules/m "$TMPDIR/oldm" && ln -s "$TMPDIR/evilm" sub/.git/modules/m'
    expect_rc 120 "$BACKEND $MODE: a submodule's git directory replaced by a link to a plant ends the run 120"
    rm -rf "$WS/sub/.git/modules/m" "$FIX/tmp/evilm" "$FIX/tmp/oldm"
    run 'mkdir .venv && git -C .venv init -q && git -C .venv config core.fsmonitor "touch '"$MARK"'"'
    expect_rc 120 "$BACKEND $MODE: a repository with an fsmonitor made in .venv ends the run 120"
    # Forty-fourth review: a linked worktree's administrative directory in a nested repository,
    # its commondir rewritten to lead to a plant, or the directory replaced by one.
    hgit -C "$WS/vendor/lib" commit -q --allow-empty -m w &&
        hgit -C "$WS/vendor/lib" worktree add -q "$FIX/wt-$MODE"
    own_fix
    run 'd=$TMPDIR/evilc; git init -q --bare "$d" && git config -f "$d/config" core.fsmonitor "touch '"$MARK"'" &&
        echo "$d" >vendor/lib/.git/worktrees/wt-'"$MODE"'/commondir'
    expect_rc 120 "$BACKEND $MODE: a worktree's commondir rewritten to lead to a plant ends the run 120"
    echo ../.. >"$WS/vendor/lib/.git/worktrees/wt-$MODE/commondir"
    run 'a=vendor/lib/.git/worktrees/wt-'"$MODE"' && mv "$a" "$TMPDIR/olda" && git init -q --bare "$a" &&
        git config -f "$a/config" core.fsmonitor "touch '"$MARK"'" && cp "$TMPDIR/olda/gitdir" "$a/"'
    expect_rc 120 "$BACKEND $MODE: a worktree's administrative directory replaced by a plant ends the run 120"
    rm -rf "$WS/vendor/lib/.git/worktrees/wt-$MODE" && mv "$FIX/tmp/olda" "$WS/vendor/lib/.git/worktrees/wt-$MODE"
    if [ "$MODE" = protect ]; then
        run 'git -c user.name=t -c user.email=t@example.org -C vendor/lib worktree add -q ../wt2'
        expect_rc 0 "$BACKEND $MODE: git worktree add in a nested repository passes"
    fi
    # Forty-fifth review: an administrative directory whose commondir leads "back" two levels
    # up, to a plant deeper than the search, named by a .git file the run wrote.
    run "$plant"' && mkdir -p "$1/x/wt" wt3 && echo "ref: refs/heads/main" >"$1/x/wt/HEAD" &&
        echo ../.. >"$1/x/wt/commondir" && echo "gitdir: ../$1/x/wt" >wt3/.git' sh d1/d2/d3
    expect_rc 120 "$BACKEND $MODE: a commondir leading back to a plant deeper than the search ends the run 120"
    rm -rf "$WS/d1" "$WS/wt3"
    if [ "$MODE" = protect ]; then
        # ... and config writes in a nested repository whose config has the host's alias, or a
        # repository made as git clone --recurse-submodules makes one, passed as everyday work.
        hgit -C "$WS/vendor/lib" config alias.st status
        own_fix
        run 'git -C vendor/lib remote add origin /nowhere && git -C vendor/lib config core.worktree "$(pwd)/vendor/lib" &&
            git init -q fresh && git -C fresh config submodule.m.url /nowhere && git -C fresh config submodule.m.active true'
        expect_rc 0 "$BACKEND $MODE: remote add beside the host's alias, a clone's submodule keys: passes"
        run 'git -C vendor/lib config alias.st "!touch '"$MARK"'"'
        expect_rc 120 "$BACKEND $MODE: ... the host's alias given another value ends the run 120"
        run 'git -C vendor/lib config submodule.m.update "!touch '"$MARK"'"'
        expect_rc 120 "$BACKEND $MODE: ... a submodule.NAME.update command ends the run 120"
        check "$BACKEND $MODE: ... naming the key with its subsection" grep -q "sets submodule.m.update" "$ERR"
        rm -rf "$WS/fresh"
    fi
    # The per-worktree config of a repository whose own config turns it on (sparse-checkout
    # does): judged like config, whatever the host's own config says.
    hgit -C "$WS/vendor/lib" config extensions.worktreeConfig true
    own_fix
    run 'git -C vendor/lib config --worktree core.fsmonitor "touch '"$MARK"'"'
    expect_rc 120 "$BACKEND $MODE: an fsmonitor in config.worktree ends the run 120"
    rm -rf "$WS/vendor" "$WS/sub" "$WS/.venv" "$FIX/wt-$MODE" "$FIX/tmp/evilc" "$FIX/tmp/olda"
    check "$BACKEND $MODE: still no planted command ran on the host" test ! -e "$MARK"
done
done_testing
