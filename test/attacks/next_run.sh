#!/bin/bash
# Choosing the next run's sandbox from inside this one (and its bwrap features). sbxrun applies a user policy
# ($XDG_CONFIG_HOME/sbxrun/policy.toml, here ~/.config/sbxrun) without asking, so with the
# workspace = $HOME a command that could create a missing one would decide how the next plain
# `sbxrun` runs (found by the third outside review); the trust store beside it likewise. The
# file given to --import is such a policy too, and a bwrap the command plants in PATH would be
# run by the next sbxrun on the host (fourteenth outside review).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
WS=$FIX/home  # the workspace is $HOME (no git work tree above it)
plant='printf "version = 1\n[filesystem]\nwrite = [\"/\"]\nprotect = []\n" >"$HOME/.config/sbxrun/policy.toml"'

# No ~/.config at all: sbxrun creates its directory first so that it can protect it.
rm -rf "$FIX/home/.config"
attack_errno "a missing user policy cannot be planted (no ~/.config yet)" "$E_RO" \
    "mkdir -p \"\$HOME/.config/sbxrun\" 2>/dev/null; $plant"
check "no policy.toml on the host" test ! -e "$FIX/home/.config/sbxrun/policy.toml"
check "sbxrun made its configuration directory private (0700)" \
    test "$(stat -c %a "$FIX/home/.config/sbxrun" 2>/dev/null)" = 700
# ~/.config/sbxrun exists with only the trust store in it.
attack_errno "a missing user policy cannot be planted beside the trust store" "$E_RO" "$plant"
attack_errno "the trust store cannot be replaced" "$(pick "$E_RO|$E_BUSY" "$E_RO")" \
    'mv "$HOME/.config/sbxrun/trusted" "$HOME/.config/sbxrun/t2"'
attack_errno "nor the configuration directory moved away and rebuilt" \
    "$(pick "$E_BUSY|$E_RO" "$E_RO")" 'mv "$HOME/.config/sbxrun" "$HOME/.config/x"'
check "still no policy.toml on the host" test ! -e "$FIX/home/.config/sbxrun/policy.toml"
# The bwrap feature cache: rewritten, it would decide which of bwrap's features the next run
# believes it has (the review made it drop --die-with-parent); replaced by a link, the next
# sbxrun would write through it.
attack_errno "the bwrap feature cache cannot be rewritten" "$E_RO" \
    'for f in "$HOME"/.cache/sbxrun/*; do echo x >>"$f"; done'
attack_errno "nor moved away and replaced by a link" "$(pick "$E_BUSY|$E_RO" "$E_RO")" \
    'mv "$HOME/.cache/sbxrun" "$HOME/.cache/x" && ln -s /tmp "$HOME/.cache/sbxrun"'
check "the cache is still a directory of sbxrun's" test -d "$FIX/home/.cache/sbxrun" -a ! -L "$FIX/home/.cache/sbxrun"
# Where the next run's workspace and ${tmpdir} are (the third review): a .git planted above a
# project that is not a repository moves the next run's workspace up (the git top level), and
# the project's .codex is no longer at a root; a ${tmpdir} given through a link in the
# workspace, retargeted, makes the next run write into the link's new target.
mkdir -p "$FIX/tmp/x/proj/.codex" "$FIX/realtmp" "$FIX/victim"
echo 'a = 1' >"$FIX/tmp/x/proj/.codex/config.toml"
ln -s ../realtmp "$WS/tlink"
own_fix
(cd "$FIX/tmp/x/proj" && as_runner "$SBXRUN" -q --backend "$BACKEND" -- sh -c 'mkdir ../.git || git init -q ..') \
    >"$OUT" 2>"$ERR"
check "$BACKEND: no .git can be planted above the workspace (one would move the next run's)" \
    test ! -e "$FIX/tmp/x/.git"
(cd "$WS" && as_runner env TMPDIR="$WS/tlink" "$SBXRUN" -q --backend "$BACKEND" -- sh -c 'ln -sfn ../victim tlink') \
    >"$OUT" 2>"$ERR"
check "$BACKEND: the link \${tmpdir} is given through cannot be retargeted" \
    test "$(readlink "$WS/tlink")" = ../realtmp
# The workspace reached through a link in ${tmpdir} (the caller's shell is in link/ws): retargeted,
# the link would send the host's next `git status` there into a repository the sandbox built.
mkdir -p "$FIX/tmp/real/ws/.git"
ln -s real "$FIX/tmp/link"
own_fix
(cd "$FIX/tmp/link/ws" && as_runner env PWD="$FIX/tmp/link/ws" "$SBXRUN" -q --backend "$BACKEND" -- \
    sh -c "mkdir -p '$FIX/tmp/evil/ws/.git' && ln -sfn evil '$FIX/tmp/link'") >"$OUT" 2>"$ERR"
check "$BACKEND: the link the workspace was reached through cannot be retargeted" \
    test "$(readlink "$FIX/tmp/link")" = real
# The next run sees no user policy: the built-in default, where / is read-only.
sbxb --print-policy
check "the next run applies no user policy" sh -c "! grep -q 'policy.toml' '$OUT'"

# --import FILE inside a writable root: protected for the run, like a --policy file.
mkdir -p "$WS/.cfg"
printf 'sandbox_mode = "workspace-write"\n' >"$WS/.cfg/codex.toml"
printf '{"filesystem":{"allowWrite":["."]}}\n' >"$WS/srt.json"
own_fix
sbxb --import "codex:$WS/.cfg/codex.toml" -- \
    sh -c 'printf "sandbox_mode = \"danger-full-access\"\n" >.cfg/codex.toml'
check "an --import codex: file cannot be rewritten by the run" \
    grep -q workspace-write "$WS/.cfg/codex.toml"
sbxb --import "srt:$WS/srt.json" -- sh -c 'echo "{}" >srt.json; mv srt.json srt.old'
check "an --import srt: file cannot be rewritten or moved by the run" grep -q allowWrite "$WS/srt.json"

# A bwrap planted in a writable directory first in PATH (an activated venv) is never run. Not
# .venv: with the workspace = HOME, a dot-entry of HOME is read-only (home_dotfiles.sh).
mkdir -p "$WS/env/bin"
own_fix
sbxb -- sh -c "printf '#!/bin/sh\\ntouch $FIX/planted-bwrap-ran\\nexec /usr/bin/bwrap \"\\\$@\"\\n' >env/bin/bwrap; chmod +x env/bin/bwrap"
check "(the command could write env/bin/bwrap)" test -x "$WS/env/bin/bwrap"
(cd "$WS" && as_runner env PATH="$WS/env/bin:$PATH" XDG_CONFIG_HOME= "$SBXRUN" -- true) >"$OUT" 2>"$ERR"
check "the next run does not run it on the host" test ! -e "$FIX/planted-bwrap-ran"
(cd "$WS" && as_runner env PATH="$WS/env/bin:$PATH" XDG_CONFIG_HOME= "$SBXRUN" --doctor) >"$OUT" 2>"$ERR"
check "... nor does --doctor" test ! -e "$FIX/planted-bwrap-ran"
# ... nor one in another project's .venv (an earlier run's, with that venv still first in PATH:
# fifteenth review): bwrap is looked up in the system's directories only.
mkdir -p "$FIX/other/.venv/bin"
cp "$WS/env/bin/bwrap" "$FIX/other/.venv/bin/bwrap"
own_fix
(cd "$WS" && as_runner env PATH="$FIX/other/.venv/bin:$PATH" XDG_CONFIG_HOME= "$SBXRUN" -- true) \
    >"$OUT" 2>"$ERR"
check "... nor one another project's run planted in PATH" test ! -e "$FIX/planted-bwrap-ran"
printf 'version = 1\n[backend]\nbwrap = "%s"\n' "$WS/env/bin/bwrap" >"$FIX/planted.toml"
own_fix
(cd "$WS" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --policy "$FIX/planted.toml" --backend bwrap \
    -- true) >"$OUT" 2>"$ERR"
check "... nor when the policy names it: the run says why it has no bwrap" \
    sh -c "test ! -e '$FIX/planted-bwrap-ran' && grep -q 'where the sandbox can write' '$ERR'"

# sbxrun started by a name in a writable root (a copy, or a hard link, in the project's bin/):
# an sbxrun-inner planted beside it is never run (sixteenth outside review: it ran as the
# sandbox's first process, before seccomp, with capabilities).
# A project of its own: ~/bin, in HOME, is the set's (seventeenth review).
WS=$FIX/proj
mkdir -p "$WS/bin" "$WS/src" "$FIX/safe/bin"
cp "$SBXRUN" "$WS/bin/sbxrun"
cp "$SBXRUN" "$FIX/safe/bin/sbxrun"
cp "$(dirname "$SBXRUN")/sbxrun-inner" "$FIX/safe/bin/sbxrun-inner"
own_fix
# It says so wherever it can: inside a later sandbox only that sandbox's workspace is writable.
sbxb -- sh -c "printf '#!/bin/sh\\necho PLANTED-INNER-RAN >&2\\ntouch $WS/planted-inner-ran $WS/src/planted-inner-ran\\n' >bin/sbxrun-inner; chmod +x bin/sbxrun-inner"
check "(the command could write bin/sbxrun-inner)" test -x "$WS/bin/sbxrun-inner"
(cd "$WS" && as_runner env XDG_CONFIG_HOME= "$WS/bin/sbxrun" --backend bwrap -- true) >"$OUT" 2>"$ERR"
RC=$?
check "sbxrun started from the workspace never runs the sbxrun-inner planted beside it" \
    test ! -e "$WS/planted-inner-ran"
# (With an installed sbxrun-inner in the build's libexecdir, a reviewer's install, the copy
# uses that one: exit 0.)
check "... and says why it has none" \
    sh -c "test $RC = 0 || grep -q 'sbxrun-inner at .* is not used' '$ERR'"
# ... nor when the run that starts it has its workspace elsewhere (seventeenth outside review:
# the earlier run planted it, the later one ran from a sibling directory, as root and as the
# user, and the helper remounted / read-write). Beside a copy, nothing is taken at all.
own_fix
(cd "$WS/src" && as_runner env XDG_CONFIG_HOME= "$WS/bin/sbxrun" --workspace "$WS/src" --backend bwrap -- true) \
    >"$OUT" 2>"$ERR"
RC=$?
check "... nor does a later run whose workspace is elsewhere" \
    sh -c "test ! -e '$WS/src/planted-inner-ran' && ! grep -q PLANTED-INNER-RAN '$ERR'"
# (With an installed sbxrun-inner in the build's libexecdir the copy uses that one: exit 0.)
check "... which says why it has none" \
    sh -c "test $RC = 0 || grep -q 'sbxrun-inner at .* is not used (beside a copy' '$ERR'"
(cd "$WS" && as_runner env XDG_CONFIG_HOME= "$FIX/safe/bin/sbxrun" --backend bwrap -- true) \
    >"$OUT" 2>"$ERR"
RC=$?
check "a copy of sbxrun and sbxrun-inner outside the writable roots does not take the copied helper" \
    sh -c "test $RC = 0 || grep -q 'sbxrun-inner at .*/safe/bin/sbxrun-inner. is not used' '$ERR'"
check "... and says so rather than running without it" \
    sh -c "test $RC = 0 || test $RC = 121 || test $RC = 125"
done_testing
