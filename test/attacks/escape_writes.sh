#!/bin/bash
# Writes outside the writable roots, by every path a process inside could try.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
ln -s "$FIX/outside" "$WS/src/planted"      # a symlink planted in the workspace, pointing out
own_fix
snapshot_host
O=$FIX/outside

attack "direct write outside" "echo x >>$O/file.txt"
attack "direct create outside" "echo x >$O/new"
attack "through a symlink planted before the run" "echo x >src/planted/new"
attack "through a symlink planted inside the run" "ln -s $O src/mine && echo x >src/mine/new"
attack "through /proc/self/root" "echo x >/proc/self/root$O/new"
attack "through /proc/self/cwd" "cd $O && echo x >/proc/self/cwd/new"
attack "through /proc/self/fd of an outside dir" "exec 5<$O && echo x >/proc/self/fd/5/new"
attack "openat relative to an outside directory fd" "$PROBE openat $O new"
attack "hard link to .git/config, append through it" "$PROBE link-append .git/config src/x"
attack "hard link with ln, append through it" "ln .git/config src/y && echo x >>src/y"
attack "rename of a protected directory" "mv .git src/git-moved"
attack "rename of the directory holding the pinned link's target" "mv .auxiliary x"
attack "rename of a directory between the link and its target" "mv .auxiliary/configuration src/conf"
attack "rename of an outside file into the workspace" "mv $O/file.txt src/"

check_host_unchanged
check "nothing was created outside" test ! -e "$O/new"
done_testing
