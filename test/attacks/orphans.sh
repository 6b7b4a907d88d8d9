#!/bin/bash
# Background processes the command leaves behind must not outlive the sandbox: when the
# command exits, sbxrun ends, and nothing of the sandbox may keep running unsupervised.
#
# Under bwrap the pid namespace dies with the command. Under Landlock there is no pid namespace:
# sbxrun is the child subreaper for the run, so the orphans come to it and it kills them.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
marker=$((RANDOM % 9000 + 1000))
no_survivors() {
    for _ in $(seq 20); do pgrep -f "$1" >/dev/null || return 0; sleep 0.1; done
    pgrep -af "$1" | sed 's/^/#   survivor: /'
    return 1
}
rm -f "$FIX/.status"
sbxb --status-file "$FIX/.status" -- sh -c "sleep 73.$marker >/dev/null 2>&1 </dev/null & exit 0"
expect_rc 0 "$BACKEND: the command exits at once"
check "$BACKEND: the status document says exited" \
    test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = exited
check "$BACKEND: its background child did not outlive the sandbox" no_survivors "sleep 73.$marker"
# setsid + double fork: a daemon in its own session
sbxb -- sh -c "setsid sh -c 'sleep 73.$marker &' >/dev/null 2>&1 </dev/null; exit 0"
check "$BACKEND: a daemon in a new session did not outlive the sandbox" no_survivors "sleep 73.$marker"
# The test cleans up what a failing sandbox left: only the sleeps carrying this run's marker.
for pid in $(pgrep -f "^sleep 73\.$marker\$"); do kill "$pid" 2>/dev/null; done
done_testing
