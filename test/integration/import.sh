#!/bin/bash
# --import: a Codex config.toml and an srt settings file, converted and enforced by the real
# backend, protect what Codex and srt protect; the saved --print-policy output behaves the same;
# a domain allowlist follows backend.on_unenforceable. The host is checked afterwards.
. "$(dirname "$0")/lib.sh"
make_workspace
mkdir -p "$WS/.codex" "$FIX/extra" "$FIX/home/.ssh" "$WS/.git/hooks"
echo 'model = "o3"' >"$WS/.codex/config.toml"
echo secret >"$FIX/home/.ssh/id_ed25519"
echo '# rc' >"$WS/.bashrc"
cat >"$FIX/codex.toml" <<TOML
sandbox_mode = "workspace-write"
[sandbox_workspace_write]
writable_roots = ["$FIX/extra"]
exclude_slash_tmp = true
[shell_environment_policy]
inherit = "core"
TOML
cat >"$FIX/srt.json" <<JSON
{"filesystem": {"denyRead": ["~/.ssh"], "allowWrite": [".", "$FIX/extra"],
                "denyWrite": ["src/file.txt"]},
 "network": {"allowedDomains": [], "deniedDomains": []}}
JSON
printf '{"filesystem": {"allowWrite": ["."]}, "network": {"allowedDomains": ["github.com"]}}' \
    >"$FIX/domains.json"
printf 'version = 1\n[backend]\non_unenforceable = "escalate"\n' >"$FIX/escalate.toml"
# Codex's network allowlist, in its permission-profile shape and in its [network_proxy] shape.
cat >"$FIX/codex-profile.toml" <<TOML
sandbox_mode = "workspace-write"
default_permissions = "dev"
[permissions.dev.network]
enabled = true
[permissions.dev.network.domains]
"pypi.org" = "allow"
"**.files.pythonhosted.org" = "allow"
"evil.pypi.org" = "deny"
TOML
cat >"$FIX/codex-proxy.toml" <<TOML
sandbox_mode = "workspace-write"
[sandbox_workspace_write]
network_access = true
[network_proxy]
enabled = true
mode = "limited"
[network_proxy.policy]
allowed_domains = ["github.com"]
TOML
own_fix
before=$(fingerprint "$WS")

# Codex: the workspace and writable_roots are writable; .git and .codex are not.
sbx --import "codex:$FIX/codex.toml" -- sh -c "echo x >'$FIX/extra/new' && echo y >src/new"
expect_rc 0 "codex: writable_roots and the workspace are writable"
check "codex: unmapped keys are reported" grep -q "unmapped: shell_environment_policy" "$ERR"
for attempt in 'echo x >>.git/config' 'echo x >.codex/new' 'rm .codex/config.toml' \
               "echo x >'$FIX/outside/file.txt'" 'mkdir .agents'; do
    sbx --import "codex:$FIX/codex.toml" -- sh -c "$attempt"
    check "codex: '$attempt' fails" test "$RC" -ne 0
done
sbx --import "codex:$FIX/codex.toml" --print-policy
check "codex: network_access unset means no network" grep -q '^mode = "none"' "$OUT"

# srt: only allowWrite is writable; denyWrite, .git/hooks, .bashrc are protected; ~/.ssh hidden.
sbx --import "srt:$FIX/srt.json" -- sh -c "echo x >src/other && echo y >'$FIX/extra/srt'"
expect_rc 0 "srt: allowWrite paths are writable"
for attempt in 'echo x >>src/file.txt' 'echo x >.git/hooks/pre-commit' 'echo x >>.bashrc' \
               'echo x >>.git/config' "cat '$FIX/home/.ssh/id_ed25519'" \
               "echo x >'$FIX/outside/file.txt'"; do
    sbx --import "srt:$FIX/srt.json" -- sh -c "$attempt"
    check "srt: '$attempt' fails" test "$RC" -ne 0
done

# The saved conversion is an ordinary policy file with the same effect.
sbx --import "srt:$FIX/srt.json" --print-policy
expect_rc 0 "--print-policy prints the converted policy"
cp "$OUT" "$FIX/saved.toml"; own_fix
sbx --policy "$FIX/saved.toml" -- sh -c 'echo x >>.git/hooks/pre-commit'
check "the saved policy protects .git/hooks too" test "$RC" -ne 0
sbx --policy "$FIX/saved.toml" -- sh -c 'echo x >src/saved'
expect_rc 0 "the saved policy keeps the workspace writable"

# A domain allowlist: sbxrun's own network allowlist, the same model (issue 13).
sbx --import "srt:$FIX/domains.json" --print-policy
expect_rc 0 "srt allowedDomains: --print-policy"
check "becomes network.mode = \"allowlist\" with the domain in network.allow" \
    sh -c "grep -q '^mode = \"allowlist\"' '$OUT' && grep -q '\"github.com\",' '$OUT'"
sbx --import "srt:$FIX/domains.json" --status-file "$FIX/.status" -- true
expect_rc 0 "srt allowedDomains: the run goes ahead"
check "nothing approximated for it" sh -c "! grep -q 'allowedDomains' '$ERR'"
check "the status document names the proxy" \
    sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d[\"network\"][\"proxy\"].startswith(\"http://127.0.0.1:\") else 1)' '$FIX/.status'"

# Codex: a permission profile's domains and an enabled [network_proxy] are the same allowlist.
sbx --import "codex:$FIX/codex-profile.toml" --print-policy
expect_rc 0 "codex permission profile: --print-policy"
check "its domains become network.allow and network.deny" \
    sh -c "grep -q '^mode = \"allowlist\"' '$OUT' && grep -q '\"\*\*.files.pythonhosted.org\",' '$OUT' && grep -A1 '^deny = \[' '$OUT' | grep -q evil.pypi.org"
sbx --import "codex:$FIX/codex-proxy.toml" --status-file "$FIX/.status" -- sh -c 'echo "$HTTPS_PROXY"'
expect_rc 0 "codex [network_proxy]: the run goes ahead"
check "the command is pointed at sbxrun's proxy" grep -q '^http://127.0.0.1:' "$OUT"
check "the status document names the proxy" \
    sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d[\"network\"][\"proxy\"].startswith(\"http://127.0.0.1:\") else 1)' '$FIX/.status'"
check "mode = \"limited\" is said, not dropped" grep -q 'unmapped: network_proxy.mode = "limited"' "$ERR"

# A deniedDomains entry sbxrun cannot spell: refused before anything runs (leaving it out would
# let that host through), in one message naming the key; nothing is made.
printf '{"network": {"allowedDomains": ["github.com"], "deniedDomains": ["*"]}}' >"$FIX/baddeny.json"
own_fix
sbx --import "srt:$FIX/baddeny.json" -- touch "$WS/made-by-bad-import"
expect_rc 125 "srt deniedDomains = [\"*\"] is a policy error"
check "... one line naming the key" sh -c "test \$(wc -l <'$ERR') = 1 && grep -q 'network.deniedDomains\[0\]' '$ERR'"
check "... and nothing ran" test ! -e "$WS/made-by-bad-import"

# The same for a Codex allowlist: a domain verdict that is neither "allow" nor "deny" is refused
# in one line naming the line, and nothing runs.
printf 'default_permissions = "dev"\n[permissions.dev.network.domains]\n"a.org" = "maybe"\n' \
    >"$FIX/codex-bad.toml"
own_fix
sbx --import "codex:$FIX/codex-bad.toml" -- touch "$WS/made-by-bad-codex"
expect_rc 125 "codex: a domain verdict Codex does not know is a policy error"
check "... one line naming the file's line" sh -c "test \$(wc -l <'$ERR') = 1 && grep -q 'codex-bad.toml:3' '$ERR'"
check "... and nothing ran" test ! -e "$WS/made-by-bad-codex"

sbx --import "nope:$FIX/srt.json" -- true
expect_rc 125 "an unknown import kind is a usage error"
sbx --import "codex:$FIX/missing.toml" -- true
expect_rc 125 "a missing import file is a policy error"

# srt: an allowRead inside a denyRead stays hidden (a denied directory is hidden with all it
# holds), and sbxrun says so before the run instead of silently (thirty-ninth review).
mkdir -p "$FIX/home/.vault/pub" && echo PUBLIC >"$FIX/home/.vault/pub/key.pub"
printf '{"filesystem": {"denyRead": ["~/.vault"], "allowRead": ["~/.vault/pub"], "allowWrite": ["."]}}' \
    >"$FIX/nested.json"
own_fix
sbx --import "srt:$FIX/nested.json" -- sh -c 'cat "$HOME/.vault/pub/key.pub"; exit 0'
check "srt: an allowRead inside a denyRead stays hidden, with a warning saying so" \
    sh -c "[ $RC = 0 ] && ! grep -q PUBLIC '$OUT' && grep -q 'lies inside a denied directory and stays hidden' '$ERR'"
rm -rf "$FIX/home/.vault"

rm -f "$WS/src/new" "$WS/src/other" "$WS/src/saved"
check "the workspace is otherwise unchanged" test "$(fingerprint "$WS")" = "$before"
check "no placeholder left in the temp dir" sh -c "! ls -A '$FIX/tmp' | grep -q ."
done_testing
