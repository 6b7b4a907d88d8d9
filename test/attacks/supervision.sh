#!/bin/bash
# The command cannot end its own run as someone else: killing its own processes while sbxrun
# (Landlock) or sbxrun-inner (bwrap) is answering one of their calls must not end the run, nor
# be reported as a timeout. With the allowlist proxy in sbxrun's loop, a notification that
# vanished between the wait and the poll (its caller killed) was taken for the deadline: the
# run was killed as "timed_out" within milliseconds of a 60 s --timeout (thirty-fourth review).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host
printf 'version = 1\n[network]\nmode = "allowlist"\nallow = ["example.com"]\n' >"$FIX/allow.toml"
: >"$WS/src/target"
own_fix
for round in 1 2 3; do
    sbxb --policy "$FIX/allow.toml" --timeout 60 --status-file "$FIX/.status" -- \
        "$PROBE" kill-mediated 300 "$WS/src/target"
    expect_rc 0 "$BACKEND, round $round: 300 children killed mid-chmod, the run goes on"
    check "$BACKEND, round $round: the outcome is the command's exit" \
        test "$(status_field "$FIX/.status" outcome)" = exited
done
check_host_unchanged
done_testing
