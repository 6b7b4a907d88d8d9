#!/bin/bash
# A forged placeholder mark. Landlock does not govern setxattr, so a command under it can put
# user.sbxrun.placeholder on an empty file its user may write, even a read-only protected one
# (here the user's own empty .agents). A later bwrap run, which stands placeholders in for
# missing protected names and removes them at its end, took that file for a crashed run's
# leftover and deleted it. The forging run is always landlock (under bwrap the read-only mount
# refuses setxattr: checked in the bwrap variant), the run that must not delete is bwrap;
# the backend under test also runs in between.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
: >"$WS/.agents"  # the user's own empty file at a protected name
own_fix
snapshot_host

forge='import os; os.setxattr(".agents", "user.sbxrun.placeholder", b"sbxrun-placeholder-v1")'
if [ "$BACKEND" = bwrap ]; then
    sbxb -- python3 -c "$forge"
    expect_denied "bwrap: setxattr on the protected .agents is refused"
fi
# Landlock cannot refuse it; what matters is that the mark buys nothing.
sbx --backend landlock -- python3 -c "$forge"
diag "landlock: forging the mark exited $RC"
sbxb -- true
expect_rc 0 "$BACKEND: a run after the forgery works"
sbx --backend bwrap -- true
expect_rc 0 "bwrap: a run after the forgery works"
check "the forged placeholder (the user's .agents) is still there" test -f "$WS/.agents"
# The mark itself is metadata fingerprint does not see: only the file's presence is asserted.
check_host_unchanged "the forged mark and later runs"
done_testing
