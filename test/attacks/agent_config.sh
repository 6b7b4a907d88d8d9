#!/bin/bash
# The built-in policy's @agent-config (issue 14): every name sbxrun-policy(5) lists is read-only
# when present and cannot be created when missing at the top of the workspace, on the real
# backend, with the host checked afterwards. The list is read from the man page, so a name
# documented but not protected (or the reverse: agent_config_test.cpp) fails here.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
page="$(dirname "$0")/../../man/sbxrun-policy.5"
names=$(sed -n '/^\.Sh AGENT CONFIGURATION/,/^\.Sh /s/^\.It Pa //p' "$page")
check "the man page lists the set" test "$(echo "$names" | wc -l)" -ge 30

# The names read from $HOME only (shells' start-up files and the like) are not blocked at a
# project's top, where nothing reads them: the list of those the workspace must refuse.
home_only=".claude.json .gitconfig .ripgreprc .bashrc .bash_profile .bash_login .bash_logout .profile .bash_aliases .inputrc .zshenv .zshrc .zprofile .zlogin .kshrc .mkshrc .cshrc .tcshrc .config/fish .pam_environment .config/environment.d .config/systemd .config/autostart .local/bin .local/lib .local/share/systemd .config/git .ssh .vimrc .config/nvim .emacs .emacs.d .config/pip .pip .config/uv .config/go .config/ccache .zlogout .login .logout .xprofile .xsession .xsessionrc .xinitrc .gdbinit .tmux.conf .config/tmux .config/direnv .config/mise .kube/config .aws/config .aws/credentials .gradle/init.d .gradle/init.gradle .gradle/gradle.properties .ipython/profile_default/startup bin .cargo/bin .cargo/env .hgrc .config/hg .vim .config/vim .config/emacs .local/share/nvim .local/share/applications .docker/cli-plugins .gnupg/gpg-agent.conf .gnupg/gpg.conf .psqlrc .config/jj .bash_completion .bashrc.d .local/share/bash-completion .rustup/toolchains .docker/config.json .ipython/profile_default/ipython_config.py .local/share/pipx .local/pipx .local/share/uv/tools .aws/amazonq .config/opencode .config/zed .config/crush .config/gdb .config/user-dirs.dirs"
# Names the set keeps in HOME alone, present or missing (a project's own .node_modules is its
# business), and names it keeps in the workspace's parents alone (nearest_above.sh).
in_home_alone="bin .lesskey .node_modules .node_libraries .fzf.bash .fzf.zsh .nvm .oh-my-zsh .bunfig.toml .jupyter .codeium"
in_parents_alone=".mvn pnpm-workspace.yaml .pnpmfile.cjs go.work .eslintrc.js .eslintrc.cjs eslint.config.js eslint.config.mjs eslint.config.cjs pytest.ini conftest.py .pytest.ini tox.ini setup.cfg pyproject.toml eslint.config.ts eslint.config.mts eslint.config.cts .eslintrc .eslintrc.json .eslintrc.yaml .eslintrc.yml package.json Cargo.toml settings.gradle settings.gradle.kts .prettierrc.js .prettierrc.cjs .prettierrc.mjs prettier.config.js prettier.config.cjs prettier.config.mjs deno.json deno.jsonc"
project_names=""
for n in $names; do
    case " $home_only $in_home_alone $in_parents_alone " in *" $n "*) ;; *) project_names="$project_names $n" ;; esac
done
# Missing: one run tries to create every name (as a file and as a directory, each its own
# attempt), and must fail for each; afterwards none exists on the host.
script='made=""; for n in '"$project_names"'; do
    case $n in .git | .codex) continue ;; esac  # the fixture has them
    if ( : >"$n" ) 2>/dev/null || mkdir "$n" 2>/dev/null || ln -s x "$n" 2>/dev/null; then
        made="$made $n"
    fi
done
[ -z "$made" ] || { echo "created:$made"; exit 3; }
echo refused-all; exit 1'
attack_errno "no missing @agent-config name can be created at the workspace's top" \
    'refused-all' "$script"
leftover=""
for n in $project_names; do
    case $n in .git | .codex) continue ;; esac
    if [ -e "$WS/$n" ] || [ -L "$WS/$n" ]; then leftover="$leftover $n"; fi
done
check "none of them is on the host afterwards (no placeholder left either)" test -z "$leftover"

# Present: each one, as a file, is read-only; rewriting them all fails one by one. (But bin
# and the others kept in HOME alone, and those kept above the workspace alone: a project's own
# are writable, checked below.)
names=$(for n in $names; do
    case " $in_home_alone $in_parents_alone " in *" $n "*) ;; *) echo "$n" ;; esac
done)
for n in $names; do
    case $n in .git | .codex | .agents) continue ;; esac  # the fixture's own
    mkdir -p "$(dirname "$WS/$n")"
    echo "host $n" >"$WS/$n"
done
own_fix
script='written=""; for n in '"$(echo $names | tr '\n' ' ')"'; do
    case $n in .git | .codex | .agents) continue ;; esac
    if ( echo sandbox >"$n" ) 2>/dev/null || { rm -f "$n" 2>/dev/null && [ ! -e "$n" ]; }; then
        written="$written $n"
    fi
done
[ -z "$written" ] || { echo "changed:$written"; exit 3; }
echo refused-all; exit 1'
attack_errno "no present @agent-config name can be rewritten or removed" 'refused-all' "$script"
changed=""
for n in $names; do
    case $n in .git | .codex | .agents) continue ;; esac
    [ "$(cat "$WS/$n" 2>/dev/null)" = "host $n" ] || changed="$changed $n"
done
check "each is unchanged on the host" test -z "$changed"
for n in $names; do
    case $n in .git | .codex | .agents) continue ;; esac
    rm -f "$WS/$n"
done
mkdir -p "$WS/bin"
echo 'echo host' >"$WS/bin/tool"
own_fix
sbxb -- sh -c 'echo sandbox >bin/tool && : >bin/new'
expect_rc 0 "$BACKEND: a project's own bin/ stays writable (only ~/bin is the set's)"
rm -rf "$WS/bin"
sbxb -- sh -c 'for n in '"$in_home_alone $in_parents_alone"'; do
    [ "$n" = bin ] && continue
    mkdir -p "$(dirname "$n")" && echo one >"$n" && echo two >"$n" || exit 3
done'
expect_rc 0 "$BACKEND: the names kept in HOME or above the workspace alone are the project's own at its top"
for n in $in_home_alone $in_parents_alone; do [ "$n" = bin ] || rm -rf "$WS/$n"; done
rm -rf "$WS/.mvn"
rm -rf "$WS/.config" "$WS/.local" "$WS/.cargo" "$WS/.rustup" "$WS/.bashrc.d" "$WS/.docker" "$WS/.gnupg" "$WS/.gradle" "$WS/.kube" "$WS/.aws" "$WS/.ipython"

# In ${tmpdir} (not a project directory): .git and .envrc, which git and direnv look for in
# every parent directory, stay blocked; the rest may be created (nobody reads them there).
attack_errno "a .git cannot be created in \${tmpdir}" "$(pick "$E_MISSING" "$E_RO")" \
    'mkdir "$TMPDIR/.git"'
attack_errno "nor an .envrc" "$(pick "$E_MISSING" "$E_RO")" ': >"$TMPDIR/.envrc"'
sbxb -- sh -c ': >"$TMPDIR/.bashrc" && mkdir "$TMPDIR/.claude"'
expect_rc 0 "$BACKEND: .bashrc and .claude may be created in \${tmpdir}"
check "and they are the command's own files on the host" test -f "$FIX/tmp/.bashrc" -a -d "$FIX/tmp/.claude"
rm -rf "$FIX/tmp/.bashrc" "$FIX/tmp/.claude"

sbxb -- sh -c ': >.bashrc && : >.zshenv'
expect_rc 0 "$BACKEND: a .bashrc may be created at a project's top (read from \$HOME only)"
rm -f "$WS/.bashrc" "$WS/.zshenv"
# $HOME inside a writable root without being one (below ${tmpdir}, found by the fifth outside
# review): its names are protected all the same.
mkdir -p "$FIX/tmp/home"; echo "host rc" >"$FIX/tmp/home/.bashrc"; own_fix
(cd "$WS" && as_runner env HOME="$FIX/tmp/home" "$SBXRUN" --backend "$BACKEND" -- sh -c \
    'echo planted >>"$HOME/.bashrc"; : >"$HOME/.gitconfig"; mkdir -p "$HOME/.config/git"; exit 0') \
    >"$OUT" 2>"$ERR"
check "$BACKEND: with \$HOME in \${tmpdir}, ~/.bashrc is unchanged" \
    test "$(cat "$FIX/tmp/home/.bashrc")" = "host rc"
check "$BACKEND: and no ~/.gitconfig or ~/.config/git was created" \
    test ! -e "$FIX/tmp/home/.gitconfig" -a ! -e "$FIX/tmp/home/.config/git"
rm -rf "$FIX/tmp/home"
# Tenth outside review: $XDG_CONFIG_HOME moved into ${tmpdir}: git (and the other .config/
# names) read their configuration there, so it is protected there too.
mkdir -p "$FIX/tmp/xdgc/fish"; echo "host fish" >"$FIX/tmp/xdgc/fish/config.fish"; own_fix
(cd "$WS" && as_runner env XDG_CONFIG_HOME="$FIX/tmp/xdgc" "$SBXRUN" --backend "$BACKEND" -- sh -c \
    'mkdir -p "$XDG_CONFIG_HOME/git"; echo planted >"$XDG_CONFIG_HOME/git/config"; echo planted >>"$XDG_CONFIG_HOME/fish/config.fish"; exit 0') \
    >"$OUT" 2>"$ERR"
check "$BACKEND: with \$XDG_CONFIG_HOME in \${tmpdir}, no git/config can be made there" \
    test ! -e "$FIX/tmp/xdgc/git"
check "$BACKEND: ... and its fish/config.fish is unchanged" \
    test "$(cat "$FIX/tmp/xdgc/fish/config.fish")" = "host fish"
rm -rf "$FIX/tmp/xdgc"
# direnv loads an .envrc from any directory above: none can be made above the workspace when
# that directory is writable (as for .git).
mkdir -p "$FIX/tmp/up/proj"; own_fix
(cd "$FIX/tmp/up/proj" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c ': >../.envrc') \
    >"$OUT" 2>"$ERR"
check "$BACKEND: no .envrc can be made above the workspace" test ! -e "$FIX/tmp/up/.envrc"
rm -rf "$FIX/tmp/up"

# $HOME as the workspace: a shell start-up file is blocked there.
WS=$FIX/home
attack_errno "no .bashrc can be created in \$HOME" "$(pick "$E_MISSING" "$E_RO")" \
    ': >.bashrc'
attack_errno "nor a .zshenv" "$(pick "$E_MISSING" "$E_RO")" ': >.zshenv'
check "\$HOME has neither afterwards" test ! -e "$FIX/home/.bashrc" -a ! -e "$FIX/home/.zshenv"
# The workspace is $HOME itself (sbxrun started there, outside any git work tree: the sixth
# outside review wrote ~/.bash_aliases and a .pth file into Python's user site-packages, both
# run by the host later).
mkdir -p "$FIX/home/.local/share"; own_fix
(cd "$FIX/home" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c '
    echo "touch x" >>.bash_aliases 2>/dev/null && echo wrote .bash_aliases
    mkdir -p .local/lib/python3/site-packages 2>/dev/null && echo made .local/lib
    mkdir -p .local/share/systemd/user 2>/dev/null && echo made .local/share/systemd
    echo "set editing-mode vi" >.inputrc 2>/dev/null && echo wrote .inputrc
    echo ran') >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "$BACKEND: a run whose workspace is \$HOME"
check "$BACKEND: ... could not write .bash_aliases, .local/lib, .local/share/systemd, .inputrc" \
    test "$(cat "$OUT")" = ran
check "$BACKEND: ... and none of them exists on the host" test ! -e "$FIX/home/.bash_aliases" -a \
    ! -e "$FIX/home/.local/lib" -a ! -e "$FIX/home/.local/share/systemd" -a ! -e "$FIX/home/.inputrc"
rm -rf "$FIX/home/.local"
# Seventeenth outside review: ~/bin (first in PATH by Debian's .profile), ~/.cargo/env and bin,
# ~/.vim, ~/.config/emacs, ~/.docker/cli-plugins and GnuPG's agent configuration were made.
mkdir -p "$FIX/home/.local/share"; own_fix
(cd "$FIX/home" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c '
    for d in bin .cargo/bin .vim/plugin .config/emacs .docker/cli-plugins .local/share/nvim/site .gnupg; do
        mkdir -p "$d" 2>/dev/null && echo "made $d"
    done
    for f in .cargo/env .psqlrc .hgrc .gnupg/gpg-agent.conf; do
        echo x >"$f" 2>/dev/null && echo "wrote $f"
    done
    echo ran') >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "$BACKEND: a run whose workspace is \$HOME, again"
check "$BACKEND: ... could make none of ~/bin, ~/.cargo, ~/.vim, ~/.config/emacs, ~/.docker, ~/.local/share/nvim, ~/.gnupg files" \
    sh -c "! grep -q -e '^made bin' -e '^made .cargo' -e '^made .vim' -e '^made .config/emacs' -e '^made .docker' -e '^made .local/share/nvim' -e '^wrote' '$OUT'"
check "$BACKEND: ... and ~/bin is not on the host" test ! -e "$FIX/home/bin"
rm -rf "$FIX/home/.local" "$FIX/home/.gnupg" "$FIX/home/.config"

# Eighteenth outside review: a protected name missing at the start and made on the host while
# the command runs (an agent writing .claude/ after a prompt). Under bwrap it is writable from
# then on: that cannot be kept, and it is said, on stderr and in the status document's
# `unchecked`. Under Landlock it stays refused here (the new object has no rule, and sbxrun's
# broker judges the name), and is said too.
WS=$FIX/appear
mkdir -p "$WS"
own_fix
rm -f "$FIX/.status"
(cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" --status-file "$FIX/.status" -- sh -c '
    i=0; while [ ! -d .claude ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    echo "{}" >.claude/settings.local.json') >"$OUT" 2>"$ERR" &
sleep 1
# Made elsewhere and renamed into place, so that it appears with its owner already set (a mkdir
# then chown raced the command's write under the unprivileged user).
mkdir "$FIX/claude.new"
[ "$SBXRUN_AS" = user ] && chown "$TEST_USER:" "$FIX/claude.new"
mv "$FIX/claude.new" "$WS/.claude"
wait $!
RC=$?
if [ "$BACKEND" = bwrap ]; then
    expect_rc 0 "$BACKEND: a .claude made by the host during the run is writable (a mount cannot follow)"
    check "$BACKEND: ... is said on stderr" grep -q "appear/.claude was made during the run by something outside the sandbox" "$ERR"
    check "$BACKEND: ... and listed in the status document's unchecked" python3 -c '
import json, sys
u = json.load(open(sys.argv[1]))["unchecked"]
assert any("/appear/.claude was made during the run" in n for n in u), u
' "$FIX/.status"
else
    check "$BACKEND: a .claude made by the host during the run stays refused here" \
        sh -c "[ $RC != 0 ] && [ ! -e '$WS/.claude/settings.local.json' ]"
    # Said all the same: where the root holds no other protected name it may not be refused.
    check "$BACKEND: ... and listed in the status document's unchecked" python3 -c '
import json, sys
u = json.load(open(sys.argv[1]))["unchecked"]
assert any("/appear/.claude was made during the run" in n for n in u), u
' "$FIX/.status"
fi
sbxb -- true
check "$BACKEND: the next run says nothing of it (it is protected again)" \
    sh -c "! grep -q 'made during the run' '$ERR'"
done_testing
