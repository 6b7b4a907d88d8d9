#!/bin/bash
# Dotfiles and the home directory as the fourteenth outside review attacked them, under the
# default policy unless said otherwise. Each case is checked on the host afterwards.
#   1. GNU stow's folded directories: ~/.config, ~/.local and ~/.cargo are links into the
#      dotfiles repository, which is the workspace; the names of @agent-config that are
#      missing below them (~/.config/git, ~/.local/bin, ~/.cargo/config.toml) cannot be made.
#   2. Dotfiles installed as hard links into the workspace: the run is refused (122), as no
#      mount keeps an inode read-only under its other names, and nothing is written.
#   3. XDG_CONFIG_HOME and HOME spelled with '..' after a link: protected where the kernel,
#      and so git and bash, take them.
#   4. A home directory kept in git, HOME spelled through a link and no PWD (Silverblue's
#      /home -> var/home, a harness's chdir): the workspace is the current directory, not HOME.
#   5. The tools' own caches with HOME reached through a link and the run started in HOME.
#   6. The top of the workspace: .cargo/config.toml, .cargo/config and .yarnrc, which cargo and
#      Yarn 1 read in every directory above where they start, cannot be made.
#   7. (fifteenth review) a hard link into a protected directory of the workspace (a hook
#      installed with ln) makes the run need approval too; and the start-up files of more
#      programs (.zlogout, .gdbinit, .kube/config...) cannot be made in a HOME below ${tmpdir}.
. "$(dirname "$0")/lib.sh"
make_workspace
# run_in DIR ENV... -- ARGS...: sbxrun as the runner in DIR with these variables (HOME...).
run_in() {
    local dir=$1
    shift
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    (cd "$dir" && as_runner env XDG_CONFIG_HOME= "${vars[@]}" "$SBXRUN" --backend "$BACKEND" "$@") \
        >"$OUT" 2>"$ERR"
    RC=$?
}

# 1. Folded directories.
S=$FIX/stow
mkdir -p "$S/dotfiles/config" "$S/dotfiles/local" "$S/dotfiles/cargo"
ln -s dotfiles/config "$S/.config"
ln -s dotfiles/local "$S/.local"
ln -s dotfiles/cargo "$S/.cargo"
own_fix
run_in "$S/dotfiles" HOME="$S" -- sh -c '
    mkdir -p "$HOME/.config/git" && printf "[core]\n\tfsmonitor = touch /tmp/x\n" >"$HOME/.config/git/config"
    mkdir -p "$HOME/.local/bin" && echo "echo owned" >"$HOME/.local/bin/git"
    mkdir -p "$HOME/.config/systemd/user"
    echo "[build]" >"$HOME/.cargo/config.toml"
    echo ok >"$HOME/dotfiles/notes"'
check "folded ~/.config: ~/.config/git cannot be made through the link" \
    test ! -e "$S/dotfiles/config/git"
check "... nor ~/.config/systemd" test ! -e "$S/dotfiles/config/systemd"
check "folded ~/.local: ~/.local/bin cannot be made" test ! -e "$S/dotfiles/local/bin"
check "folded ~/.cargo: ~/.cargo/config.toml cannot be made" test ! -e "$S/dotfiles/cargo/config.toml"
check "... and the rest of the repository is writable" test -s "$S/dotfiles/notes"

# 2. Hard links.
L=$FIX/hard
mkdir -p "$L/dotfiles/ssh" "$L/.ssh"
echo '# orig' >"$L/dotfiles/bashrc"
ln "$L/dotfiles/bashrc" "$L/.bashrc"
own_fix
run_in "$L/dotfiles" HOME="$L" -- sh -c 'echo owned >>bashrc'
expect_rc 122 "a hard-linked ~/.bashrc: the run needs approval (122)"
check "... the message says why" grep -q "hard links" "$ERR"
check "... and ~/.bashrc is unchanged" test "$(cat "$L/.bashrc")" = "# orig"
rm "$L/.bashrc"
echo '# orig' >"$L/dotfiles/ssh/config"
ln "$L/dotfiles/ssh/config" "$L/.ssh/config"
own_fix
run_in "$L/dotfiles" HOME="$L" -- sh -c 'echo owned >>ssh/config'
expect_rc 122 "a hard-linked ~/.ssh/config (inside a directory of the set): 122"
check "... and it is unchanged" test "$(cat "$L/.ssh/config")" = "# orig"

# 3. '..' after a link.
D=$FIX/dots
mkdir -p "$D/h" "$D/ws/a/b"
ln -s a/b "$D/ws/l"
own_fix
run_in "$D/ws" HOME="$D/h" XDG_CONFIG_HOME="$D/ws/l/../cfg" -- \
    sh -c 'mkdir -p a/cfg/git && echo "[alias]" >a/cfg/git/config'
check "XDG_CONFIG_HOME=ws/l/../cfg: git's config cannot be made where git reads it (ws/a/cfg)" \
    test ! -e "$D/ws/a/cfg/git"
run_in "$D/ws" HOME="$D/ws/l/../home" -- sh -c 'mkdir -p a/home && echo owned >a/home/.bashrc'
check "HOME=ws/l/../home: ~/.bashrc cannot be made where bash reads it (ws/a/home)" \
    test ! -e "$D/ws/a/home/.bashrc"

# 4. A home in git, spelled through a link.
G=$FIX/silverblue
mkdir -p "$G/var/home/me/proj" "$G/var/home/me/.nvm"
ln -s var/home "$G/home"
git init -q "$G/var/home/me"
echo '# nvm' >"$G/var/home/me/.nvm/nvm.sh"
own_fix
(cd "$G/home/me/proj" && as_runner env -u PWD HOME="$G/home/me" XDG_CONFIG_HOME= "$SBXRUN" \
    --backend "$BACKEND" -- sh -c 'echo owned >>"$HOME/.nvm/nvm.sh"; echo ok >here') >"$OUT" 2>"$ERR"
check "HOME through a link, kept in git, no PWD: HOME is not the workspace" \
    test "$(cat "$G/var/home/me/.nvm/nvm.sh")" = "# nvm"
check "... the current directory is" test -s "$G/var/home/me/proj/here"

# 5. The tools' own caches, HOME through a link, the run started in HOME.
C=$FIX/cache
mkdir -p "$C/var/home/me/.npm/_cacache" "$C/var/home/me/.cache/pip"
ln -s var/home "$C/home"
own_fix
(cd "$C/home/me" && as_runner env -u PWD HOME="$C/home/me" XDG_CONFIG_HOME= "$SBXRUN" \
    --backend "$BACKEND" -- sh -c 'echo x >"$HOME/.npm/_cacache/planted"; echo x >"$HOME/.cache/pip/planted"') \
    >"$OUT" 2>"$ERR"
check "HOME through a link, run in HOME: npm's own cache stays read-only" \
    test ! -e "$C/var/home/me/.npm/_cacache/planted"
check "... and pip's" test ! -e "$C/var/home/me/.cache/pip/planted"

# 6. The workspace's top.
mkdir -p "$WS/sub"
own_fix
sbx --backend "$BACKEND" -- sh -c 'mkdir -p .cargo; echo "[build]" >.cargo/config.toml; echo x >.cargo/config; echo "yarn-path x" >.yarnrc; mkdir -p sub/.cargo; echo x >sub/.cargo/config.toml'
check ".cargo/config.toml cannot be made at the workspace's top" test ! -e "$WS/.cargo/config.toml"
check "... nor .cargo/config" test ! -e "$WS/.cargo/config"
check "... nor .yarnrc" test ! -e "$WS/.yarnrc"
check "... a project below the top keeps its own (sub/.cargo/config.toml)" \
    test -e "$WS/sub/.cargo/config.toml"

# 7. Hard links into .git; more start-up files.
mkdir -p "$WS/tools" "$WS/.git/hooks"
printf '#!/bin/sh\nexit 0\n' >"$WS/tools/pre-commit"
ln "$WS/tools/pre-commit" "$WS/.git/hooks/pre-commit"
own_fix
sbx --backend "$BACKEND" -- sh -c 'echo owned >>tools/pre-commit'
expect_rc 122 "a hook hard-linked into the workspace: the run needs approval (122)"
check "... and the hook is unchanged" sh -c "! grep -q owned '$WS/.git/hooks/pre-commit'"
rm -f "$WS/.git/hooks/pre-commit" "$WS/tools/pre-commit"
T=$FIX/tmp/home2
mkdir -p "$T"
own_fix
run_in "$WS" HOME="$T" -- sh -c '
    for f in .zlogout .login .gdbinit .tmux.conf .xsession; do echo owned >"$HOME/$f"; done
    mkdir -p "$HOME/.kube" "$HOME/.aws" "$HOME/.gradle/init.d" && echo x >"$HOME/.kube/config" &&
    echo x >"$HOME/.aws/config" && echo x >"$HOME/.gradle/init.d/x.gradle"'
for f in .zlogout .login .gdbinit .tmux.conf .xsession .kube/config .aws/config .gradle/init.d; do
    check "HOME below \${tmpdir}: ~/$f cannot be made" test ! -e "$T/$f"
done

# 8. A denied file with a second name (seventeenth review: ~/.config/gh denied, its hosts.yml
# hard-linked from a dotfiles checkout in the workspace, whose name showed the token).
H=$FIX/denyhome
mkdir -p "$H/.config/gh" "$H/dots/gh" "$H/.secrets"
echo 'oauth_token: SECRET-TOKEN' >"$H/.config/gh/hosts.yml"
ln "$H/.config/gh/hosts.yml" "$H/dots/gh/hosts.yml"
echo 'key: SECRET-KEY' >"$H/.secrets/key"
ln "$H/.secrets/key" "$H/dots/key"
printf 'version = 1\n[filesystem]\ndeny = ["~/.config/gh"]\n' >"$FIX/deny-dir.toml"
printf 'version = 1\n[filesystem]\ndeny = ["~/.secrets/key"]\n' >"$FIX/deny-file.toml"
own_fix
run_in "$H/dots" HOME="$H" -- --policy "$FIX/deny-dir.toml" -- cat gh/hosts.yml
expect_rc 122 "a file in a denied directory with a second name in the workspace: 122"
check "... the token is not shown" sh -c "! grep -q SECRET-TOKEN '$OUT'"
check "... and the message says why" grep -q "hard links, and the command could read it" "$ERR"
run_in "$H/dots" HOME="$H" -- --policy "$FIX/deny-file.toml" -- cat key
expect_rc 122 "a denied file with a second name in the workspace: 122"
check "... the key is not shown" sh -c "! grep -q SECRET-KEY '$OUT'"
rm "$H/dots/key" "$H/dots/gh/hosts.yml"
run_in "$H/dots" HOME="$H" -- --policy "$FIX/deny-file.toml" -- sh -c 'cat ~/.secrets/key; true'
expect_rc 0 "a denied file with one name runs, hidden"
check "... and hidden" sh -c "! grep -q SECRET-KEY '$OUT'"
done_testing
