#!/bin/bash
# HOME and XDG_CONFIG_HOME spelled with a ".." (twenty-first outside review). The kernel, and
# so the host's shells, git and sbxrun's own policy discovery, take a ".." from where the path
# before it actually leads; sbxrun keeps that way as it is for the run, so that the same
# spelling leads to the same place afterwards. Each case is checked on the host.
#   1. HOME=ws/m/../h with ws/m missing: the command cannot make ws/m (a link to x/y would
#      send HOME to ws/x/h, where it planted .bashrc and sbxrun's own policy.toml).
#   2. HOME a link in a read-only place whose text is ws/m/../h: the same.
#   3. XDG_CONFIG_HOME=ws/m/../cfg with ws/m missing: the same for git's and sbxrun's
#      configuration.
#   4. XDG_CONFIG_HOME=ws/l/../cfg with ws/l -> a/b: the link cannot be repointed (before,
#      only HOME's were kept).
#   5. (twenty-second review) HOME and XDG_CONFIG_HOME links whose text is d/../h, d an
#      ordinary directory: d cannot be moved away and replaced by a link (a login shell ran the
#      .profile planted where HOME then led; the next run applied a planted policy.toml).
#   6. (twenty-third review) a read-only HOME whose ~/.gitconfig and ~/.ssh/config are links
#      into the workspace spelled ws/d/../gitconfig (and through ws/l -> a/b): the directory
#      the '..' climbs out of cannot be moved away and replaced by a link.
#   7. HOME=ws/d/../h with ws/d a plain directory (no link anywhere): d stays where it is (the
#      kernel's one-call lookup of such a path had hidden the climb from sbxrun once).
. "$(dirname "$0")/lib.sh"
make_workspace
PLANT='mkdir -p x/y "$1/.config/sbxrun" "$1/.config/git" 2>/dev/null
printf "version = 1\n[filesystem]\nwrite = [\"/\"]\nprotect = []\n" >"$1/.config/sbxrun/policy.toml" 2>/dev/null
printf "[core]\n\tpager = echo PWNED\n" >"$1/.config/git/config" 2>/dev/null
echo "echo PWNED" >"$1/.bashrc" 2>/dev/null
true'

# run_with VAR=VALUE... -- SCRIPT ARG: sbxrun in $WS with these variables.
run_with() {
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    (cd "$WS" && as_runner env XDG_CACHE_HOME= "${vars[@]}" "$SBXRUN" --backend "$BACKEND" \
        --workspace "$WS" -- sh -c "$1" sh "$2") >"$OUT" 2>"$ERR"
    RC=$?
}

# 1. HOME=ws/m/../h, ws/m missing.
mkdir -p "$WS/h" "$WS/x"
echo orig >"$WS/h/.bashrc"
own_fix
run_with HOME="$WS/m/../h" XDG_CONFIG_HOME= -- 'ln -s x/y m; '"$PLANT" "$WS/m/../h"
check "HOME=ws/m/../h: the missing ws/m cannot be made" sh -c "test ! -e '$WS/m' && test ! -L '$WS/m'"
check "... so nothing is planted where the spelling would lead" test ! -e "$WS/x/h"
check "... and the next run's user policy is still the caller's own" \
    sh -c "! grep -rqs 'write = \[\"/\"\]' '$WS/x' '$WS/h/.config' 2>/dev/null"
check "... the home as it is stays unchanged" grep -qx orig "$WS/h/.bashrc"
rm -rf "$WS/h" "$WS/x" "$WS/m"

# 2. HOME is a link (read-only, outside the roots) whose text has the '..'.
mkdir -p "$WS/h" "$WS/x" "$FIX/ro"
echo orig >"$WS/h/.bashrc"
ln -s "$WS/m/../h" "$FIX/ro/hl"
own_fix
run_with HOME="$FIX/ro/hl" XDG_CONFIG_HOME= -- 'ln -s x/y m; '"$PLANT" "$FIX/ro/hl"
check "HOME -> ws/m/../h: the missing ws/m cannot be made" sh -c "test ! -e '$WS/m' && test ! -L '$WS/m'"
check "... so nothing is planted where the link would lead" test ! -e "$WS/x/h"
rm -rf "$WS/h" "$WS/x" "$WS/m" "$FIX/ro"

# 3. XDG_CONFIG_HOME=ws/m/../cfg, ws/m missing.
mkdir -p "$WS/x/y" "$FIX/home3"
own_fix
run_with HOME="$FIX/home3" XDG_CONFIG_HOME="$WS/m/../cfg" -- '
    ln -s x/y m; mkdir -p x/cfg/sbxrun x/cfg/git cfg/sbxrun cfg/git 2>/dev/null
    printf "version = 1\n[filesystem]\nwrite = [\"/\"]\nprotect = []\n" >x/cfg/sbxrun/policy.toml 2>/dev/null
    printf "[core]\n\tpager = echo PWNED\n" >x/cfg/git/config 2>/dev/null
    true' x
check "XDG_CONFIG_HOME=ws/m/../cfg: the missing ws/m cannot be made" \
    sh -c "test ! -e '$WS/m' && test ! -L '$WS/m'"
pager=$(cd / && as_runner env HOME="$FIX/home3" XDG_CONFIG_HOME="$WS/m/../cfg" git config --global core.pager 2>/dev/null)
check "... the host's git reads no planted configuration" test -z "$pager"
(cd "$WS" && as_runner env HOME="$FIX/home3" XDG_CONFIG_HOME="$WS/m/../cfg" XDG_CACHE_HOME= \
    "$SBXRUN" --workspace "$WS" --print-policy) >"$OUT" 2>"$ERR"
check "... and the next run's policy is not one the command wrote" \
    sh -c "! grep -q '^write = \[\"/\"\]' '$OUT'"
rm -rf "$WS/x" "$WS/m" "$WS/cfg"

# 4. XDG_CONFIG_HOME=ws/l/../cfg, ws/l -> a/b: the link stays where it points.
mkdir -p "$WS/a/b" "$WS/a/cfg" "$WS/x/y"
ln -s a/b "$WS/l"
own_fix
run_with HOME="$FIX/home3" XDG_CONFIG_HOME="$WS/l/../cfg" -- '
    rm -f l && ln -s x/y l
    mkdir -p x/cfg/git && printf "[core]\n\tpager = echo PWNED\n" >x/cfg/git/config
    true' x
check "XDG_CONFIG_HOME=ws/l/../cfg: the link the '..' goes back through is kept" \
    test "$(readlink "$WS/l")" = a/b
pager=$(cd / && as_runner env HOME="$FIX/home3" XDG_CONFIG_HOME="$WS/l/../cfg" git config --global core.pager 2>/dev/null)
check "... the host's git reads no planted configuration" test -z "$pager"
rm -rf "$WS/a" "$WS/x" "$WS/l"

# 5. A '..' in the text of a link on the way: the directory it climbs out of stays put.
mkdir -p "$WS/d" "$WS/h" "$WS/cfg" "$WS/evil/x"
echo orig >"$WS/h/.profile"
ln -s d/../h "$WS/hl"
ln -s d/../cfg "$WS/cl"
own_fix
run_with HOME="$WS/hl" XDG_CONFIG_HOME="$WS/cl" -- '
    mv d d.moved 2>/dev/null && ln -s evil/x d
    mkdir -p evil/h evil/cfg/sbxrun 2>/dev/null
    echo "echo PWNED" >evil/h/.profile
    printf "version = 1\n[filesystem]\nwrite = [\"/\"]\nprotect = []\n" >evil/cfg/sbxrun/policy.toml
    true' x
check "HOME -> d/../h: the directory the '..' climbs out of cannot be moved" \
    sh -c "test -d '$WS/d' && test ! -L '$WS/d' && test ! -e '$WS/d.moved'"
check "... so HOME still leads where it did" test "$(cat "$WS/hl/.profile")" = orig
(cd "$WS" && as_runner env HOME="$WS/hl" XDG_CONFIG_HOME="$WS/cl" XDG_CACHE_HOME= \
    "$SBXRUN" --workspace "$WS" --print-policy) >"$OUT" 2>"$ERR"
check "... and the next run's policy is not one the command wrote" \
    sh -c "! grep -q '^write = \[\"/\"\]' '$OUT'"
rm -rf "$WS/d" "$WS/d.moved" "$WS/h" "$WS/cfg" "$WS/evil" "$WS/hl" "$WS/cl"

# 6. A protected link's text with a '..' (HOME itself read-only, outside every root).
H6=$FIX/home6
mkdir -p "$H6/.ssh" "$WS/d" "$WS/a/b" "$WS/evil/x"
printf '[user]\n\tname = host\n' >"$WS/gitconfig"
echo 'Host *' >"$WS/a/ssh_config"  # ws/l/.. is ws/a
ln -s a/b "$WS/l"
ln -s "$WS/d/../gitconfig" "$H6/.gitconfig"
ln -s "$WS/l/../ssh_config" "$H6/.ssh/config"
own_fix
run_with HOME="$H6" XDG_CONFIG_HOME= -- '
    mkdir -p evil/x && printf "[core]\n\tpager = echo PWNED\n" >evil/gitconfig
    echo "Host * ProxyCommand owned" >evil/ssh_config
    mv d d.moved 2>/dev/null && ln -s evil/x d
    mv a/b a/b.moved 2>/dev/null && ln -s ../evil/x a/b
    true' x
check "~/.gitconfig -> ws/d/../gitconfig: ws/d cannot be moved away" \
    sh -c "test -d '$WS/d' && test ! -L '$WS/d' && test ! -e '$WS/d.moved'"
check "... nor ws/a/b, which ~/.ssh/config's '..' climbs out of through ws/l" \
    sh -c "test -d '$WS/a/b' && test ! -L '$WS/a/b'"
pager=$(cd / && as_runner env HOME="$H6" XDG_CONFIG_HOME= git config --global core.pager 2>/dev/null)
check "... the host's git reads no planted configuration" test -z "$pager"
check "... nor ssh" test "$(cat "$H6/.ssh/config")" = 'Host *'
rm -rf "$WS/d" "$WS/d.moved" "$WS/a" "$WS/l" "$WS/evil"

# 7. A plain directory before the '..'.
mkdir -p "$WS/d" "$WS/h" "$WS/evil/x"
echo orig >"$WS/h/.bashrc"
own_fix
run_with HOME="$WS/d/../h" XDG_CONFIG_HOME= -- '
    mv d d.moved 2>/dev/null && ln -s evil/x d
    mkdir -p evil/h && echo "echo PWNED" >evil/h/.bashrc
    true' x
check "HOME=ws/d/../h: ws/d cannot be moved away and replaced by a link" \
    sh -c "test -d '$WS/d' && test ! -L '$WS/d' && test ! -e '$WS/d.moved'"
check "... so HOME still leads where it did" test "$(cat "$WS/d/../h/.bashrc")" = orig
done_testing
