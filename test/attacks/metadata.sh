#!/bin/bash
# Metadata changes (issue 11, escapes 2 and 3): chmod, chown, utimes, xattrs and chattr, each
# system call and each variant (path, fd, dirfd, l*/AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH), made
# directly by attack_probe against files outside the writable roots and protected paths inside
# the workspace. Landlock has no right for these calls: sbxrun mediates them and refuses with
# EPERM; under bwrap sbxrun-inner performs them and the read-only binds refuse with EROFS.
# chattr's ioctls are refused with EPERM on both. In the workspace the others must work.
. "$(dirname "$0")/lib.sh"
make_attack_workspace
# A disabled hook (not executable): making it executable runs it at the host's next commit.
printf '#!/bin/sh\necho pwned >"$0.ran"\n' >"$WS/.git/hooks/pre-commit"
chmod 644 "$WS/.git/hooks/pre-commit"
ln -s "$FIX/outside/file.txt" "$WS/src/outside-link"
echo 'int main(void) { return 0; }' >"$WS/src/race-target"
own_fix
# As root, a root-owned program outside the workspace: mode 4755 on it is host root for anyone.
if [ "$SBXRUN_AS" = root ]; then
    cp /usr/bin/id "$FIX/outside/id-copy"
    chmod 755 "$FIX/outside/id-copy"
fi
snapshot_host

case $BACKEND in
    landlock) WANT=EPERM ;;
    *) WANT=EROFS ;;
esac
# The calls newer than the seccomp filter's reviewed list (setxattrat, removexattrat: 463/466;
# file_setattr: 469) fail with ENOSYS before anything else sees them (seccomp_filter.cpp), so
# that tools fall back to the mediated setxattr family; file_setattr may say EPERM instead.
NEWER='^(setxattrat|setxattrat-nofollow|removexattrat|removexattrat-nofollow|file_setattr)$'
CHATTR='^(ioctl-setflags|ioctl-fssetxattr)$'
# Variants the probe makes (meta ... all); `follow` leaves out the 7 that act on a symlink itself.
N_ALL=35
N_FOLLOW=28

# refused "description" TARGET all|follow: every variant fails with $WANT.
refused() {
    local desc=$1 target=$2 mode=$3 want_n wrong n
    [ "$mode" = all ] && want_n=$N_ALL || want_n=$N_FOLLOW
    sbxb -- "$PROBE" meta "$target" "$mode"
    n=$(wc -l <"$OUT")
    wrong=$(awk -v w="$WANT" -v newer="$NEWER" -v chattr="$CHATTR" \
        '($1 ~ newer && $2 != "ENOSYS" && $2 != "EPERM") || ($1 ~ chattr && $2 != "EPERM") ||
         ($1 !~ newer && $1 !~ chattr && $2 != w)' "$OUT")
    if [ "$RC" = 0 ] && [ "$n" = "$want_n" ] && [ -z "$wrong" ]; then
        ok "$BACKEND: $desc: all $n calls refused with $WANT"
    else
        not_ok "$BACKEND: $desc: all calls refused with $WANT (exit $RC, $n of $want_n reported)"
        printf '%s\n' "$wrong" | sed 's/^/#   not refused: /' | head -40
        sed 's/^/#   stderr: /' "$ERR" | head -5
    fi
}

refused "a file outside the writable roots" "$FIX/outside/file.txt" all
[ "$SBXRUN_AS" = root ] && refused "a root-owned program outside (setuid candidate)" \
    "$FIX/outside/id-copy" all
refused ".git/config" .git/config all
refused ".git/hooks/pre-commit" .git/hooks/pre-commit all
refused "the .codex symlink's target" .codex/config.toml all
refused "the target's real path" .auxiliary/configuration/coders/codex/config.toml all
refused "a workspace symlink to an outside file (followed)" src/outside-link follow
# The pinned links themselves, at the top of the workspace and below it (fortieth review: their
# times changed, through sbxrun-inner under bwrap, through sbxrun under Landlock below the top).
ln -s ../.auxiliary/configuration/coders/codex "$WS/src/deeplink"
printf 'version = 1\n[filesystem]\nprotect = ["@agent-config", "${workspace}/src/deeplink"]\n' \
    >"$FIX/deeplink.toml"
own_fix
touch -h -d @1500000000 "$WS/.codex" "$WS/src/deeplink"
sbxb --policy "$FIX/deeplink.toml" -- "$PROBE" meta .codex all
sbxb --policy "$FIX/deeplink.toml" -- "$PROBE" meta src/deeplink all
check "$BACKEND: the pinned links' own times are the host's still" \
    test "$(stat -c %Y "$WS/.codex" "$WS/src/deeplink" | sort -u)" = 1500000000
rm -f "$WS/src/deeplink"
check_host_unchanged "the metadata calls"
if [ "$SBXRUN_AS" = root ]; then
    m=$(stat -c %a "$FIX/outside/id-copy")
    check "$BACKEND: the outside copy of id is not setuid (mode $m)" test "$m" = 755
fi

# In the workspace, every call works (the probe chmods 0777; setuid bits are host_objects.sh's),
# except a privileged xattr namespace (the command has no capabilities, as root too) and
# chattr, refused on both backends.
sbxb -- "$PROBE" meta src/file.txt all
wrong=$(awk -v newer="$NEWER" '$1 ~ newer { if ($2 != "ENOSYS" && $2 != "EPERM") print; next }
             ($1 ~ /^(trusted-setxattr|ioctl-setflags|ioctl-fssetxattr)$/ && $2 != "EPERM") ||
             ($1 !~ /^(trusted-setxattr|ioctl-setflags|ioctl-fssetxattr)$/ && $2 != "OK")' "$OUT")
n=$(wc -l <"$OUT")
if [ "$RC" = 0 ] && [ "$n" = "$N_ALL" ] && [ -z "$wrong" ]; then
    ok "$BACKEND: every metadata call works on a workspace file"
else
    not_ok "$BACKEND: every metadata call works on a workspace file (exit $RC, $n reported)"
    printf '%s\n' "$wrong" | sed 's/^/#   wrong: /' | head -40
    sed 's/^/#   stderr: /' "$ERR" | head -5
fi
m=$(stat -c '%a %Y' "$WS/src/file.txt")
check "$BACKEND: the workspace file got the mode and time the probe set ($m)" test "$m" = "777 1000000000"

# sbxrun performs the calls without capabilities, as the command would: root's command still
# cannot give a workspace file away.
if [ "$SBXRUN_AS" = root ]; then
    sbxb -- chown 1:1 src/file.txt
    expect_denied "$BACKEND: root's command cannot chown a workspace file to another user"
    check "$BACKEND: the workspace file is still root's" test "$(stat -c %u:%g "$WS/src/file.txt")" = 0:0
fi

# The writable roots themselves (an outside review made the real /tmp 0777 as root, dropping
# its sticky bit; under bwrap too, as a writable bind mount's top, until sbxrun-inner performed
# the calls): their mode, owner and xattrs stay, by path and by descriptor; setting what they
# already are succeeds (tar extracting an archive's "./" in the workspace), and so do times.
ws_mode=$(stat -c %a "$WS"); tmp_mode=$(stat -c %a "$FIX/tmp")
attack_errno "chmod the workspace root itself" 'Operation not permitted' "chmod 0777 ."
attack_errno "chmod the temp dir itself" 'Operation not permitted' 'chmod 0777 "$TMPDIR"'
attack_errno "fchmod the temp dir through a descriptor" 'Operation not permitted' \
    'python3 -c "import os,sys; os.fchmod(os.open(sys.argv[1], os.O_RDONLY), 0o777)" "$TMPDIR"'
attack_errno "chmod the workspace through /proc/self/cwd" \
    'Operation not permitted|Too many levels of symbolic links' \
    "chmod 0777 /proc/self/cwd"
attack_errno "set an xattr on the workspace root" 'Operation not permitted' \
    "python3 -c 'import os; os.setxattr(\".\", \"user.sbx\", b\"1\")'"
check "$BACKEND: the roots' own modes are unchanged" \
    test "$(stat -c %a "$WS") $(stat -c %a "$FIX/tmp")" = "$ws_mode $tmp_mode"
sbxb -- sh -c "chmod $ws_mode . && chown $(stat -c %u:%g "$WS") . && touch -d @1 ."
expect_rc 0 "$BACKEND: chmod and chown of the workspace root to what it is, and touch -d, work"
check "$BACKEND: touch -d reached the workspace root ($(stat -c %Y "$WS"))" \
    test "$(stat -c %Y "$WS")" = 1
sbxb -- sh -c "mkdir -p src/tarred && chmod $ws_mode src/tarred && echo t >src/tarred/f &&
               tar cf src/t.tar -C src/tarred . && rm -rf src/tarred && tar xf src/t.tar && cat f"
expect_rc 0 "$BACKEND: tar extracts an archive made with \"./\" into the workspace root"

# The command's own descriptors by their /proc and /dev names act on the file they hold (glibc's
# lchmod goes through /proc/self/fd); a name /proc has no entry for does not (the twenty-eighth
# review: /proc/self/fd/00 was taken for fd 0).
sbxb -- sh -c 'exec 3<src/file.txt && chmod 604 /dev/fd/3 && chmod 640 /proc/self/fd/3 &&
               chmod 606 /proc/thread-self/fd/3 && exec <src/file.txt && chmod 600 /dev/stdin'
expect_rc 0 "$BACKEND: chmod through /dev/fd/3, /proc/self/fd/3, /proc/thread-self/fd/3, /dev/stdin"
check "$BACKEND: the workspace file got the last mode ($(stat -c %a "$WS/src/file.txt"))" \
    test "$(stat -c %a "$WS/src/file.txt")" = 600
attack_errno "chmod /proc/self/fd/03 (no such entry)" 'No such file' \
    "exec 3<src/file.txt && python3 -c 'import os; os.chmod(\"/proc/self/fd/03\", 0o644)'"

# chattr refused everywhere is permission given up: the run says so.
if [ "$BACKEND" = landlock ]; then
    sbxb --status-file "$FIX/.status" -- true
    check "$BACKEND: the status document lists chattr under approximated" \
        python3 -c 'import json,sys; sys.exit(0 if any("chattr" in a for a in json.load(open(sys.argv[1]))["approximated"]) else 1)' "$FIX/.status"
    # The line is cut at a few hundred bytes; then it points at the status document.
    check "$BACKEND: so does the approximated: line (or it points at the status document)" \
        grep -Eq "approximated: .*(chattr|the status document has the whole text)" "$ERR"
fi

# What builds do: chmod +x, touch -d, and a compiler that chmods its output.
sbxb -- sh -c 'chmod +x src/file.txt && touch -d @1234567890 src/file.txt'
expect_rc 0 "$BACKEND: chmod +x and touch -d in the workspace"
m=$(stat -c '%Y' "$WS/src/file.txt")
check "$BACKEND: touch -d reached the host file ($m)" test "$m" = 1234567890
if command -v cc >/dev/null; then
    printf '#include <stdio.h>\nint main(void) { puts("built in the sandbox"); return 0; }\n' \
        >"$WS/src/hello.c"
    own_fix
    # Its temporary files go to the workspace: under Landlock, new top-level entries of the
    # tmpdir root cannot be created (protected names are kept there: an older approximation).
    sbxb -- sh -c 'mkdir -p src/tmp && TMPDIR=$PWD/src/tmp cc -o src/hello src/hello.c && ./src/hello'
    expect_rc 0 "$BACKEND: cc compiles and links in the workspace, and the output runs"
    check "$BACKEND: the built program said hello" grep -q "built in the sandbox" "$OUT"
elif [ "${SBXRUN_MUST_WORK:-0}" = 1 ]; then
    not_ok "$BACKEND: cc is not installed (SBXRUN_MUST_WORK=1)"
else
    diag "cc is not installed: the build case is not run"
fi

# The race: one process swaps a workspace symlink between a workspace file and an outside
# file while another chmods through it. Whatever the interleaving, the outside file keeps its
# mode: the object is resolved once, and that descriptor is what is checked and changed.
snapshot_host
RACE_N=4000
sbxb -- "$PROBE" meta-race src/race-link "$WS/src/race-target" "$FIX/outside/file.txt" "$RACE_N"
read -r r_ok r_refused <"$OUT"
diag "race: $r_ok chmods through the link succeeded, $r_refused were refused"
check "$BACKEND: the race ran $RACE_N chmods" test "$RC" = 0 -a "$((r_ok + r_refused))" = "$RACE_N"
check_host_unchanged "the chmod/symlink-swap race"
done_testing
