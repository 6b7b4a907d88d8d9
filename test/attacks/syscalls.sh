#!/bin/bash
# The interface table of SECURITY.md, one system call per row (test/attacks/syscalls.table),
# made with raw arguments by syscall_probe inside one sandbox run, on the backend under test.
# Each row's outcome must be one of the table's expected results for this backend; afterwards
# the outside directory, the protected files and their mode, owner, times, xattrs and inode
# flags must be as they were, and the host process must still be alive.
# ATTACK_SYSCALLS_SET=known runs instead the rows tagged with a known, unfixed escape (syscalls_known.sh).
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip_all "script(1) (util-linux) is needed for the tty rows"
SYSPROBE=$(realpath "${ATTACK_SYSCALL_PROBE:?ATTACK_SYSCALL_PROBE must point at syscall_probe}")
TABLE=$(dirname "$0")/syscalls.table
SET=${ATTACK_SYSCALLS_SET:-main}
make_attack_workspace
O=$FIX/outside
mkdir -p "$O/dir" "$O/gone"
echo keep >"$O/keep"
ln -s file.txt "$O/link"
printf '#!/bin/sh\necho pwned >&2\n' >"$WS/.git/hooks/pre-commit"; chmod 644 "$WS/.git/hooks/pre-commit"
own_fix
python3 -c 'import os,sys; [os.setxattr(p, "user.sbxkeep", b"1") for p in sys.argv[1:]]' \
    "$O/file.txt" "$WS/.git/config" 2>/dev/null || diag "no user xattrs on this file system"

# meta_state: what the fingerprint does not see — owner, times, xattrs and inode flags.
meta_state() {
    python3 - "$@" <<'PY'
import os, sys
for top in sys.argv[1:]:
    for root, dirs, files in os.walk(top):
        for n in sorted(dirs + files):
            p = os.path.join(root, n)
            st = os.lstat(p)
            try: xa = sorted(os.listxattr(p, follow_symlinks=False))
            except OSError: xa = ["?"]
            print(p, oct(st.st_mode), st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ctime_ns, xa)
PY
    lsattr -dp "$@" 2>/dev/null
}
# victim_state: what the process-control rows could change in the host process.
victim_state() {
    [ -n "${victim:-}" ] || return 0
    echo "== victim: nice $(ps -o ni= -p "$victim")"
    grep -E '^Cpus_allowed_list' "/proc/$victim/status"
    cat "/proc/$victim/limits"
}
state() { host_state; echo "== meta"; meta_state "$O" "$WS/.git" "$WS/.auxiliary"; victim_state; }

# A process outside, of the same user as the sandbox, to signal, trace and read.
marker=$((RANDOM % 9000 + 1000))
as_runner sleep "62.$marker" &
runner=$!
victim=
for _ in $(seq 50); do victim=$(pgrep -f "^sleep 62.$marker\$") && break; sleep 0.1; done
[ -n "$victim" ] || { echo "Bail out! the process outside did not start"; exit 1; }

# The rows of this set for this backend, arguments substituted: "id row args...".
rows=$FIX/ws/src/rows
: >"$rows"
declare -A EXPECT
# The i386 entry point (int 0x80) exists only where the kernel has IA32 emulation: on a host
# without it (ia32_emulation=0, some VM kernels) the call dies of SIGSEGV outside any sandbox
# (a sanitizer build turns that into its own exit status), so there is nothing for the filter
# to refuse, and the host's own outcome is that refusal, said once here.
int80_host=
out=$("$SYSPROBE" int80-getpid 2>/dev/null); rc=$?
if [ "$rc" != 0 ]; then
    [ $rc -gt 128 ] && int80_host=$(kill -l $((rc - 128)) 2>/dev/null | sed "s/^/SIG/")
    int80_host=${int80_host:-rc$rc}
    diag "this host has no i386 entry point (int 0x80 outside the sandbox: $int80_host): the int80 rows accept that"
fi
while read -r id row args eb el tag; do
    case $id in ''|'#'*) continue ;; esac
    exp=$([ "$BACKEND" = bwrap ] && echo "$eb" || echo "$el")
    case $row in int80-*) [ -n "$int80_host" ] && exp="$exp|$int80_host" ;; esac
    # tag: comma-separated BACKEND[-AS]:ESCAPE, the combinations where the row is a known hole
    known=no
    for t in ${tag//,/ }; do
        case $t in "$BACKEND:"* | "$BACKEND-$SBXRUN_AS:"*) known=yes ;; esac
    done
    if [ "$SET" = known ] && [ $known = no ]; then continue; fi
    if [ "$SET" = main ] && [ $known = yes ]; then continue; fi
    EXPECT[$id]=$exp
    a=${args//@OF/$O/file.txt}; a=${a//@OD/$O/dir}; a=${a//@ON/$O/new}; a=${a//@OL/$O/link}
    a=${a//@OK/$O/keep}; a=${a//@OG/$O/gone}; a=${a//@GC/$WS/.git/config}
    a=${a//@GH/$WS/.git/hooks/pre-commit}; a=${a//@WS/$WS}; a=${a//@PID/$victim}
    a=${a//,/ }; [ "$a" = - ] && a=
    echo "$id $row $a" >>"$rows"
done <"$TABLE"
[ "$SBXRUN_AS" = user ] && chown "$TEST_USER:" "$rows"
BEFORE=$(state)

# One sandbox run makes every call (under script(1), so that fd 0 is a terminal for the tty
# rows); each outcome is the probe's errno name, "ok", or the signal that killed it.
inner='while read -r id row args <&3; do
  out=$('"$SYSPROBE"' "$row" $args 2>/dev/null); rc=$?
  [ $rc -gt 128 ] && out=$(kill -l $((rc - 128)) 2>/dev/null | sed "s/^/SIG/")
  echo "$id ${out:-rc$rc}"
done 3<src/rows >src/results'
(cd "$WS" && as_runner script -qec "$SBXRUN --backend $BACKEND -- sh -c '$inner'" /dev/null) \
    >"$OUT" 2>"$ERR" </dev/null
check "$BACKEND: the sandbox run made the calls" test -s "$WS/src/results" -o ! -s "$rows"
declare -A GOT
while read -r id out; do GOT[$id]=$out; done <"$WS/src/results"
for id in $(cut -d' ' -f1 "$rows"); do
    got=${GOT[$id]:-none}
    exp=${EXPECT[$id]}
    if [[ "|$exp|" == *"|$got|"* ]]; then ok "$BACKEND: $id ($got)"; else
        not_ok "$BACKEND: $id: got $got, expected $exp"
    fi
done

# Every call the probe knows is a row of the table (a call without a row would be untested).
missing=$(comm -23 <("$SYSPROBE" --list | sort) <(grep -v '^#' "$TABLE" | awk 'NF {print $2}' | sort -u))
check "every probe call has a row in syscalls.table${missing:+ (missing: $missing)}" test -z "$missing"
check "the process outside is still alive" kill -0 "$victim"
after=$(state)
kill "$victim" 2>/dev/null; wait "$runner" 2>/dev/null
if [ "$after" = "$BEFORE" ]; then ok "host unchanged: files, mode, owner, times, xattrs, flags, the host process"; else
    not_ok "host unchanged: files, mode, owner, times, xattrs, flags, the host process"
    diff <(echo "$BEFORE") <(echo "$after") | sed 's/^/#   /'
fi
done_testing
