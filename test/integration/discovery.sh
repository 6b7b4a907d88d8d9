#!/bin/bash
# Policy discovery ($SBXRUN_POLICY, <workspace>/.sbxrun.toml, $XDG_CONFIG_HOME/sbxrun/policy.toml,
# then the built-in default), --check, and the policy files' own protection: a command must not
# be able to rewrite or create the policy that the next run will read. A workspace policy
# applies only once trusted (--trust-policy): until then, and after any change, runs stop with
# 122; the trust store is read-only inside the sandbox, even when a writable root holds it.
. "$(dirname "$0")/lib.sh"
make_workspace
echo secret >"$WS/secret.txt"
mkdir -p "$FIX/xdg/sbxrun"
printf 'version = 1\n[filesystem]\ndeny = ["${workspace}/secret.txt"]\n' >"$FIX/deny.toml"
# A policy that makes $HOME writable, to show the trust store stays read-only even then.
printf 'version = 1\n[filesystem]\nwrite = ["${workspace}", "${tmpdir}", "${home}"]\n' >"$FIX/homew.toml"
own_fix

sbx -- cat secret.txt
expect_rc 0 "built-in default: the file is readable"

(cd "$WS" && as_runner env SBXRUN_POLICY="$FIX/deny.toml" "$SBXRUN" -- cat secret.txt) >"$OUT" 2>"$ERR"; RC=$?
expect_denied "\$SBXRUN_POLICY is used"

cp "$FIX/deny.toml" "$FIX/xdg/sbxrun/policy.toml"; own_fix
(cd "$WS" && as_runner env XDG_CONFIG_HOME="$FIX/xdg" "$SBXRUN" -- cat secret.txt) >"$OUT" 2>"$ERR"; RC=$?
expect_denied "\$XDG_CONFIG_HOME/sbxrun/policy.toml is used"
rm "$FIX/xdg/sbxrun/policy.toml"

STORE=$FIX/home/.config/sbxrun/trusted
STATUS=$FIX/status.json
# Tenth outside review: a FIFO planted as .sbxrun.toml hung every later sbxrun there.
mkfifo "$WS/.sbxrun.toml"; own_fix
(cd "$WS" && as_runner timeout 20 "$SBXRUN" -- touch ran) >"$OUT" 2>"$ERR"; RC=$?
expect_rc 125 "a FIFO as <workspace>/.sbxrun.toml is refused at once (125), not waited on"
check "... saying it is not a regular file" grep -q "is not a regular file" "$ERR"
check "... and nothing ran" test ! -e "$WS/ran"
rm -f "$WS/.sbxrun.toml"
cp "$FIX/deny.toml" "$WS/.sbxrun.toml"; own_fix
# Untrusted: nothing runs, the user is told what to review and which command approves it.
sbx --status-file "$STATUS" -- touch ran
expect_rc 122 "an untrusted <workspace>/.sbxrun.toml stops the run with 122"
check "nothing ran" test ! -e "$WS/ran"
check "the message names the file and says it is not trusted" \
    grep -qF "$WS/.sbxrun.toml is not trusted (new, or changed since it was trusted)" "$ERR"
check "the message gives the command that trusts it" \
    grep -qF "sbxrun --trust-policy $WS/.sbxrun.toml" "$ERR"
check "the status document says needs_approval" \
    test "$(status_field "$STATUS" outcome)" = needs_approval
check "the status document suggests --trust-policy" \
    grep -qF "sbxrun --trust-policy $WS/.sbxrun.toml" <<<"$(status_field "$STATUS" suggestion)"
for action in --check --explain --print-policy; do
    sbx "$action"
    expect_rc 122 "$action refuses the untrusted workspace policy too"
done
sbx --policy "$FIX/deny.toml" -- cat secret.txt
expect_denied "--policy skips discovery: an untrusted .sbxrun.toml does not matter"

sbx --trust-policy
expect_rc 0 "--trust-policy trusts <workspace>/.sbxrun.toml"
check "--trust-policy says what it trusted" grep -qF "trusted $WS/.sbxrun.toml" "$ERR"
check "the trusted copy is byte-exact" cmp -s "$WS/.sbxrun.toml" "$STORE/$(sed 's|/|%2F|g' <<<"$WS")%2F.sbxrun.toml"
check "the trust store is private (0700)" test "$(stat -c %a "$STORE")" = 700
check "the trusted copy is private (0600)" test "$(stat -c %a "$STORE"/*)" = 600
sbx -- cat secret.txt
expect_denied "<workspace>/.sbxrun.toml is used once trusted"
sbx --check
expect_rc 0 "--check accepts the trusted workspace policy and runs nothing"
before=$(fingerprint "$WS")
for attempt in 'echo "[network]" >>.sbxrun.toml' 'rm .sbxrun.toml' 'mv .sbxrun.toml x' \
               'printf "version = 1\n" >.sbxrun.toml'; do
    sbx -- sh -c "$attempt"
    expect_denied "the workspace policy file: '$attempt' fails"
done
check "the workspace policy file is unchanged" test "$(fingerprint "$WS")" = "$before"
store_before=$(fingerprint "$STORE")
for backend in bwrap landlock; do
    for attempt in "echo x >'$STORE/new'" "rm -f '$STORE'/*" "mv '$STORE' '$STORE.old'"; do
        sbx --backend "$backend" --policy "$FIX/homew.toml" -- sh -c "$attempt"
        expect_denied "$backend: the trust store, in a writable root: '$attempt' fails"
    done
done
check "the trust store is unchanged" test "$(fingerprint "$STORE")" = "$store_before"

# Edited after it was trusted (by the user, an update of the repository...): refused again.
echo '# edited' >>"$WS/.sbxrun.toml"
sbx -- cat secret.txt
expect_rc 122 "a workspace policy changed since it was trusted stops the run with 122"
sbx --trust-policy "$WS/.sbxrun.toml"
expect_rc 0 "--trust-policy PATH trusts the new content"
sbx -- cat secret.txt
expect_denied "the re-trusted workspace policy is used"

# A command that creates a .sbxrun.toml (none was there, so none was protected) does not decide
# the next run's policy: the next run stops with 122 instead of applying it.
rm "$WS/.sbxrun.toml"
sbx -- sh -c 'printf "version = 1\n[filesystem]\nwrite = [\"/\"]\n[network]\nmode = \"full\"\n" >.sbxrun.toml'
expect_rc 0 "a command can create a missing .sbxrun.toml"
sbx -- touch "$FIX/outside/escaped"
expect_rc 122 "the next run refuses the policy the sandbox wrote"
check "nothing escaped" test ! -e "$FIX/outside/escaped"
rm "$WS/.sbxrun.toml"

# With no trust store yet and a writable root that holds it (a workspace = $HOME setup), the
# command cannot create one with a "trusted" copy of the policy it writes.
HOME2=$FIX/home2
mkdir -p "$HOME2"; own_fix
forge="mkdir -p '$HOME2/.config/sbxrun/trusted' &&
  printf 'version = 1\n' >.sbxrun.toml &&
  cp .sbxrun.toml '$HOME2/.config/sbxrun/trusted/$(sed 's|/|%2F|g' <<<"$WS")%2F.sbxrun.toml'"
(cd "$WS" && as_runner env HOME="$HOME2" "$SBXRUN" --policy "$FIX/homew.toml" -- sh -c "$forge") \
    >"$OUT" 2>"$ERR"; RC=$?
expect_denied "a command cannot create the missing trust store in a writable root"
(cd "$WS" && as_runner env HOME="$HOME2" "$SBXRUN" -- true) >"$OUT" 2>"$ERR"; RC=$?
expect_rc 122 "the policy that command wrote is not trusted"
rm -f "$WS/.sbxrun.toml"

# An invalid policy is not trusted: 125 with the usual message, nothing stored.
mkdir -p "$FIX/ws2"
printf 'version = 1\n[filesystem]\nsymlinks = "sometimes"\n' >"$FIX/ws2/.sbxrun.toml"; own_fix
(cd "$FIX/ws2" && as_runner "$SBXRUN" --trust-policy) >"$OUT" 2>"$ERR"; RC=$?
expect_rc 125 "--trust-policy refuses an invalid policy with 125"
check "--trust-policy names the line and key" grep -q ".sbxrun.toml:3: filesystem.symlinks" "$ERR"
check "nothing is stored for it" sh -c "! ls -A '$STORE' | grep -q ws2"
sbx --trust-policy "$FIX/deny.toml"
expect_rc 125 "--trust-policy takes only a file named .sbxrun.toml"

printf 'version = 1\n[filesystem]\nsymlinks = "sometimes"\n' >"$FIX/bad.toml"; own_fix
sbx --check --policy "$FIX/bad.toml"
expect_rc 125 "--check reports an invalid policy with 125"
check "--check names the line and key" grep -q "bad.toml:3: filesystem.symlinks" "$ERR"

# A missing $HOME is not sbxrun's to create: neither the bwrap feature cache nor the trust store
# makes more than its last two levels (found by the fourth outside review: root left
# /nonexistent/.cache/sbxrun behind).
own_fix
(cd "$WS" && as_runner env HOME="$FIX/gone/home" "$SBXRUN" -- true) >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "a run with a missing \$HOME still runs"
check "and creates no \$HOME" test ! -e "$FIX/gone"
mkdir -p "$FIX/ws3"; printf 'version = 1\n' >"$FIX/ws3/.sbxrun.toml"; own_fix
(cd "$FIX/ws3" && as_runner env HOME="$FIX/gone/home" "$SBXRUN" --trust-policy) >"$OUT" 2>"$ERR"; RC=$?
expect_rc 125 "--trust-policy with a missing \$HOME is refused"
check "and creates no \$HOME either" test ! -e "$FIX/gone"

done_testing
