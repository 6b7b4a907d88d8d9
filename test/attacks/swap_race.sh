#!/bin/bash
# Race: a host-side swap of a workspace component for a symlink while sbxrun resolves and mounts.
#
# On bwrap this used to leave a .git/config writable about one run in a hundred: bwrap mounts
# each checked fd at a destination *path*, which the host can swap between planning and
# mounting. sbxrun-inner now verifies every mount before the command starts (the path resolves
# without symlinks to the checked inode, is a mount root, ro/rw as planned) and refuses the run
# otherwise; ~550 raced runs as root found no writable .git/config since.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host
# The swap: proj (the workspace) and proj.swap (a symlink to decoy, a tree outside the
# writable roots with its own .git) are exchanged by renameat2(RENAME_EXCHANGE) on the host
# while sbxrun runs again and again. Whichever tree a run resolved as its workspace, its .git is
# protected and the other tree is outside the writable roots: so no .git/config is ever
# writable. Each run must refuse cleanly (121/122/125 with a message) or keep both protected.
# Never a crash, never a write to a .git.
R=$FIX/race
mkdir -p "$R/proj/.git" "$R/proj/src" "$R/decoy/.git" "$R/decoy/src"
echo "[core]" >"$R/proj/.git/config"; echo "[decoy]" >"$R/decoy/.git/config"
ln -s decoy "$R/proj.swap"
own_fix
race_state() { fingerprint "$R/proj/.git"; fingerprint "$R/decoy/.git"; }
race_before=$(race_state)
as_runner "$PROBE" exchange-loop "$R/proj" "$R/proj.swap" 6 >"$FIX/swaps" 2>&1 &
racer=$!
inside="for f in .git/config $R/proj/.git/config $R/decoy/.git/config $R/proj.swap/.git/config; do
    echo x 2>/dev/null >>\$f && { echo wrote \$f; exit 9; }; done; exit 0"
runs=0 refused=0 bad=0
end=$((SECONDS + 5))
while [ $SECONDS -lt $end ]; do
    (as_runner "$SBXRUN" --backend "$BACKEND" --workspace "$R/proj" -C "$R/proj" -- sh -c "$inside") \
        >"$FIX/race.out" 2>&1
    rc=$?; runs=$((runs + 1))
    case $rc in
        0) ;;
        121|122|125)
            if grep -q '^sbxrun:' "$FIX/race.out"; then refused=$((refused + 1)); else
                bad=$((bad + 1)); diag "exit $rc without a message"; fi ;;
        *) bad=$((bad + 1)); diag "exit $rc: $(head -c 300 "$FIX/race.out" | tr '\n' ' ')" ;;
    esac
done
wait "$racer"
diag "$runs runs, $refused refused, $(cat "$FIX/swaps") swaps"
check "$BACKEND: under the swap every run refused cleanly or kept everything protected" test "$bad" = 0
race_after=$(race_state)
check "$BACKEND: under the swap neither .git changed" test "$race_after" = "$race_before"
[ "$race_after" = "$race_before" ] || diff <(echo "$race_before") <(echo "$race_after") | sed 's/^/#   /' 
check_host_unchanged
done_testing
