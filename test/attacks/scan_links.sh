#!/bin/bash
# Links found by the scan of a protected directory (a hook in .git/hooks) that lead, through a
# link in a writable place, to a read-only target: the target cannot change, but the link on
# the way can be retargeted, and the host then runs what the sandbox put there (found by the
# second outside review of the anchor changes). That link must be pinned.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
mkdir -p "$FIX/outside/hooks"
printf '#!/bin/sh\nexit 0\n' >"$FIX/outside/hooks/pre-push"
chmod +x "$FIX/outside/hooks/pre-push"
ln -s "$FIX/outside/hooks" "$FIX/tmp/L"  # in ${tmpdir}: a writable place
ln -s "$FIX/tmp/L/pre-push" "$WS/.git/hooks/pre-push"
own_fix
snapshot_host
attack_errno "the writable link on the way to a hook's target cannot be retargeted" \
    "$(pick "$E_BUSY|$E_RO" 'Permission denied')" \
    "mkdir -p '$FIX/tmp/evil' && printf '#!/bin/sh\necho pwned\n' >'$FIX/tmp/evil/pre-push' && ln -sfn '$FIX/tmp/evil' '$FIX/tmp/L.new' && mv -T '$FIX/tmp/L.new' '$FIX/tmp/L'"
check "the link still leads to the real hooks" test "$(readlink "$FIX/tmp/L")" = "$FIX/outside/hooks"
sbxb --explain
check "--explain shows the link pinned" grep -q "$FIX/tmp/L" "$OUT"
check_host_unchanged "the retargeting"
done_testing
