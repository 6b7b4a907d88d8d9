#!/bin/bash
# The home directory spelled through symbolic links, as the thirteenth outside review attacked it:
#   1. a protected name at the top of $HOME that is a link into a writable root (a dotfiles
#      directory: ~/.ssh -> .dots/ssh, ~/.config/git -> ../.dots/git, write = ["~/.dots"]):
#      where it leads stays read-only, and suggestion_policy never proposes the directory
#      holding it;
#   2. $HOME reached through a link while the writable root names the real directory: sbxrun's
#      own ~/.config/sbxrun (the next run's policy.toml) stays out of the command's reach.
# Checked on the host afterwards.
. "$(dirname "$0")/lib.sh"
make_workspace
H=$FIX/home
mkdir -p "$H/proj" "$H/.dots/ssh" "$H/.dots/git" "$H/.config"
ln -s .dots/ssh "$H/.ssh"
ln -s ../.dots/git "$H/.config/git"
printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "~/.dots"]\n' >"$FIX/dots.toml"
own_fix
run_in() {  # run_in DIR HOME ARGS...: sbxrun as the runner in DIR with that HOME
    local dir=$1 home=$2
    shift 2
    (cd "$dir" && as_runner env HOME="$home" XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" "$@") \
        >"$OUT" 2>"$ERR"
    RC=$?
}
run_in "$H/proj" "$H" --workspace "$H/proj" --policy "$FIX/dots.toml" --status-file "$FIX/st.json" -- sh -c '
    echo "ssh-ed25519 AAAA attacker" >>"$HOME/.ssh/authorized_keys"
    printf "[core]\n\tfsmonitor = touch /tmp/pwned\n" >>"$HOME/.config/git/config"
    echo x >"$HOME/.dots/cache-file"'
check "a protected name linked into a writable root: its target stays read-only" \
    test ! -e "$H/.dots/ssh/authorized_keys" -a ! -e "$H/.dots/git/config"
check "... the rest of that root is writable as asked" test -s "$H/.dots/cache-file"
check "... and suggestion_policy never names the directory holding the link's target" \
    sh -c "! python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"suggestion_policy\"] or \"\")' '$FIX/st.json' | grep -q dots"

mkdir -p "$FIX/real/proj" "$FIX/real/.config/git" "$FIX/outside2"
ln -s real "$FIX/homelink"
printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "%s"]\n' "$FIX/real" >"$FIX/real.toml"
own_fix
run_in "$FIX/real/proj" "$FIX/homelink" --workspace "$FIX/real/proj" --policy "$FIX/real.toml" -- \
    sh -c "mkdir -p \"\$HOME/.config/sbxrun\" && printf 'version = 1\n' >\"\$HOME/.config/sbxrun/policy.toml\""
check "HOME through a link, its real directory writable: ~/.config/sbxrun/policy.toml not made" \
    test ! -e "$FIX/real/.config/sbxrun/policy.toml"
done_testing
