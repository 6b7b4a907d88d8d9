#!/bin/bash
# Races: parallel runs in one workspace (the host-side swap is in swap_race.sh).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host

# 8 runs at once, 3 rounds. Each checks from inside, before and after a random pause (while
# the others start and end), that .agents cannot be created and .git/config cannot be written.
inside='for i in 1 2; do
    mkdir .agents 2>/dev/null && exit 3
    echo x 2>/dev/null >.agents && exit 4
    echo x 2>/dev/null >>.git/config && exit 5
    sleep 0.$(( $$ % 5 ))
done; exit 0'
bad=0
for round in 1 2 3; do
    pids=()
    for n in $(seq 8); do
        (cd "$WS" && as_runner "$SBXRUN" --backend "$BACKEND" -- sh -c "$inside") \
            >"$FIX/par.$n.out" 2>&1 &
        pids+=($!)
    done
    for n in $(seq 8); do
        wait "${pids[$((n - 1))]}"; rc=$?
        if [ "$rc" != 0 ]; then
            bad=$((bad + 1)); diag "round $round run $n: exit $rc: $(grep -v "^sbxrun: warning: approximated" "$FIX/par.$n.out" | head -c 600)"
        fi
    done
done
check "$BACKEND: 24 parallel runs each found .agents and .git/config protected throughout" test "$bad" = 0
check "$BACKEND: no .agents placeholder left behind" test ! -e "$WS/.agents" -a ! -L "$WS/.agents"
check "$BACKEND: nothing left in the temp dir" sh -c "! ls -A '$FIX/tmp' | grep -q ."
check_host_unchanged "the parallel runs"

done_testing
