#!/bin/bash
# Policy discovery ($SBXRUN_POLICY, <workspace>/.sbxrun.toml, $XDG_CONFIG_HOME/sbxrun/policy.toml,
# then the built-in default), --check, and the policy files' own protection: a command must not
# be able to rewrite or create the policy that the next run will read.
. "$(dirname "$0")/lib.sh"
make_workspace
echo secret >"$WS/secret.txt"
mkdir -p "$FIX/xdg/sbxrun"
printf 'version = 1\n[filesystem]\ndeny = ["${workspace}/secret.txt"]\n' >"$FIX/deny.toml"
own_fix

sbx -- cat secret.txt
expect_rc 0 "built-in default: the file is readable"

(cd "$WS" && as_runner env SBXRUN_POLICY="$FIX/deny.toml" "$SBXRUN" -- cat secret.txt) >"$OUT" 2>"$ERR"; RC=$?
expect_denied "\$SBXRUN_POLICY is used"

cp "$FIX/deny.toml" "$FIX/xdg/sbxrun/policy.toml"; own_fix
(cd "$WS" && as_runner env XDG_CONFIG_HOME="$FIX/xdg" "$SBXRUN" -- cat secret.txt) >"$OUT" 2>"$ERR"; RC=$?
expect_denied "\$XDG_CONFIG_HOME/sbxrun/policy.toml is used"
rm "$FIX/xdg/sbxrun/policy.toml"

cp "$FIX/deny.toml" "$WS/.sbxrun.toml"; own_fix
sbx -- cat secret.txt
expect_denied "<workspace>/.sbxrun.toml is used"
sbx --check
expect_rc 0 "--check accepts the workspace policy and runs nothing"
before=$(fingerprint "$WS")
for attempt in 'echo "[network]" >>.sbxrun.toml' 'rm .sbxrun.toml' 'mv .sbxrun.toml x' \
               'printf "version = 1\n" >.sbxrun.toml'; do
    sbx -- sh -c "$attempt"
    expect_denied "the workspace policy file: '$attempt' fails"
done
check "the workspace policy file is unchanged" test "$(fingerprint "$WS")" = "$before"

printf 'version = 1\n[filesystem]\nsymlinks = "sometimes"\n' >"$FIX/bad.toml"; own_fix
sbx --check --policy "$FIX/bad.toml"
expect_rc 125 "--check reports an invalid policy with 125"
check "--check names the line and key" grep -q "bad.toml:3: filesystem.symlinks" "$ERR"

done_testing
