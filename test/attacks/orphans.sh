#!/bin/bash
# Background processes the command leaves behind must not outlive the sandbox: when the
# command exits, sbxrun ends, and nothing of the sandbox may keep running unsupervised.
#
# Under bwrap the pid namespace dies with the command. Under Landlock there is no pid namespace:
# sbxrun is the child subreaper for the run, so the orphans come to it and it kills them.
. "$(dirname "$0")/lib.sh"
# Only this script's runs count: a leftover of some earlier SIGKILLed sbxrun (documented as
# what remains then) is listed when the script starts and not held against it.
stale_cgroups() {
    local d pid
    while IFS= read -r d; do
        pid=${d##*/sbxrun-}; pid=${pid%%-*}
        # Not the leftovers the landlock-root run of this script fakes (near pid_max, or with a
        # leading zero) while another run of it may be looking.
        case $pid in 0* | 419????*) continue ;; esac
        [ -d "/proc/$pid" ] || echo "$d"
    done < <(find /sys/fs/cgroup -maxdepth 6 -type d -name 'sbxrun-*' 2>/dev/null) | LC_ALL=C sort
}
make_attack_workspace
STALE_BEFORE=$(stale_cgroups 2>/dev/null)
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

# Orphans that exit while the command still runs are reaped at once, not kept as zombies until
# it ends: each holds a host pid, and a fork chain once filled the host's pid space that way
# (the parallel tests' bwrap then failed with EAGAIN). 300 orphans, then count the zombies whose
# parent is the command's parent (sbxrun-inner under bwrap, sbxrun under Landlock).
sbxb -- sh -c 'for i in $(seq 300); do sh -c "true &"; done; sleep 0.3; n=0
    for s in /proc/[0-9]*/status; do
        grep -q "^State:.*Z" "$s" 2>/dev/null && grep -q "^PPid:.$PPID\$" "$s" 2>/dev/null && n=$((n + 1))
    done; echo "zombies=$n"'
check "$BACKEND: 300 orphans that exited during the run were reaped at once ($(cat "$OUT"))" \
    grep -Eq '^zombies=[0-5]$' "$OUT"

# Fork chains that outran the orphan scan (issue 11, escape 5): each generation writes its
# marker into the workspace, forks the next one and exits, as fast as it can. After sbxrun
# has returned, nothing carrying the marker may be alive and the marker file must stop changing.
# deep: 200 nested living processes, the deepest writing: the old scan ended one level a round.
# attack_probe fork-chain (C++: a shell or python chain forks slowly enough to be caught by a
# plain /proc scan); its mark file's name carries the marker, so pgrep finds every generation.
# settled FILE: nothing carrying the marker is alive and FILE stops changing (bounded wait).
settled() {
    local before after
    for _ in $(seq 50); do
        if ! pgrep -f "marks-$marker" >/dev/null; then
            before=$(stat -c %s "$1" 2>/dev/null)
            sleep 0.3
            after=$(stat -c %s "$1" 2>/dev/null)
            [ "$before" = "$after" ] && ! pgrep -f "marks-$marker" >/dev/null && return 0
        fi
        sleep 0.1
    done
    diag "still alive: $(pgrep -f "marks-$marker" | wc -l) processes; $1 grows"
    return 1
}
for variant in chain wide daemon deep; do
    mark=$WS/src/marks-$marker-$variant  # src/: Landlock refuses new top-level entries here
    # The command lets the chain run a while before it exits (a bounded wait for its marker).
    sbxb -- sh -c "'$PROBE' fork-chain '$mark' $variant; for i in \$(seq 300); do [ -s '$mark' ] && break; sleep 0.05; done; sleep 0.3; exit 0"
    expect_rc 0 "$BACKEND: the command starting a fork $variant exits"
    [ -s "$mark" ] || sed "s/^/#   /" "$ERR" | head -5
    check "$BACKEND: the fork $variant ran inside the sandbox" test -s "$mark"
    check "$BACKEND: no process of the fork $variant outlives sbxrun, its marker stops changing" \
        settled "$mark"
    for pid in $(pgrep -f "marks-$marker"); do kill -9 "$pid" 2>/dev/null; done
done
# bwrap: also when sbxrun itself is SIGKILLed (--die-with-parent, then the pid namespace).
# Under Landlock only the command dies with it (PR_SET_PDEATHSIG): see SECURITY.md.
if [ "$BACKEND" = bwrap ]; then
    mark=$WS/src/marks-$marker-killed
    (cd "$WS" && as_runner "$SBXRUN" -q --backend bwrap -- sh -c \
        "'$PROBE' fork-chain '$mark' deep; '$PROBE' fork-chain '$mark' chain; sleep 60") \
        >/dev/null 2>&1 &
    for _ in $(seq 300); do [ -s "$mark" ] && break; sleep 0.05; done
    victim=$(pgrep -f "^$SBXRUN .*marks-$marker-killed" | head -1)
    check "bwrap: the run to be killed started" test -n "$victim"
    [ -n "$victim" ] && kill -9 "$victim"
    wait
    check "bwrap: nothing outlives a SIGKILLed sbxrun, the marker stops changing" settled "$mark"
    for pid in $(pgrep -f "marks-$marker"); do kill -9 "$pid" 2>/dev/null; done
fi
# --doctor says which of the two mechanisms (inner/teardown.hpp) a run gets here, for this user.
sbx --doctor
check "$BACKEND: --doctor names how the processes of a Landlock run are ended" \
    grep -Eq '^  processes of a run are ended by: (cgroup\.kill|SIGSTOP then SIGKILL)' "$OUT"
# No cgroup of a run is left behind (as root a run gets one below sbxrun's own, named
# sbxrun-PID): one whose sbxrun is gone is a leftover; tests running in parallel have live ones.
no_stale_cgroups() {
    local new
    new=$(LC_ALL=C comm -13 <(echo "$STALE_BEFORE") <(stale_cgroups) | sed '/^$/d')
    [ -z "$new" ] || { printf '%s\n' "$new" | sed 's/^/#   left behind: /'; return 1; }
}
check "$BACKEND: no sbxrun cgroup is left behind" no_stale_cgroups
# One left by an sbxrun that was SIGKILLed (its pid gone, the directory empty and older than a
# minute) is removed by the next run that makes its own there (twenty-ninth review: 37 here).
if [ "$BACKEND" = landlock ] && [ "$SBXRUN_AS" = root ] &&
    base=$(findmnt -n -t cgroup2 -o TARGET | head -1) && [ -n "$base" ]; then
    own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
    dead=4194303  # near pid_max: stale_cgroups above leaves 419xxxx names to this part
    while [ -d "/proc/$dead" ]; do dead=$((dead - 1)); done
    left="$base${own%/}/sbxrun-$dead"
    if mkdir "$left" 2>/dev/null && touch -d @1 "$left" 2>/dev/null; then
        sbxb -- true
        check "$BACKEND: a dead sbxrun's empty cgroup is removed by the next run" test ! -d "$left"
        rmdir "$left" 2>/dev/null
        # Not a name sbxrun never makes (a leading zero), nor another user's (thirtieth review).
        odd="$base${own%/}/sbxrun-0$dead"
        theirs="$base${own%/}/sbxrun-$((dead - 1))"
        while [ -d "/proc/$((dead - 1))" ]; do dead=$((dead - 1)); theirs="$base${own%/}/sbxrun-$((dead - 1))"; done
        if mkdir "$odd" "$theirs" 2>/dev/null && chown "$TEST_USER" "$theirs" &&
            touch -d @1 "$odd" "$theirs"; then
            sbxb -- true
            check "$BACKEND: ... but not an odd name nor another user's" test -d "$odd" -a -d "$theirs"
        fi
        rmdir "$odd" "$theirs" 2>/dev/null
    else
        rmdir "$left" 2>/dev/null
        diag "no cgroup could be made beside sbxrun's own here: the leftover case is not run"
    fi
fi
# The test cleans up what a failing sandbox left: only the sleeps carrying this run's marker.
for pid in $(pgrep -f "^sleep 73\.$marker\$"); do kill "$pid" 2>/dev/null; done
done_testing
