#!/bin/bash
# The example harnesses (examples/harness.py, examples/harness.mjs) against the real sbxrun, on
# the seed's layout (.codex -> .auxiliary/configuration/coders/codex in the workspace):
# under symlinks = "escalate" they turn the needs_approval status into a prompt naming the link,
# its target and the suggestion; under the default "pin" the command runs and its exit status is
# passed through; an unavailable backend becomes a message; the host is left as it was.
. "$(dirname "$0")/lib.sh"
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)

# The harnesses run as the sandbox user, so use interpreters that user can reach.
PY=$(command -v /usr/bin/python3 || command -v python3)
[ -n "$PY" ] || skip_all "python3 is not installed"
NODE=$(command -v /usr/bin/node || command -v node || true)

make_workspace
cd "$WS" || exit 1
mkdir -p .auxiliary/configuration/coders/codex
echo 'sandbox_mode = "workspace-write"' >.auxiliary/configuration/coders/codex/config.toml
ln -s .auxiliary/configuration/coders/codex .codex
cd - >/dev/null || exit 1
printf 'version = 1\n[filesystem]\nsymlinks = "escalate"\n' >"$FIX/escalate.toml"
printf 'version = 1\n[backend]\norder = ["bwrap"]\nbwrap = "/nonexistent/bwrap"\n' \
    >"$FIX/nobwrap.toml"
own_fix
before=$(fingerprint "$WS/.auxiliary")
before_link=$(readlink "$WS/.codex")
target=$(cd "$WS/.auxiliary/configuration/coders/codex" && pwd -P)

# harness NAME ARGS...: run one harness as the runner in $WS (like sbx in lib.sh).
harness() {
    local name=$1; shift
    local interp=$PY script=$EXAMPLES/harness.py
    if [ "$name" = node ]; then interp=$NODE; script=$EXAMPLES/harness.mjs; fi
    (cd "$WS" && as_runner env SBXRUN="$SBXRUN" "$interp" "$script" "$@") >"$OUT" 2>"$ERR" </dev/null
    RC=$?
}
stderr_has() { grep -qF -- "$1" "$ERR"; }

for name in python node; do
    if [ "$name" = node ] && [ -z "$NODE" ]; then
        # Node is optional on a build host (not in packaging/build-deps.txt): skip its half
        # with a message, also in CI; it runs wherever node is installed.
        diag "node is not installed: skipping the Node.js harness"
        _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - node harness # SKIP node not installed"
        continue
    fi
    rm -f "$WS/ran"

    harness "$name" --no --policy "$FIX/escalate.toml" -- sh -c 'touch ran; exit 7'
    expect_rc 122 "$name: escalate -> the harness passes 122 on when the user says no"
    check "$name: the prompt says approval is needed" stderr_has "needs your approval"
    check "$name: the prompt names the link" stderr_has "symlink:    $WS/.codex"
    check "$name: the prompt names the target" stderr_has "target:     $target"
    check "$name: the prompt shows the suggestion" \
        stderr_has 'suggestion: set filesystem.symlinks = "pin"'
    check "$name: the prompt offers the policy change" \
        stderr_has 'Run again with filesystem.symlinks = "pin"? [y/N] no'
    check "$name: nothing ran" test ! -e "$WS/ran"

    harness "$name" --policy "$FIX/escalate.toml" -- sh -c 'touch ran; exit 7'
    expect_rc 122 "$name: without a terminal or an answer the harness answers no"
    check "$name: and says why" stderr_has "not interactive"

    harness "$name" --yes --policy "$FIX/escalate.toml" -- sh -c 'touch ran; exit 7'
    expect_rc 7 "$name: approved -> re-run with symlinks = \"pin\", exit status passed through"
    check "$name: the command ran" test -e "$WS/ran"
    rm -f "$WS/ran"

    (export SBXRUN_HARNESS_ANSWER=yes
     harness "$name" --policy "$FIX/escalate.toml" -- sh -c 'exit 4'; exit "$RC")
    RC=$?
    expect_rc 4 "$name: SBXRUN_HARNESS_ANSWER=yes approves too"

    harness "$name" -- sh -c 'cat .codex/config.toml && echo x >>.codex/config.toml; exit 3'
    check "$name: default pin -> runs without a prompt" sh -c "! grep -q 'approval' '$ERR'"
    check "$name: the command's output reaches stdout" grep -q workspace-write "$OUT"
    harness "$name" -- sh -c 'exit 3'
    expect_rc 3 "$name: default pin -> the exit status is passed through"
    harness "$name" -- sh -c 'kill -TERM $$'
    expect_rc 143 "$name: a signal is passed through as 128+N"

    harness "$name" --policy "$FIX/nobwrap.toml" -- true
    expect_rc 121 "$name: unavailable -> 121"
    check "$name: the message says no sandbox can run" stderr_has "no sandbox can run this command"
    check "$name: and names the backend's problem" stderr_has "/nonexistent/bwrap"
done

check "the link on the host is unchanged" test "$(readlink "$WS/.codex")" = "$before_link"
check "the link's target is unchanged" test "$(fingerprint "$WS/.auxiliary")" = "$before"
check "no approved-policy file is left in the temp dir" sh -c "! ls -A '$FIX/tmp' | grep -q ."
done_testing
