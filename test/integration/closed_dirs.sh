#!/bin/bash
# A protected name beneath a directory the caller may not enter (another user's 0700 directory
# in a writable HOME: root's .config when HOME=/tmp) is unreachable for the command too: the run
# goes on, --explain says why, and the command can neither enter, chmod, nor rename the
# directory to build its own in its place. (Every run used to fail: "cannot resolve
# '/tmp/.config/fish': Permission denied".) The caller's own closed directory is kept closed.
. "$(dirname "$0")/lib.sh"
make_workspace
printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "${home}"]\n' >"$FIX/home.toml"
own_fix
# Root's. Only the unprivileged runner is kept out of it; for root it is its own directory,
# entered and protected as usual (the root variant checks that nothing changed for it).
mkdir -p "$FIX/home/.config"
chmod 700 "$FIX/home/.config"

for BACKEND in bwrap landlock; do
    sbx --backend "$BACKEND" --policy "$FIX/home.toml" -- sh -c '
        mv "$HOME/.config" "$HOME/.config-moved" 2>/dev/null && echo moved
        chmod 777 "$HOME/.config" 2>/dev/null && echo chmodded
        mkdir -p "$HOME/.config/fish" 2>/dev/null && echo >"$HOME/.config/fish/config.fish" && echo planted
        echo ran'
    expect_rc 0 "$BACKEND: the run goes on beside another user's closed directory in HOME"
    check "$BACKEND: the command ran" grep -qx ran "$OUT"
    check "$BACKEND: .config/fish was not planted" test ! -e "$FIX/home/.config/fish"
    [ "$SBXRUN_AS" = user ] || continue
    check "$BACKEND: the directory could not be renamed away" \
        test -d "$FIX/home/.config" -a ! -e "$FIX/home/.config-moved"
    check "$BACKEND: the directory is still root's, mode 0700" \
        test "$(stat -c %U:%a "$FIX/home/.config")" = root:700
done
sbx --policy "$FIX/home.toml" --explain -- true
if [ "$SBXRUN_AS" = user ]; then
    check "--explain says the name is beneath a directory the user cannot enter" \
        grep -q "$FIX/home/.config/fish: missing (beneath $FIX/home/.config (uid 0, mode 0700), which this user" "$OUT"
else
    check "as root the directory is entered and the name blocked as usual" \
        grep -q "$FIX/home/.config/fish: blocked" "$OUT"
fi

# The caller's own closed directory: kept closed for the run (read-only), not a reason to stop.
# (The sixth outside review stopped every later run with 125 from inside: mkdir
# $TMPDIR/.config; chmod 0 it. In ${tmpdir}, where no program reads .config/fish, nothing is
# even needed.)
if [ "$SBXRUN_AS" = user ]; then
    chown "$TEST_USER:" "$FIX/home/.config"
    chmod 000 "$FIX/home/.config"
    for BACKEND in bwrap landlock; do
        sbx --backend "$BACKEND" --policy "$FIX/home.toml" -- sh -c '
            chmod 700 "$HOME/.config" 2>/dev/null && echo chmodded
            mv "$HOME/.config" "$HOME/.config-moved" 2>/dev/null && echo moved
            mkdir -p "$HOME/.config/fish" 2>/dev/null && echo planted
            echo ran'
        expect_rc 0 "$BACKEND: the caller's own closed directory does not stop the run"
        check "$BACKEND: the command could neither chmod, move nor plant under it" grep -qx ran "$OUT"
        check "$BACKEND: ... nothing else was printed" test "$(wc -l <"$OUT")" = 1
        check "$BACKEND: it is still mode 000" test "$(stat -c %a "$FIX/home/.config")" = 0
    done
    chmod 700 "$FIX/home/.config"
fi
mkdir -p "$FIX/tmp" "$FIX/ws2"
own_fix
sbx -- sh -c 'mkdir -p "$TMPDIR/.config" && chmod 0 "$TMPDIR/.config"'
expect_rc 0 "a run closes \$TMPDIR/.config"
WS=$FIX/ws2
sbx -- true
expect_rc 0 "the next run, in another project with the same \$TMPDIR, is not stopped by it"
chmod 700 "$FIX/tmp/.config"
done_testing
