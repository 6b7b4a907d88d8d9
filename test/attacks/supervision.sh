#!/bin/bash
# The run's outcome is the truth, whatever the command does to sbxrun's loop.
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
# A command that keeps sbxrun busy must not postpone its deadline: 64 processes looping on
# chmod kept the Landlock backend's listener readable at every turn, and a 2 s --timeout never
# fired (thirty-fifth review). timeout(1) kills sbxrun (137) if it would hang.
sbx_started=$(date +%s)
(cd "$WS" && as_runner timeout -s KILL 30 "$SBXRUN" --backend "$BACKEND" --timeout 2 \
    --status-file "$FIX/.status" -- "$PROBE" chmod-hog 64 "$WS/src/target") >"$OUT" 2>"$ERR"
RC=$?
expect_rc 124 "$BACKEND: 64 processes keeping sbxrun busy are still stopped at the deadline"
check "$BACKEND: reported as timed_out" test "$(status_field "$FIX/.status" outcome)" = timed_out
diag "$BACKEND: sbxrun ended $(($(date +%s) - sbx_started)) s after it started (--timeout 2)"
check_host_unchanged
done_testing
