#!/bin/bash
# The edges of symlink-aware protection (issue 3, sbxrun-policy(5) SYMBOLIC LINKS), on both
# backends: chains, loops, links leading out of the workspace or into another writable root, a
# workspace reached through a symlink, git worktree `.git` files and `.git` symlinks, links inside
# a real protected directory, denied links, and many runs sharing a workspace at once. Every case
# checks the host afterwards and what --explain says (text and JSON).
. "$(dirname "$0")/lib.sh"

backends=(bwrap)
kernel_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$kernel_abi" -ge 1 ]; then
    backends+=(landlock)
elif [ "${SBXRUN_MUST_WORK:-0}" = 1 ]; then
    not_ok "Landlock is not enabled on this kernel (SBXRUN_MUST_WORK=1)"
else
    diag "Landlock is not enabled on this kernel: only the bwrap backend is tested"
fi
mkdir -p "$FIX/home" "$FIX/tmp"

# attempts_fail LABEL ATTEMPT...: each attempt, run on its own, fails inside the sandbox.
attempts_fail() {
    local label=$1 a; shift
    for a in "$@"; do
        sbx "${P[@]}" -- sh -c "$a"
        expect_denied "$label: '$a' fails"
    done
}
# same_host LABEL BEFORE DIR: the fingerprint of DIR is still BEFORE.
same_host() {
    local now; now=$(fingerprint "$3")
    check "$1: the host is unchanged" test "$now" = "$2"
    [ "$now" = "$2" ] || diff <(echo "$2") <(echo "$now") | head -20 | sed 's/^/#   /'
}
# explain_json PYTHON-EXPR: --explain --explain-format json of the current policy, bound to `d`;
# passes when the expression is true.
explain_json() {
    sbx "${P[@]}" --explain --explain-format json -- true
    [ "$RC" = 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$OUT"
}
no_crash() { ! grep -qiE 'panic|abort|terminate called|backtrace|segmentation' "$ERR"; }

for B in "${backends[@]}"; do
    R=$FIX/$B
    mkdir -p "$R"
    diag "---- backend $B ----"

    # ---- chains: .codex -> .c1 -> .c2 -> .c2real, every link in the workspace ----
    WS=$R/chain
    mkdir -p "$WS/.c2real" "$WS/src"
    echo 'model = "x"' >"$WS/.c2real/config.toml"
    ln -s .c1 "$WS/.codex"; ln -s .c2 "$WS/.c1"; ln -s .c2real "$WS/.c2"
    own_fix
    P=(--backend "$B")
    before=$(fingerprint "$WS")
    sbx "${P[@]}" -- sh -c 'cat .codex/config.toml && readlink .codex .c1 .c2 | tr "\n" " "'
    check "$B chain: reads through the chain work, readlink as on the host" \
        grep -q 'model = "x".*\.c1 \.c2 \.c2real' <(tr '\n' ' ' <"$OUT")
    attempts_fail "$B chain" 'echo x >>.codex/config.toml' 'echo x >.c2real/new' \
        'rm .codex' 'rm .c1' 'mv .c2 .c2x' 'ln -sfn src .c1' 'ln -sfn /tmp .c2' \
        'rm -rf .codex; mkdir .codex && echo evil >.codex/config.toml'
    sbx "${P[@]}" -- sh -c 'echo ok >src/new'
    expect_rc 0 "$B chain: ordinary writes in the workspace succeed"
    rm -f "$WS/src/new"
    same_host "$B chain" "$before" "$WS"
    sbx "${P[@]}" --explain -- true
    check "$B chain: --explain shows the three links and the decision" sh -c \
        "grep -q '/chain/.codex: pinned (target $WS/.c2real read-only' '$OUT' &&
         grep -c '      via $WS/.c[12odex]* -> ' '$OUT' | grep -qx 3"
    check "$B chain: --explain json: chain of 3, pinned, all three links pinned" explain_json \
        "[p for p in d['protected'] if p['path'].endswith('/chain/.codex') and len(p['chain'])==3 and p['decision']=='pinned' and 'writable place' in p['detail']] and sorted(x['link'].rsplit('/',1)[1] for x in d['pins'])==['.c1','.c2','.codex']"

    # ---- loops: a refusal naming the path and the chain, 122 (the policy is fine, the tree is
    # odd: issue 12), a valid status document ----
    WS=$R/loop
    mkdir -p "$WS"
    ln -s .codex "$WS/.codex"
    ln -s b "$WS/a"; ln -s a "$WS/b"
    own_fix
    printf 'version = 1\n[filesystem]\nprotect = [".git", "a"]\n' >"$R/loop.toml"; own_fix
    rm -f "$FIX/.status"
    sbx "${P[@]}" --status-file "$FIX/.status" -- touch ran
    expect_rc 122 "$B loop .codex -> .codex: exit 122"
    check "$B loop: needs_approval in a valid status document" \
        test "$(status_field "$FIX/.status" outcome)" = needs_approval
    check "$B loop: the message names the path and the chain" \
        grep -q "loop: $WS/.codex -> $WS/.codex" "$ERR"
    check "$B loop: nothing ran, no crash" sh -c "test ! -e '$WS/ran' && ! grep -qiE 'panic|abort|terminate called|backtrace' '$ERR'"
    sbx "${P[@]}" --policy "$R/loop.toml" --status-file "$FIX/.status" -- touch ran
    expect_rc 122 "$B loop a -> b -> a: exit 122"
    check "$B loop a -> b -> a: the status names the chain" sh -c \
        "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"reason\"])' '$FIX/.status' | grep -q '$WS/a -> $WS/b -> $WS/a'"
    sbx "${P[@]}" --policy "$R/loop.toml" --explain -- true
    expect_rc 122 "$B loop: --explain says the same and exits 122"
    check "$B loop: --explain names the chain" grep -q "$WS/a -> $WS/b -> $WS/a" "$ERR"
    check "$B loop: the links are unchanged" test "$(readlink "$WS/a")$(readlink "$WS/b")$(readlink "$WS/.codex")" = "ba.codex"

    # ---- links leading out of the workspace, and into another writable root ----
    WS=$R/out-ws
    mkdir -p "$WS/src" "$R/outside/dir" "$R/w2/cfg" "$R/w2/other"
    echo keep >"$R/outside/dir/config.toml"
    echo keep >"$R/w2/cfg/config.toml"
    ln -s "$R/outside/dir" "$WS/.codex"
    ln -s "$R/w2/cfg" "$WS/.claude"
    own_fix
    printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "${tmpdir}", "%s"]\nprotect = [".codex", ".claude"]\n' "$R/w2" >"$R/out.toml"; own_fix
    P=(--backend "$B" --policy "$R/out.toml")
    before=$(fingerprint "$R")
    attempts_fail "$B outside" 'echo x >.codex/new' "echo x >>$R/outside/dir/config.toml" \
        'rm .codex' 'mv .codex .c' 'ln -sfn /tmp .codex' "ln -sfn $R/w2/other .codex" \
        'echo x >.claude/new' "echo x >>$R/w2/cfg/config.toml" "rm -rf $R/w2/cfg" \
        'rm .claude' "ln -sfn $R/w2/other .claude" "mv $R/w2/cfg $R/w2/cfg2"
    sbx "${P[@]}" -- sh -c "echo ok >$R/w2/other/new && readlink .codex .claude"
    expect_rc 0 "$B outside: the other writable root stays writable"
    check "$B outside: readlink as on the host" grep -qx "$R/w2/cfg" "$OUT"
    rm -f "$R/w2/other/new"
    same_host "$B outside" "$before" "$R"
    check "$B outside: --explain json: both links pinned, both targets read-only" explain_json \
        "{x['link'].rsplit('/',1)[1] for x in d['pins']}=={'.codex','.claude'} and [m for m in d['mounts'] if m['dest']=='$R/w2/cfg' and m['kind']=='read-only'] and all(p['decision']=='pinned' for p in d['protected'] if p['chain'])"

    # ---- a workspace reached through a symlink, and one under a symlinked ancestor ----
    mkdir -p "$R/real-ws/.git" "$R/real-ws/src" "$R/realanc/proj/.git" "$R/realanc/proj/src"
    ln -s real-ws "$R/ws-link"
    ln -s realanc "$R/anc"
    own_fix
    P=(--backend "$B")
    for given in "$R/ws-link" "$R/anc/proj"; do
        real=$(realpath "$given")
        WS=$given
        before=$(fingerprint "$real")
        sbx "${P[@]}" -- sh -c 'pwd; echo "$PWD"'
        check "$B linked root $given: the command sees the path it was given" \
            test "$(sort -u "$OUT")" = "$given"
        sbx "${P[@]}" -- sh -c "echo a >src/a && echo b >$given/src/b"
        expect_rc 0 "$B linked root $given: writes through the link path succeed"
        check "$B linked root $given: they land in the real directory" \
            sh -c "grep -qx a '$real/src/a' && grep -qx b '$real/src/b'"
        rm -f "$real/src/a" "$real/src/b"
        attempts_fail "$B linked root $given" 'touch .git/x' "touch $given/.git/x" "touch $real/.git/x" \
            'rm -rf .git' 'mkdir .agents' "mkdir $real/.codex"
        same_host "$B linked root $given" "$before" "$real"
        sbx "${P[@]}" --explain -- true
        check "$B linked root $given: --explain names the given path and the link" \
            grep -q "writable  $real\$" "$OUT"
        check "$B linked root $given: ... and why" grep -q "given as $given, resolved through $R/" "$OUT"
    done

    # ---- git worktree: .git is a file (gitdir: ...), protected as a file; its text untrusted ----
    git init -q "$R/repo" && git -C "$R/repo" -c user.email=t@t -c user.name=t commit -q --allow-empty -m init &&
        git -C "$R/repo" worktree add -q "$R/wt" 2>/dev/null
    check "$B worktree: git worktree add made a .git file" grep -q '^gitdir: ' "$R/wt/.git"
    mkdir -p "$R/wt/src" "$R/sub-ws/src" "$R/evil"
    echo "gitdir: $R/evil" >"$R/sub-ws/.git"   # a gitdir pointing outside: nothing extra granted
    own_fix
    for WS in "$R/wt" "$R/sub-ws"; do
        before=$(fingerprint "$WS"); before_evil=$(fingerprint "$R/evil")
        attempts_fail "$B gitdir file $(basename "$WS")" 'echo "gitdir: /tmp" >.git' 'echo x >>.git' \
            'rm .git' 'mv .git g' 'ln -sfn /tmp .git' 'rm -f .git; mkdir .git' "touch $R/evil/x"
        same_host "$B gitdir file $(basename "$WS")" "$before" "$WS"
        check "$B gitdir file $(basename "$WS"): the gitdir target is untouched" test "$(fingerprint "$R/evil")" = "$before_evil"
        check "$B gitdir file $(basename "$WS"): --explain: .git read-only, its gitdir granted nothing" explain_json \
            "[p for p in d['protected'] if p['path']=='$WS/.git' and p['decision']=='read-only'] and not [m for m in d['mounts'] if m['dest'].startswith('$R/evil') or m['dest'].startswith('$R/repo')]"
    done

    # ---- a .git that is a symlink (Android repo: .git -> ../.repo/projects/x.git) ----
    mkdir -p "$R/android/.repo/projects/x.git" "$R/android/x/src"
    echo '[core]' >"$R/android/.repo/projects/x.git/config"
    ln -s ../.repo/projects/x.git "$R/android/x/.git"
    # A relative name applies at the top of each writable root only (nested repositories are
    # not searched), so the checkout's top as the workspace names the project's .git itself.
    printf 'version = 1\n[filesystem]\nprotect = ["${workspace}/x/.git"]\n' >"$R/android.toml"
    own_fix
    for WS in "$R/android/x" "$R/android"; do   # target outside, then inside, the workspace
        WS_GIT=$R/android/x
        P=(--backend "$B")
        [ "$WS" = "$R/android" ] && P+=(--policy "$R/android.toml")
        before=$(fingerprint "$R/android")
        attempts_fail "$B .git symlink (workspace $(basename "$WS"))" "echo x >>$WS_GIT/.git/config" \
            "touch $WS_GIT/.git/new" "rm $WS_GIT/.git" "ln -sfn /tmp $WS_GIT/.git" "mv $WS_GIT/.git $WS_GIT/g"
        same_host "$B .git symlink (workspace $(basename "$WS"))" "$before" "$R/android"
    done
    check "$B .git symlink: --explain json: the link pinned, the target read-only inside the workspace" explain_json \
        "[p for p in d['protected'] if p['path']=='$WS_GIT/.git' and p['decision']=='pinned' and p['chain']==['$WS_GIT/.git -> ../.repo/projects/x.git']] and [x for x in d['pins'] if x['link']=='$WS_GIT/.git'] and [m for m in d['mounts'] if m['dest']=='$R/android/.repo/projects/x.git' and m['kind']=='read-only']"
    WS=$R/android/x P=(--backend "$B")
    check "$B .git symlink: --explain json: the link pinned when the target is outside the workspace" explain_json \
        "[p for p in d['protected'] if p['path']=='$WS/.git' and p['decision']=='pinned' and 'writable place' in p['detail']] and [x for x in d['pins'] if x['link']=='$WS/.git']"

    # ---- a real .codex/ holding links into the workspace (one two levels deep) ----
    WS=$R/cfg
    mkdir -p "$WS/.codex" "$WS/.auxiliary/deep/er" "$WS/src"
    echo 'model = "y"' >"$WS/.auxiliary/codex.toml"
    echo prompt >"$WS/.auxiliary/deep/er/p.md"
    ln -s ../.auxiliary/codex.toml "$WS/.codex/config.toml"
    ln -s ../.auxiliary/deep/er "$WS/.codex/prompts"
    own_fix
    P=(--backend "$B")
    before=$(fingerprint "$WS")
    sbx "${P[@]}" -- sh -c 'cat .codex/config.toml .codex/prompts/p.md'
    check "$B real .codex/: reads through its links work" grep -q prompt "$OUT"
    attempts_fail "$B real .codex/" 'echo x >>.auxiliary/codex.toml' 'rm .auxiliary/codex.toml' \
        'rm .codex/config.toml' 'ln -sfn /tmp/x .codex/config.toml' 'echo x >.auxiliary/deep/er/new' \
        'rm -rf .auxiliary/deep' 'mv .auxiliary .aux2' 'mv .auxiliary/deep .auxiliary/d2'
    sbx "${P[@]}" -- sh -c 'echo ok >src/new'
    expect_rc 0 "$B real .codex/: ordinary writes succeed"
    rm -f "$WS/src/new"
    same_host "$B real .codex/" "$before" "$WS"
    sbx "${P[@]}" --explain -- true
    check "$B real .codex/: --explain shows the scan" \
        grep -q "scanned protected directory '$WS/.codex' for symlinks: 2 entries, 2 symlinks" "$OUT"
    check "$B real .codex/: --explain shows what the scan found and why" \
        grep -q "$WS/.codex/prompts: pinned (target $WS/.auxiliary/deep/er read-only;.*found by the scan of protected $WS/.codex)" "$OUT"
    check "$B real .codex/: --explain json agrees" explain_json \
        "[p for p in d['protected'] if p['path']=='$WS/.codex/config.toml' and p['decision']=='pinned' and 'found by the scan' in p['detail']] and [m for m in d['mounts'] if m['dest']=='$WS/.auxiliary/codex.toml' and m['kind']=='read-only'] and any('scanned' in n for n in d['notes'])"

    # ---- deny paths that are symlinks: the target hidden, the link kept ----
    WS=$R/deny
    mkdir -p "$WS/src" "$R/secret"
    echo TOPSECRET >"$R/secret/key"
    echo TOPSECRET >"$R/secretfile"
    ln -s "$R/secret" "$WS/sec"; ln -s "$R/secretfile" "$WS/sf"
    own_fix
    printf 'version = 1\n[filesystem]\ndeny = ["${workspace}/sec", "${workspace}/sf"]\n' >"$R/deny.toml"; own_fix
    P=(--backend "$B" --policy "$R/deny.toml")
    before=$(fingerprint "$WS")
    sbx "${P[@]}" -- sh -c "cat sec/key sf $R/secret/key $R/secretfile; ln -s $R/secret src/again && cat src/again/key"
    check "$B deny link: the target's content is unreadable, by any path" sh -c "! grep -q TOPSECRET '$OUT'"
    rm -f "$WS/src/again"
    attempts_fail "$B deny link" 'rm sec' 'mv sf sf2' 'ln -sfn /tmp sec' 'rm -rf sec; mkdir sec'
    same_host "$B deny link" "$before" "$WS"
    sbx "${P[@]}" -- sh -c 'cat sec/key sf'
    check "$B deny link: the next run still hides the target" sh -c "[ $RC != 0 ] && ! grep -q TOPSECRET '$OUT'"
    check "$B deny link: --explain json: target hidden, link pinned" explain_json \
        "[m for m in d['mounts'] if m['dest']=='$R/secret' and m['kind'].startswith('hidden')] and {x['link'] for x in d['pins']}=={'$WS/sec','$WS/sf'}"

    # ---- missing protected names in several writable roots, 8 runs at once, 5 rounds ----
    WS=$R/multi
    mkdir -p "$WS/src" "$R/m2/src" "$R/m3/src"
    own_fix
    printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "${tmpdir}", "%s", "%s"]\nprotect = [".agents", ".codex", ".claude"]\n' \
        "$R/m2" "$R/m3" >"$R/multi.toml"; own_fix
    P=(--backend "$B" --policy "$R/multi.toml")
    before=$(fingerprint "$R"); before_tmp=$(ls -A "$FIX/tmp")
    # Exit 0: every creation failed; 9: one succeeded (protection weakened).
    attempt='sleep 0.0$(($$ % 9)); for d in . '"$R/m2 $R/m3 $FIX/tmp"'; do for n in .agents .codex .claude; do
        mkdir "$d/$n" 2>/dev/null && exit 9; touch "$d/$n/x" 2>/dev/null && exit 9
        echo x >"$d/$n" 2>/dev/null && exit 9; done; done; exit 0'
    bad=0
    for round in 1 2 3 4 5; do
        pids=()
        for i in 1 2 3 4 5 6 7 8; do
            (cd "$WS" && as_runner "$SBXRUN" "${P[@]}" -- sh -c "$attempt") >"$R/par.$i" 2>&1 &
            pids+=($!)
        done
        for i in 1 2 3 4 5 6 7 8; do
            wait "${pids[$((i - 1))]}"; rc=$?
            if [ "$rc" != 0 ]; then
                bad=$((bad + 1)); diag "round $round run $i: exit $rc"
                grep -v approximated "$R/par.$i" | head -3 | sed 's/^/#   /'
            fi
        done
    done
    check "$B concurrent runs: 40 runs, none could create a missing protected name" test "$bad" = 0
    rm -f "$R"/par.*
    same_host "$B concurrent runs" "$before" "$R"
    check "$B concurrent runs: nothing left in the temp dir" test "$(ls -A "$FIX/tmp")" = "$before_tmp"
    left=$(for d in "$WS" "$R/m2" "$R/m3" "$FIX/tmp"; do for n in .agents .codex .claude; do
        [ -e "$d/$n" ] || [ -L "$d/$n" ] && echo "$d/$n"; done; done)
    check "$B concurrent runs: no placeholder left in any root${left:+ ($left)}" test -z "$left"
    check "$B: no crash text in the last run" no_crash
done

done_testing
