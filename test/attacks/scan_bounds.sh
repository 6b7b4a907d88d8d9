#!/bin/bash
# The scan for links and hard links inside protected directories has a bound per directory,
# not one for all (twenty-first outside review): one run filled $TMPDIR/.codex (a name of the
# set that is not read there, so not refused) with 1,100 files, and from then on every run had
# used up the shared bound of 1,024 entries before it reached ~/.ssh or the workspace's .claude.
# After such a padding run, on the host:
#   (a) ~/.ssh/config -> ../../dotfiles/ssh_config (stow; the workspace is the repository):
#       the target stays read-only;
#   (b) .claude/settings.json -> ../.auxiliary/claude.json: the target stays read-only;
#   (c) ~/.config/git/config hard-linked to the repository's gitconfig: the run needs
#       approval (122), as without the padding.
. "$(dirname "$0")/lib.sh"
H=$FIX/home
WS=$FIX/dotfiles
T=$FIX/tmp
mkdir -p "$H/.ssh" "$H/.config/git" "$WS/.claude" "$WS/.auxiliary" "$T" "$FIX/outside"
echo 'Host *' >"$WS/ssh_config"
ln -s ../../dotfiles/ssh_config "$H/.ssh/config"
echo '{}' >"$WS/.auxiliary/claude.json"
ln -s ../.auxiliary/claude.json "$WS/.claude/settings.json"
echo '[user]' >"$WS/gitconfig"
own_fix

run() {
    (cd "$WS" && as_runner env HOME="$H" TMPDIR="$T" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
        "$SBXRUN" --backend "$BACKEND" --workspace "$WS" "$@") >"$OUT" 2>"$ERR"
    RC=$?
}

run -- sh -c 'mkdir -p "$TMPDIR/.codex/pad" && cd "$TMPDIR/.codex/pad" &&
    i=0; while [ $i -lt 1100 ]; do : >f$i; i=$((i + 1)); done; echo padded'
check "(the command could pad \$TMPDIR/.codex)" grep -qx padded "$OUT"

run -- sh -c '
    echo "  ProxyCommand sh -c owned" >>ssh_config 2>/dev/null && echo "GOT THROUGH: ssh_config"
    echo "{\"hooks\":1}" >.auxiliary/claude.json 2>/dev/null && echo "GOT THROUGH: claude.json"
    true'
check "(a) after the padding, ~/.ssh/config's target stays read-only" \
    sh -c "! grep -q 'GOT THROUGH: ssh_config' '$OUT' && test \"\$(cat '$WS/ssh_config')\" = 'Host *'"
check "(b) ... and so does .claude/settings.json's" \
    sh -c "! grep -q 'GOT THROUGH: claude.json' '$OUT' && test \"\$(cat '$WS/.auxiliary/claude.json')\" = '{}'"

ln "$WS/gitconfig" "$H/.config/git/config"
own_fix
run -- sh -c 'echo "[core] pager = owned" >>gitconfig'
expect_rc 122 "(c) ... and a hard-linked ~/.config/git/config still needs approval (122)"
check "... with nothing written" test "$(cat "$WS/gitconfig")" = '[user]'
done_testing
