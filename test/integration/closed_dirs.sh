#!/bin/bash
# A protected name beneath a directory the caller may not enter (another user's 0700 directory
# in a writable HOME: root's .config when HOME=/tmp) is unreachable for the command too: the run
# goes on, --explain says why, and the command can neither enter, chmod, nor rename the
# directory to build its own in its place. (Every run used to fail: "cannot resolve
# '/tmp/.config/fish': Permission denied".) A directory the caller owns is not skipped.
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
        grep -q "$FIX/home/.config/fish: missing (beneath $FIX/home/.config, which belongs to uid 0" "$OUT"
else
    check "as root the directory is entered and the name blocked as usual" \
        grep -q "$FIX/home/.config/fish: blocked" "$OUT"
fi

# The caller's own closed directory is not skipped: the command could chmod it and create the
# name, so sbxrun refuses to guess (a policy error naming the path) rather than run.
if [ "$SBXRUN_AS" = user ]; then
    chown "$TEST_USER:" "$FIX/home/.config"
    chmod 000 "$FIX/home/.config"
    sbx --policy "$FIX/home.toml" -- true
    expect_rc 125 "the caller's own closed directory stops the run"
    check "the message names the path" grep -q "$FIX/home/.config" "$ERR"
    chmod 700 "$FIX/home/.config"
fi
done_testing
