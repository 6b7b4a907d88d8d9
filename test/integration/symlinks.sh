#!/bin/bash
# The seed's symlink farm (shared/seeds/000): agent configuration kept as symlinks into the
# workspace is protected, the links are pinned, and nothing is left behind on the host.
. "$(dirname "$0")/lib.sh"
make_workspace
cd "$WS" || exit 1
mkdir -p .auxiliary/configuration/coders/{codex,claude,opencode} documentation/architecture/openspec
echo 'sandbox_mode = "workspace-write"' >.auxiliary/configuration/coders/codex/config.toml
echo '# agents' >.auxiliary/configuration/AGENTS.md
ln -s .auxiliary/configuration/coders/codex .codex
ln -s .auxiliary/configuration/coders/claude .claude
ln -s .auxiliary/configuration/coders/opencode .opencode
ln -s .auxiliary/configuration/AGENTS.md AGENTS.md
ln -s .auxiliary/configuration/AGENTS.md CLAUDE.md
ln -s .auxiliary/configuration/coders/gemini .gemini        # dangling
ln -s documentation/architecture/openspec openspec
cd - >/dev/null || exit 1
own_fix
cat >"$FIX/farm.toml" <<'TOML'
version = 1
[filesystem]
protect = [".git", ".codex", ".claude", ".opencode", ".gemini", ".agents", "AGENTS.md", "CLAUDE.md"]
TOML
P=(--policy "$FIX/farm.toml")
before=$(fingerprint "$WS/.auxiliary/configuration")
before_links=$(cd "$WS" && ls -l --time-style=+ .codex .claude AGENTS.md CLAUDE.md .gemini openspec | awk '{print $1, $(NF-2), $(NF-1), $NF}')

sbx "${P[@]}" -- sh -c 'cat .codex/config.toml'
expect_rc 0 "reading through the protected link works"
check "and reads the target's content" grep -q workspace-write "$OUT"

sbx "${P[@]}" -- sh -c 'test "$(readlink .codex)" = .auxiliary/configuration/coders/codex'
expect_rc 0 "readlink .codex is unchanged inside the sandbox"

for attempt in 'echo x >>.codex/config.toml' \
               'echo x >.codex/new' \
               'echo x >>.auxiliary/configuration/coders/codex/config.toml' \
               'rm .codex' 'mv .codex .codex.old' 'ln -sfn /tmp .codex' 'ln -sfn . .codex' \
               'rm -rf .codex; mkdir .codex && echo "sandbox_mode = \"danger-full-access\"" >.codex/config.toml' \
               'mv .auxiliary .aux2' 'rm -rf .auxiliary/configuration' \
               'echo x >>AGENTS.md' 'rm AGENTS.md' 'rm CLAUDE.md' \
               'mkdir -p .auxiliary/configuration/coders/gemini' 'rm .gemini' \
               'mkdir .agents' 'touch .agents'; do
    sbx "${P[@]}" -- sh -c "$attempt"
    expect_denied "seed farm: '$attempt' fails"
done

after_links=$(cd "$WS" && ls -l --time-style=+ .codex .claude AGENTS.md CLAUDE.md .gemini openspec | awk '{print $1, $(NF-2), $(NF-1), $NF}')
check "the links on the host are unchanged" test "$after_links" = "$before_links"
after=$(fingerprint "$WS/.auxiliary/configuration")
check "the configuration targets are unchanged" test "$after" = "$before"
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed "s/^/# /"
check "the dangling target was not created" test ! -e "$WS/.auxiliary/configuration/coders/gemini"
check "no .agents left on the host" test ! -e "$WS/.agents"
check "no placeholder left in the temp dir" sh -c "! ls -A '$FIX/tmp' | grep -q ."

sbx "${P[@]}" -- sh -c 'echo note >.auxiliary/notes && echo spec >openspec/new.md && echo x >src/y'
expect_rc 0 "ordinary writes elsewhere in the workspace succeed"
check "they land on the host" sh -c "grep -q note '$WS/.auxiliary/notes' && test -f '$WS/documentation/architecture/openspec/new.md'"

# escalate: run nothing, exit 122, a status document naming .codex.
printf 'version = 1\n[filesystem]\nsymlinks = "escalate"\n' >"$FIX/esc.toml"; own_fix
rm -f "$FIX/.status"
sbx --policy "$FIX/esc.toml" --status-file "$FIX/.status" -- sh -c 'touch ran-anyway'
expect_rc 122 "symlinks = escalate exits 122"
check "nothing ran" test ! -e "$WS/ran-anyway"
check "outcome needs_approval" test "$(status_field "$FIX/.status" outcome)" = needs_approval
check "the status names the link" sh -c "status_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \"\$@\"; }; status_field '$FIX/.status' symlink | grep -q '/.codex\$'"
check "the status names the target" sh -c "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"target\"])' '$FIX/.status' | grep -q 'coders/codex\$'"
check "the message says sandbox" grep -q "sandbox" "$ERR"
check "no crash text" sh -c "! grep -qiE 'panic|abort|terminate|backtrace' '$ERR'"

# follow: runs, protects the target, warns that the link can be replaced.
printf 'version = 1\n[filesystem]\nsymlinks = "follow"\n' >"$FIX/follow.toml"; own_fix
sbx --policy "$FIX/follow.toml" -- sh -c 'echo x >>.codex/config.toml'
expect_denied "follow: the target stays read-only"
check "follow: a warning is given" grep -q "follow" "$ERR"

# follow + a replaced link: the integrity check notices, puts the link back, exits 120.
rm -f "$FIX/.status"
sbx --policy "$FIX/follow.toml" --status-file "$FIX/.status" -- sh -c 'rm .codex && mkdir .codex && echo evil >.codex/config.toml'
expect_rc 120 "follow: a replaced protected link gives 120 (integrity_violation)"
check "follow: the status says integrity_violation" test "$(status_field "$FIX/.status" outcome)" = integrity_violation
check "follow: the link is restored on the host" test "$(readlink "$WS/.codex")" = .auxiliary/configuration/coders/codex
check "follow: what stood in its place is kept aside, not deleted" sh -c "ls -d '$WS'/.codex.sbxrun-replaced.* >/dev/null"
rm -rf "$WS"/.codex.sbxrun-replaced.*
sbx --policy "$FIX/follow.toml" -- sh -c 'ln -sfn src .codex'
expect_rc 120 "follow: a retargeted protected link gives 120"
check "follow: the retargeted link is restored" test "$(readlink "$WS/.codex")" = .auxiliary/configuration/coders/codex

done_testing
