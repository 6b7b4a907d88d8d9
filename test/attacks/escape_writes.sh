#!/bin/bash
# Writes outside the writable roots, by every path a process inside could try.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
ln -s "$FIX/outside" "$WS/src/planted"      # a symlink planted in the workspace, pointing out
own_fix
snapshot_host
O=$FIX/outside

attack_errno "direct write outside" "cannot create .*: $E_RO" "echo x >>$O/file.txt"
attack_errno "direct create outside" "cannot create .*: $E_RO" "echo x >$O/new"
attack_errno "through a symlink planted before the run" "cannot create src/planted/new: $E_RO" "echo x >src/planted/new"
attack_errno "through a symlink planted inside the run" "cannot create src/mine/new: $E_RO" "ln -s $O src/mine && echo x >src/mine/new"
attack_errno "through /proc/self/root" "cannot create /proc/self/root.*: $E_RO" "echo x >/proc/self/root$O/new"
attack_errno "through /proc/self/cwd" "cannot create /proc/self/cwd/new: $E_RO" "cd $O && echo x >/proc/self/cwd/new"
attack_errno "through /proc/self/fd of an outside dir" "cannot create /proc/self/fd/5/new: $E_RO" "exec 5<$O && echo x >/proc/self/fd/5/new"
attack_errno "openat relative to an outside directory fd" "openat for writing refused: $E_RO" "$PROBE openat $O new"
attack_errno "hard link to .git/config, append through it" 'link refused: Invalid cross-device link' "$PROBE link-append .git/config src/x"
attack_errno "hard link with ln, append through it" 'failed to create hard link .*: Invalid cross-device link' "ln .git/config src/y && echo x >>src/y"
attack_errno "rename of a protected directory" "cannot move .\.git. to .*: $E_BUSY" "mv .git src/git-moved"
attack_errno "rename of the directory holding the pinned link's target" "cannot move .\.auxiliary. to .*: $E_BUSY" "mv .auxiliary x"
attack_errno "rename of a directory between the link and its target" "$(pick 'cannot remove .*: Read-only file system' 'cannot move .*: Permission denied')" "mv .auxiliary/configuration src/conf"
attack_errno "rename of an outside file into the workspace" "$(pick 'cannot remove .*: Read-only file system' 'cannot move .*: Permission denied')" "mv $O/file.txt src/"

check_host_unchanged
check "nothing was created outside" test ! -e "$O/new"
done_testing
