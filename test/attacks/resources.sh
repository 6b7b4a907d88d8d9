#!/bin/bash
# Resources: a bounded fork storm and a runaway writer do not take sbxrun down: the status
# document arrives and --timeout kills every process of the sandbox.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host
marker=$((RANDOM % 9000 + 1000))

# no_survivors PATTERN: nothing matching is left running (give the kernel a moment to reap).
no_survivors() {
    for _ in $(seq 20); do pgrep -f "$1" >/dev/null || return 0; sleep 0.1; done
    pgrep -af "$1" | sed 's/^/#   survivor: /'
    return 1
}

# The fork storm. As an unprivileged user the sandbox caps itself with ulimit -u (set by this
# test, inside the sandbox, so the machine is never at risk) and forks until refused. RLIMIT_NPROC
# is not enforced for root (INIT_USER), so as root the storm is a fixed 150 sleeping children instead.
if [ "$SBXRUN_AS" = user ]; then
    # the cap counts every process of the user: leave room for 150 more than it has now
    cap=$(($(ps -u "$TEST_USER" --no-headers | wc -l) + 150))
    # bash, not dash: dash gives up at the first failed fork, bash retries until killed
    storm="exec prlimit --nproc=$cap:$cap bash -c 'while :; do sleep 71.$marker & done' 2>/dev/null"
else
    storm="i=0; while [ \$i -lt 150 ]; do sleep 71.$marker & i=\$((i + 1)); done; wait"
fi
rm -f "$FIX/.status"
start=$(date +%s)
sbxb --timeout 2 --status-file "$FIX/.status" -- sh -c "$storm"
expect_rc 124 "$BACKEND: fork storm ends with --timeout (124)"
check "$BACKEND: fork storm: the status document arrives (timed_out)" \
    test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = timed_out
check "$BACKEND: fork storm: sbxrun ended promptly ($(($(date +%s) - start)) s)" \
    test $(($(date +%s) - start)) -le 15
check "$BACKEND: fork storm: no process of the sandbox survives" no_survivors "sleep 71.$marker"

# The runaway writer: appends until --timeout, its file capped by ulimit -f (10 MiB); each
# writer dies of SIGXFSZ at the cap and the loop starts another.
rm -f "$FIX/.status"
sbxb --timeout 2 --status-file "$FIX/.status" -- \
    sh -c "ulimit -f 10240; while :; do yes writer-$marker >>src/big 2>/dev/null; done; : writer-$marker"
expect_rc 124 "$BACKEND: runaway writer ends with --timeout (124)"
check "$BACKEND: runaway writer: the status document arrives (timed_out)" \
    test "$(status_field "$FIX/.status" outcome 2>/dev/null)" = timed_out
check "$BACKEND: runaway writer: no process of the sandbox survives" no_survivors "writer-$marker"
check "$BACKEND: runaway writer: the file stayed within its cap" \
    test "$(stat -c %s "$WS/src/big")" -le $((10240 * 1024))
rm -f "$WS/src/big"
check_host_unchanged
done_testing
