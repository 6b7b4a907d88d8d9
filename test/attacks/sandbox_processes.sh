#!/bin/bash
# The processes the command can see that are not its own. Under bwrap its own init was one:
# same uid, dumpable, no seccomp filter, so the third outside review wrote code into it through
# /proc/1/mem and made the system calls the filter refuses (a unix socket with network none).
# Now sbxrun-inner is the namespace's init (bwrap --as-pid-1): not dumpable, and as init it
# ignores what the command sends it. Under Landlock the command's parent is sbxrun itself.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
snapshot_host

# The process a command could take over: pid 1 under bwrap, its parent (sbxrun) under Landlock.
target=$(pick 1 '$PPID')
mem_open="python3 -c 'import os,sys; os.open(\"/proc/%s/mem\" % sys.argv[1], os.O_RDWR)' $target"
attack_errno "the memory of process $target cannot be opened for writing" \
    'Permission denied|Operation not permitted' "$mem_open"
attack_errno "nor its descriptors reopened" 'Permission denied|Operation not permitted' \
    "cat /proc/$target/fd/0 </dev/null"
if [ "$BACKEND" = bwrap ]; then
    sbxb -- sh -c 'ps -o pid=,ppid= -p 1 | tr -s " "; echo "parent=$PPID"'
    check "bwrap: the command's parent is the namespace's init" grep -qx 'parent=1' "$OUT"
    # kill -9 1 from inside: init is immune, so the run goes on and ends with the command's
    # own status (the review killed sbxrun-inner as pid 2, and the run said "killed").
    sbxb -- sh -c 'kill -KILL 1; kill -STOP 1; sleep 0.2; echo alive; exit 7'
    expect_rc 7 "bwrap: SIGKILL and SIGSTOP the command sends its init change nothing (exit 7)"
    check "bwrap: the command went on after killing its init" grep -qx alive "$OUT"
fi
check_host_unchanged "the attempts on other processes"
done_testing
