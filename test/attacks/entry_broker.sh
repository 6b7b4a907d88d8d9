#!/bin/bash
# The entry calls sbxrun performs for the command under Landlock (run/entry_notify.hpp): every
# way of making, replacing or moving a protected name through them, and races on the path it
# resolves. Run on both backends (under bwrap the same attacks meet the mounts and placeholders).
. "$(dirname "$0")/lib.sh"
make_attack_workspace
mkdir -p "$WS/src"
own_fix
snapshot_host
DENY='Permission denied|Read-only file system|File exists|Device or resource busy|Operation not permitted|Invalid cross-device link|Not a directory|Is a directory|Directory not empty|cannot overwrite'

attack_errno "rename a new directory onto the missing .agents" "$DENY" "mkdir x && mv -T x .agents"
attack_errno "rename a new file onto the missing .agents" "$DENY" "echo x >x && mv -T x .agents"
attack_errno "create .agents through a symlinked parent" "$DENY" "ln -s . self && mkdir self/.agents"
attack_errno "create .agents through a dot path" "$DENY" "mkdir src/../.agents"
attack_errno "create a file in .git through a symlink to it" "$DENY" "ln -s .git g && echo x >g/planted"
attack_errno "create a hook through a dangling symlink" "$DENY" "ln -s .git/hooks/pre-commit lnk && printf '#!/bin/sh\necho pwned\n' >lnk"
attack_errno "hard-link .git/config to the root" "$DENY" "ln .git/config hl"
attack_errno "hard-link .git/config into a writable directory" "$DENY" "ln .git/config src/hl"
# Hard links, which sbxrun-inner makes for the command under bwrap where either side is at the
# top of a writable root (or beneath a directory made there during the run).
attack_errno "hard-link .git/config into a new top-level directory" "$DENY" "mkdir nd && ln .git/config nd/hl"
attack_errno "hard-link a file to the missing .agents" "$DENY" "echo x >hf && ln hf .agents"
attack_errno "hard-link a file to .AGENTS (another case)" "$DENY" "echo x >hf2 && ln hf2 .AGENTS"
attack_errno "ln -L through a symlink to .git/config" "$DENY" "ln -s .git/config sl && ln -L sl hl2"
attack_errno "ln -L through a symlink to .git/config, into a new directory" "$DENY" "ln -s ../.git/config src/sl && mkdir nd2 && ln -L src/sl nd2/hl"
attack_errno "ln -L through the descriptor of an open .git/config" "$DENY" "exec 3<.git/config && ln -L /proc/self/fd/3 hl3"
attack_errno "ln -L through /proc/self/cwd to .git/config" "$DENY" "ln -s /proc/self/cwd/.git/config pc && ln -L pc hl4"
# A race: the old name swaps between a plain file and a symlink to .git/config while hard links
# of it are made at the top (followed and not): none may be .git/config's inode.
sbxb -- sh -c '
echo x >plain
( i=0; while [ $i -lt 300 ]; do ln -sfn .git/config sw 2>/dev/null; cp plain sw.t 2>/dev/null
    mv -f sw.t sw 2>/dev/null; i=$((i+1)); done ) &
i=0; while [ $i -lt 300 ]; do ln -L sw "a$i" 2>/dev/null; ln -P sw "b$i" 2>/dev/null; i=$((i+1)); done
wait; exit 0'
expect_rc 0 "$BACKEND: the hard-link swap race ran"
check "$BACKEND: .git/config has one name after the race" test "$(stat -c %h "$WS/.git/config")" = 1
check "$BACKEND: no name in the workspace is .git/config's inode" sh -c "! find '$WS' -xdev -inum $(stat -c %i "$WS/.git/config") -not -path '$WS/.git/*' | grep -q ."
attack_errno "rename a new directory over .git" "$DENY" "mkdir y && mv -T y .git"
attack_errno "remove the pinned .codex link" "$DENY" "rm .codex"
attack_errno "rename the link's target directory away" "$DENY" "mv .auxiliary/configuration src/conf"
attack_errno "RENAME_EXCHANGE a new directory with .git" "$DENY" "mkdir z && python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(316, -100, b\"z\", -100, b\".git\", 2) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))'"
attack_errno "RENAME_EXCHANGE a new file with .codex" "$DENY" "echo x >zz && python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(316, -100, b\"zz\", -100, b\".codex\", 2) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))'"
attack_errno "openat2 with O_CREAT makes a set-uid file (openat2 is ENOSYS: its mode is in memory)" "Function not implemented" "python3 -c '
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
how = ctypes.create_string_buffer(struct.pack(\"QQQ\", os.O_CREAT | os.O_WRONLY, 0o4755, 0), 24)
if libc.syscall(437, -100, b\"src/suid\", how, 24) < 0:
    sys.exit(os.strerror(ctypes.get_errno()))'"
check "$BACKEND: no set-uid file was left" sh -c "! find '$WS' -perm -4000 | grep -q ."
if [ "$BACKEND" = landlock ]; then
    # Names are compared without case: a case-folding directory would hand .AGENTS to a host
    # program that opens .agents.
    attack_errno "create .AGENTS (another case)" "$DENY" "mkdir .AGENTS"
fi

# Races: one process swaps a directory between a real one and a symlink to .git/hooks while
# another creates, renames and writes through it. Whatever sbxrun resolved, .git must not change.
sbxb -- sh -c '
mkdir -p real
( i=0; while [ $i -lt 400 ]; do
    mv -T real held 2>/dev/null; ln -sfn .git/hooks real 2>/dev/null; rm -f real 2>/dev/null
    mv -T held real 2>/dev/null; i=$((i+1)); done ) &
i=0; while [ $i -lt 400 ]; do
    echo pwned >real/pre-commit 2>/dev/null; mkdir real/d 2>/dev/null; ln -s x real/l 2>/dev/null
    touch real/t 2>/dev/null && mv real/t real/pre-push 2>/dev/null; i=$((i+1)); done
wait; exit 0'
expect_rc 0 "$BACKEND: the swap race ran"
check "$BACKEND: .git/hooks is unchanged after the race" test -z "$(ls -A "$WS/.git/hooks")"
check_host_unchanged
done_testing
