#!/bin/bash
# A writable HOME's dot-entries, every one (plan/home_dotfiles.cpp): where HOME is the
# workspace or lies in a writable root, the entries of HOME's top whose names start with a dot
# are read-only, not only the names of @agent-config. Each case is checked on the host.
#   1. HOME is the workspace: programs' files that no list named (nvm.sh sourced by .bashrc,
#      pyenv's shims on PATH, oh-my-zsh, terraform's plugin setting, Maven's settings, a
#      pre-commit hook repository in ~/.cache, VS Code's settings) cannot be written, replaced,
#      renamed or removed, the history included; the user's other files and sbxrun's private
#      caches stay writable.
#   2. HOME below the writable ${tmpdir}, the workspace elsewhere: the same.
#   3. A writable root the policy names below HOME (`write = ["~", "~/.cache"]`) is writable:
#      the policy asked for it; the other dot-entries stay read-only.
#   4. A dot-entry that is a link into the workspace keeps where it leads read-only.
#   5. More dot-entries than sbxrun keeps read-only (1024): the run needs approval (122) and
#      nothing runs.
#   6. --explain says why each is read-only.
#   7. (twenty-first review) with write = ["~/.local"], the environments of pipx's and uv's
#      commands in ~/.local/bin stay read-only (a .pth file there runs at their next start).
#   8. (twenty-first review) with HOME as the workspace, names the host reads that were
#      missing cannot be made: ~/.lesskey (LESSOPEN), ~/.node_modules, fzf's and nvm's files
#      that .bashrc sources, Jupyter's and Bun's configuration, Windsurf's MCP servers, and
#      under a missing ~/.config, gdb's, user-dirs', opencode's and Zed's.
#   9. No new dot-entry at all, listed or not, made by any call (a file, a directory, a
#      rename, a link): in HOME as the workspace and in HOME below ${tmpdir}; the user's other
#      files and dot-files deeper down can be made; not even the histories
#      (twenty-second review: .bash_history made a link to .bashrc, .zsh_history a FIFO), and a
#      refusal is reported as the protection it is, with its rule.
. "$(dirname "$0")/lib.sh"
make_workspace

# seed_home DIR: a home with programs' dot-entries that are not in @agent-config.
seed_home() {
    local h=$1
    mkdir -p "$h/.nvm" "$h/.pyenv/shims" "$h/.oh-my-zsh" "$h/.m2" "$h/.config/Code/User" \
        "$h/.cache/pre-commit/repo1" "$h/projects"
    echo 'nvm() { :; }' >"$h/.nvm/nvm.sh"
    printf '#!/bin/sh\nexec /usr/bin/python3 "$@"\n' >"$h/.pyenv/shims/python"
    echo '# omz' >"$h/.oh-my-zsh/oh-my-zsh.sh"
    echo 'plugin_cache_dir = "/opt/tf"' >"$h/.terraformrc"
    echo '<settings/>' >"$h/.m2/settings.xml"
    echo 'hooks: []' >"$h/.cache/pre-commit/repo1/.pre-commit-hooks.yaml"
    echo '{}' >"$h/.config/Code/User/settings.json"
    echo 'ls' >"$h/.bash_history"
    echo 'notes' >"$h/projects/notes.txt"
}

# TRY, at the top of a script run inside: try CMD runs CMD and says when it got through.
TRY='try() { if sh -c "$1" 2>/dev/null; then echo "GOT THROUGH: $1"; fi; }'
# The attacks on the dot-entries, from inside; each line says what got through.
ATTACKS="$TRY"'
try "echo owned >>\"$H/.nvm/nvm.sh\""
try "echo owned >\"$H/.pyenv/shims/pip\""
try "rm -f \"$H/.pyenv/shims/python\""
try "mv \"$H/.oh-my-zsh\" \"$H/omz-moved\""
try "echo owned >\"$H/.oh-my-zsh/custom.zsh\""
try "echo owned >>\"$H/.terraformrc\""
try "rm -f \"$H/.terraformrc\""
try "mv \"$H/.m2\" \"$H/m2-moved\" && mkdir \"$H/.m2\""
try "echo owned >>\"$H/.cache/pre-commit/repo1/.pre-commit-hooks.yaml\""
try "echo owned >>\"$H/.config/Code/User/settings.json\""
try "chmod 777 \"$H/.terraformrc\""
(echo ls >>"$H/.bash_history") 2>/dev/null && echo "GOT THROUGH: the history"
echo x >"$H/projects/new.txt" && echo "projects: written"
mkdir -p "$PIP_CACHE_DIR" && echo x >"$PIP_CACHE_DIR/f" && echo "private cache: written"
'

# home_state DIR: what the attacks must not change (the dot-entries, the history too, but not
# sbxrun's private caches).
home_state() {
    (cd "$1" && for e in .nvm .pyenv .oh-my-zsh .terraformrc .m2 .cache/pre-commit .config/Code; do
        echo "== $e"
        fingerprint "$e" 2>/dev/null || echo missing
    done)
    echo "== moved: $(ls -d "$1"/*-moved 2>/dev/null)"
}

# check_attacks CASE HOME: every attack refused, the host unchanged, the rest writable.
check_attacks() {
    local name=$1 h=$2
    check "$name: the command ran" test "$RC" = 0
    check "$name: no attack got through (from inside)" sh -c "! grep -q 'GOT THROUGH' '$OUT'"
    grep 'GOT THROUGH' "$OUT" | sed 's/^/# /'
    check "$name: the dot-entries are unchanged on the host" test "$(home_state "$h")" = "$BEFORE"
    check "$name: the history is read-only too" test "$(wc -l <"$h/.bash_history")" = 1
    check "$name: the home's other files are writable" test -s "$h/projects/new.txt"
    check "$name: sbxrun's private cache is writable" grep -qx "private cache: written" "$OUT"
}

# 1. HOME is the workspace.
H1=$FIX/home1
seed_home "$H1"
own_fix
BEFORE=$(home_state "$H1")
(cd "$H1" && as_runner env HOME="$H1" XDG_CONFIG_HOME= XDG_CACHE_HOME= H="$H1" \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H1" -- sh -c "$ATTACKS") >"$OUT" 2>"$ERR"
RC=$?
check_attacks "HOME is the workspace" "$H1"

# 2. HOME below the writable ${tmpdir}; the workspace is elsewhere.
H2=$FIX/tmp/home2
seed_home "$H2"
own_fix
BEFORE=$(home_state "$H2")
(cd "$WS" && as_runner env HOME="$H2" XDG_CONFIG_HOME= XDG_CACHE_HOME= H="$H2" \
    "$SBXRUN" --backend "$BACKEND" -- sh -c "$ATTACKS") >"$OUT" 2>"$ERR"
RC=$?
check_attacks "HOME in \${tmpdir}" "$H2"

# 3. A root the policy names below HOME.
H3=$FIX/home3
seed_home "$H3"
printf 'version = 1\n[filesystem]\nwrite = ["~", "~/.cache"]\n' >"$FIX/cache.toml"
own_fix
(cd "$H3" && as_runner env HOME="$H3" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H3" --policy "$FIX/cache.toml" -- sh -c '
        echo new >"$HOME/.cache/pre-commit/repo1/extra" && echo "cache: written"
        echo owned >>"$HOME/.nvm/nvm.sh" 2>/dev/null && echo "GOT THROUGH: nvm.sh"
        true') >"$OUT" 2>"$ERR"
RC=$?
check "write = [\"~\", \"~/.cache\"]: ~/.cache is writable, as asked" grep -qx "cache: written" "$OUT"
check "... the other dot-entries are not" sh -c "! grep -q 'GOT THROUGH' '$OUT' && test \"\$(cat '$H3/.nvm/nvm.sh')\" = 'nvm() { :; }'"

# 4. A dot-entry that is a link into the workspace (a dotfiles repository there).
H4=$FIX/tmp/home4
mkdir -p "$H4" "$WS/dots/nvm"
echo 'nvm() { :; }' >"$WS/dots/nvm/nvm.sh"
ln -s "$WS/dots/nvm" "$H4/.nvm"
own_fix
(cd "$WS" && as_runner env HOME="$H4" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" -- sh -c '
        echo owned >>"$HOME/.nvm/nvm.sh" 2>/dev/null && echo "GOT THROUGH: via the link"
        echo owned >>dots/nvm/nvm.sh 2>/dev/null && echo "GOT THROUGH: in the workspace"
        true') >"$OUT" 2>"$ERR"
RC=$?
check "a dot-entry linked into the workspace: the run goes ahead" test "$RC" = 0
check "... and where it leads stays read-only" sh -c "! grep -q 'GOT THROUGH' '$OUT' && test \"\$(cat '$WS/dots/nvm/nvm.sh')\" = 'nvm() { :; }'"
rm -rf "$WS/dots"

# 5. Too many dot-entries to keep read-only.
H5=$FIX/home5
mkdir -p "$H5"
(cd "$H5" && for i in $(seq 1 1030); do : >".f$i"; done)
own_fix
(cd "$H5" && as_runner env HOME="$H5" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H5" -- touch "$H5/ran") >"$OUT" 2>"$ERR"
RC=$?
expect_rc 122 "1030 dot-entries in a writable HOME: the run needs approval (122)"
check "... saying why in one line" sh -c "grep -q 'dot-entries of $H5 read-only (at most 1024)' '$ERR' && test \$(wc -l <'$ERR') = 1"
check "... and nothing ran" test ! -e "$H5/ran"

# 6. --explain says why.
(cd "$H1" && as_runner env HOME="$H1" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H1" --explain -- true) >"$OUT" 2>"$ERR"
check "--explain: a dot-entry says it is one" \
    grep -q "from filesystem.protect \".terraformrc\" (filesystem.protect\[0\] (@agent-config): a dot-entry of HOME)" "$OUT"

# 7. write = ["~/.local"]: the pipx and uv tool environments behind ~/.local/bin.
H7=$FIX/home7
mkdir -p "$H7/.local/bin" "$H7/.local/share/pipx/venvs/tool/lib" "$H7/.local/share/uv/tools/t2/lib"
echo '# tool' >"$H7/.local/share/pipx/venvs/tool/lib/tool.py"
printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "${tmpdir}", "~/.local"]\n' >"$FIX/local.toml"
own_fix
(cd "$WS" && as_runner env HOME="$H7" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --policy "$FIX/local.toml" -- sh -c '
        echo "import os" >"$HOME/.local/share/pipx/venvs/tool/lib/zz.pth" 2>/dev/null && echo "GOT THROUGH: pipx"
        echo "import os" >"$HOME/.local/share/uv/tools/t2/lib/zz.pth" 2>/dev/null && echo "GOT THROUGH: uv"
        mkdir -p "$HOME/.local/pipx/venvs/x" 2>/dev/null && echo "GOT THROUGH: old pipx"
        echo ok >"$HOME/.local/notes" && echo "rest: written"') >"$OUT" 2>"$ERR"
check "write = [\"~/.local\"]: pipx's and uv's tool environments stay read-only" \
    sh -c "! grep -q 'GOT THROUGH' '$OUT' && test ! -e '$H7/.local/share/pipx/venvs/tool/lib/zz.pth' && test ! -e '$H7/.local/pipx'"
check "... the rest of ~/.local is writable, as asked" grep -qx "rest: written" "$OUT"

# 8. HOME is the workspace, and the names are missing.
H8=$FIX/home8
mkdir -p "$H8"
own_fix
(cd "$H8" && as_runner env HOME="$H8" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H8" -- sh -c "$TRY"'
        try "printf \"#env\\nLESSOPEN=|touch /tmp/x %s\\n\" >.lesskey"
        try "mkdir -p .node_modules/lodash && echo x >.node_modules/lodash/index.js"
        try "echo touch /tmp/x >.fzf.bash"
        try "mkdir -p .nvm && echo touch /tmp/x >.nvm/nvm.sh"
        try "mkdir -p .oh-my-zsh"
        try "mkdir -p .jupyter && echo x >.jupyter/jupyter_server_config.py"
        try "echo x >.bunfig.toml"
        try "mkdir -p .codeium/windsurf && echo {} >.codeium/windsurf/mcp_config.json"
        try "mkdir -p .config/gdb && echo shell >.config/gdb/gdbinit"
        try "mkdir -p .config && echo x >.config/user-dirs.dirs"
        try "mkdir -p .config/opencode .config/zed"
        echo ok >notes.txt && echo "rest: written"') >"$OUT" 2>"$ERR"
check "HOME as the workspace: the missing names the host reads cannot be made" \
    sh -c "! grep -q 'GOT THROUGH' '$OUT'"
grep 'GOT THROUGH' "$OUT" | sed 's/^/# /'
# (sbxrun's own .config/sbxrun and .cache/sbxrun* are made by sbxrun on the host: its trust
# store and caches.)
check "... nothing of them is on the host" sh -c "cd '$H8' && ! ls -A | grep -v -x -e notes.txt -e .cache -e .config | grep -q . && test \"\$(ls -A .config)\" = sbxrun"
check "... and the user's own files are writable" grep -qx "rest: written" "$OUT"

# 9. No new dot-entry, whatever its name.
NEWDOT="$TRY"'
try "echo x >.someday-read-rc"
try "mkdir .newtool"
try "echo x >plain.txt && mv plain.txt .hidden"
try "ln -s /tmp .lnk"
try "mkfifo .fifo"
try "echo ls >>.bash_history"
try "ln -s .bashrc .zsh_history"
try "mkfifo .python_history"
mkdir -p sub && echo x >sub/.deeper && echo "deeper: made"
echo x >notes2.txt && echo "rest: made"'
H9=$FIX/home9
H10=$FIX/tmp/home10
mkdir -p "$H9" "$H10"
own_fix
(cd "$H9" && as_runner env HOME="$H9" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H9" -- sh -c "$NEWDOT") >"$OUT" 2>"$ERR"
check "HOME as the workspace: no new dot-entry of any name or kind" sh -c "! grep -q 'GOT THROUGH' '$OUT'"
grep 'GOT THROUGH' "$OUT" | sed 's/^/# /'
check "... none on the host" sh -c "cd '$H9' && test ! -e .someday-read-rc && test ! -e .newtool && test ! -e .hidden && test ! -L .lnk && test ! -e .fifo && test ! -L .zsh_history && test ! -e .python_history"
check "... deeper dot-files and other files are made" \
    sh -c "grep -qx 'deeper: made' '$OUT' && grep -qx 'rest: made' '$OUT'"
(cd "$H9" && as_runner env HOME="$H9" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$H9" --status-file "$FIX/.status9" -- \
    sh -c 'echo x >.newer') >"$OUT" 2>"$ERR"
check "... a refusal is reported as protected, with the rule (twenty-second review)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["denials"]["filesystem"] if x["path"].endswith("/.newer")]
assert len(f) == 1 and f[0]["why"] == "protected" and "a new dot-entry of HOME" in f[0]["rule"], f
' "$FIX/.status9"
(cd "$H10" && as_runner env HOME="$H10" XDG_CONFIG_HOME= XDG_CACHE_HOME= \
    "$SBXRUN" --backend "$BACKEND" --workspace "$WS" -- sh -c "cd \"\$HOME\" && { $NEWDOT; }") >"$OUT" 2>"$ERR"
check "HOME below \${tmpdir}: no new dot-entry either" sh -c "! grep -q 'GOT THROUGH' '$OUT' && cd '$H10' && test ! -e .someday-read-rc && test ! -e .newtool"
grep 'GOT THROUGH' "$OUT" | sed 's/^/# /'
check "... nor a history (twenty-second review: a link to .bashrc, a FIFO)" \
    sh -c "cd '$H10' && test ! -e .bash_history && test ! -L .zsh_history && test ! -e .python_history"
done_testing
