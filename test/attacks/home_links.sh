#!/bin/bash
# The home directory spelled through symbolic links, as the thirteenth outside review attacked it:
#   1. a protected name at the top of $HOME that is a link into a writable root (a dotfiles
#      directory: ~/.ssh -> .dots/ssh, ~/.config/git -> ../.dots/git, write = ["~/.dots"]):
#      where it leads stays read-only, and suggestion_policy never proposes the directory
#      holding it;
#   2. $HOME reached through a link while the writable root names the real directory: sbxrun's
#      own ~/.config/sbxrun (the next run's policy.toml) stays out of the command's reach;
#   3. a dotfiles repository as the workspace, linked into $HOME the way GNU stow does it: the
#      links inside read-only home directories (~/.ssh/config -> ../dotfiles/ssh_config) and
#      the linked names at the top (~/.bashrc, ~/.local/bin) keep their targets read-only
#      under the default policy.
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

S=$FIX/stow
mkdir -p "$S/dotfiles/bin" "$S/dotfiles/ssh.d" "$S/.ssh" "$S/.local"
for f in bashrc ssh_config gitconfig; do echo orig >"$S/dotfiles/$f"; done
ln -s dotfiles/bashrc "$S/.bashrc"
ln -s ../dotfiles/ssh_config "$S/.ssh/config"
ln -s ../dotfiles/ssh.d "$S/.ssh/config.d"
ln -s ../dotfiles/bin "$S/.local/bin"
ln -s dotfiles/gitconfig "$S/.gitconfig"
own_fix
run_in "$S/dotfiles" "$S" -- sh -c '
    for f in .bashrc .ssh/config .gitconfig .local/bin/git .ssh/config.d/extra; do
        echo pwned >>"$HOME/$f"
    done
    echo ok >"$HOME/dotfiles/notes"'
for f in .bashrc .ssh/config .gitconfig; do
    check "a stow-style dotfiles workspace: ~/$f (a link into it) stays unchanged" \
        test "$(cat "$S/$f")" = orig
done
check "... nothing created through ~/.local/bin" test ! -e "$S/dotfiles/bin/git"
check "... nothing created through ~/.ssh/config.d" test ! -e "$S/dotfiles/ssh.d/extra"
check "... and the rest of the workspace is writable" test -s "$S/dotfiles/notes"
done_testing
