#!/bin/bash
# The denial report (issue 15) attacked from inside the sandbox, as the twelfth outside review
# did: the command chooses which writes get refused, so it chooses what the status document's
# denials.filesystem and suggestion_policy say. A harness shows the suggestion to its user and
# passes it back as one more --policy: it must never open a place through which a host program
# runs code, nor widen to $HOME, ~/.config or a directory outside $HOME; the list must stay
# truthful (bounded, counted, classified, printable) whatever the command does, also when the
# run ends by its timeout. Each case runs the command twice where the review did: refused, then
# again with the suggested layer, and checks the host.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
H=$FIX/home
mkdir -p "$H/.ssh" "$H/.local/bin" "$H/.config/git" "$H/.local/share" "$H/.docker"
: >"$H/.config/git/config"
echo '{}' >"$H/.docker/config.json"
own_fix
snapshot_host
ST=$FIX/status.json

# suggestion FILE: the status document's suggestion_policy ("" for null).
suggestion() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["suggestion_policy"] or "")' "$1"; }
# rerun_with_suggestion CMD: run CMD again with the suggested layer (as the harnesses do).
rerun_with_suggestion() {
    suggestion "$ST" >"$FIX/suggested.toml"
    own_fix
    if [ -s "$FIX/suggested.toml" ]; then sbxb --policy "$FIX/suggested.toml" -- sh -c "$1"; fi
}

# 1. Refused writes into ~/.ssh and ~/.local/bin: no suggestion for them, and even the layer an
#    earlier build suggested (write = ["~/.ssh", "~/.local"]) keeps both read-only.
plant='echo "ssh-ed25519 AAAA attacker" >>"$HOME/.ssh/authorized_keys"; printf "#!/bin/sh\necho owned\n" >"$HOME/.local/bin/git"'
sbxb --status-file "$ST" -- sh -c "$plant"
suggestion "$ST" >"$FIX/s1.toml"
check "~/.ssh, ~/.local/bin refused: never suggested" \
    sh -c "! grep -Eq '\\.ssh|\\.local\"|\"~\"' '$FIX/s1.toml'"
printf 'version = 1\n[filesystem]\nwrite = ["%s", "%s", "~/.ssh", "~/.local"]\n' "$WS" "$FIX/tmp" >"$FIX/wide.toml"
own_fix
sbxb --policy "$FIX/wide.toml" -- sh -c "$plant; echo fine >\"\$HOME/.local/ok\""
check "a root of ~/.ssh or ~/.local keeps ~/.ssh and ~/.local/bin protected (the @agent-config names)" \
    sh -c "! grep -q attacker '$H/.ssh/authorized_keys' 2>/dev/null && ! test -e '$H/.local/bin/git'"
check "... while the rest of ~/.local is writable as asked" grep -qx fine "$H/.local/ok"
rm -f "$H/.local/ok"

# 2. A new tool directory under ~/.config or ~/.local/share: not the whole of either.
sbxb --status-file "$ST" -- sh -c 'mkdir -p "$HOME/.config/newtool" "$HOME/.local/share/newapp"'
check "mkdir ~/.config/newtool refused: no suggestion (not ~/.config, not ~/.local/share)" \
    test -z "$(suggestion "$ST")"

# 3. Outside $HOME: nothing is suggested (another user's home, /var/spool, sbxrun's own
#    directory, the fixture's outside/).
sbxb --status-file "$ST" -- sh -c 'mkdir -p "$0/outside/sub"; echo x >"$0/outside/file.txt"' "$FIX"
check "refusals outside \$HOME: no suggestion" test -z "$(suggestion "$ST")"

# 4. $HOME through a symbolic link: never the real home directory.
mkdir -p "$FIX/realhome/.ssh" "$FIX/realhome/project"
ln -s realhome "$FIX/homelink"
own_fix
(cd "$WS" && as_runner env HOME="$FIX/homelink" "$SBXRUN" --backend "$BACKEND" --status-file "$ST" -- \
    sh -c 'echo x >>"$HOME/.bashrc"; echo k >>"$HOME/.ssh/authorized_keys"; echo m >"$HOME/project/Makefile"') \
    >"$OUT" 2>"$ERR"
check "HOME through a link: nothing suggested (never the real home)" test -z "$(suggestion "$ST")"

# 5. A flood of long paths first, then protected writes: every refusal listed or counted, the
#    command's own exit status kept (the report once filled the pipe and lost both).
sbxb --status-file "$ST" -- python3 -c '
import os, sys
pad = "A" * 240
for i in range(260):
    try: open("/etc/%s%d" % (pad, i), "w")
    except OSError: pass
for i in range(3):
    for p in (".git/config", ".envrc"):
        try: open(p, "w")
        except OSError: pass
sys.exit(7)'
expect_rc 7 "a flood of long refused paths: the command's own status"
check "... every refusal listed or counted in dropped (266)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["denials"]
assert sum(e["count"] for e in d["filesystem"]) + d["dropped"] == 266, d["dropped"]' "$ST"

# 6. A run ended by its timeout still reports what was refused before.
sbxb --timeout 2 --status-file "$ST" -- sh -c 'echo x >.envrc; echo y >>.git/config; sleep 30'
expect_rc 124 "a timed-out run ends 124"
check "... and still lists the refusals that came before" python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["denials"]["filesystem"]
got = {(e["path"].rsplit("/", 1)[1], e["why"]) for e in fs}
assert {(".envrc", "protected"), ("config", "protected")} <= got, fs' "$ST"

# 7. A blocked name in another case is reported as protected, with its rule.
sbxb --status-file "$ST" -- sh -c 'mkdir .ENVRC; touch .Claude'
check "case variants of blocked names: protected, with the rule" python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["denials"]["filesystem"]
assert fs and all(e["why"] == "protected" and e["rule"] for e in fs), fs' "$ST"

# 8. A path the policy protects outside every writable root: protected, never suggested.
printf 'version = 1\n[filesystem]\nprotect = ["@agent-config", "~/.docker"]\n' >"$FIX/docker.toml"
own_fix
sbxb --policy "$FIX/docker.toml" --status-file "$ST" -- sh -c 'echo "{\"credsStore\": \"x\"}" >"$HOME/.docker/config.json"'
check "a protected path outside the roots is reported as protected and not suggested" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
fs = d["denials"]["filesystem"]
assert [e["why"] for e in fs] == ["protected"] and "docker" in fs[0]["rule"], fs
assert d["suggestion_policy"] is None, d["suggestion_policy"]' "$ST"

# 9. Bidi and C1 controls in a refused path reach the document escaped.
sbxb -q --status-file "$ST" -- python3 -c '
for n in ("\u202ehs.txt", "\u009bx"):
    try: open("/etc/" + n, "w")
    except OSError: pass'
check "no raw U+202E or U+009B in the status document" python3 -c '
import sys
t = open(sys.argv[1], encoding="utf-8").read()
assert "\u202e" not in t and "\u009b" not in t, t' "$ST"

check "the host's ~/.ssh, ~/.local/bin, ~/.config/git and ~/.docker are unchanged" sh -c "
    test ! -s '$H/.ssh/authorized_keys' && test ! -e '$H/.local/bin/git' &&
    test ! -s '$H/.config/git/config' && test \"\$(cat '$H/.docker/config.json')\" = '{}' &&
    test ! -e '$H/.config/newtool' && test ! -e '$FIX/realhome/.bashrc'"
check_host_unchanged
done_testing
