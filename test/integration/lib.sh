# Shared helpers for the integration tests: TAP output, running sbxrun as root or as an
# unprivileged user, fixtures, and fingerprints of the host to prove it was left untouched.
#
# Each test file is run twice by meson: SBXRUN_AS=root and SBXRUN_AS=user. The unprivileged
# user is $SBXRUN_TEST_USER (default sbxtest); when it does not exist the user variant skips,
# unless SBXRUN_MUST_WORK=1 (CI), which turns every skip into a failure.
set -u

# A hermetic environment: the suite must give the same answers from a desktop login shell, a CI
# image or a bare root shell. sbxrun reads HOME, TMPDIR, PATH, PWD, XDG_CONFIG_HOME,
# XDG_CACHE_HOME, SBXRUN_POLICY, SBXRUN_LANDLOCK_ABI_MAX, SBXRUN_ENTRY_BROKER,
# SBXRUN_DENY_WATCH and SBXRUN_TRACE_TIMING, and hands the rest to the command
# (whose messages the tests match: so the C locale). Everything the caller set is dropped except
# the test's own knobs and the sanitizers' options; a test that wants a variable sets it itself.
for _v in $(compgen -e); do
    case $_v in
        SBXRUN_POLICY | SBXRUN_LANDLOCK_ABI_MAX | SBXRUN_ENTRY_BROKER | SBXRUN_DENY_WATCH | \
            SBXRUN_TRACE_TIMING)
            unset "$_v" ;;  # sbxrun reads them
        SBXRUN* | ATTACK_* | ASAN_OPTIONS | UBSAN_OPTIONS | LSAN_OPTIONS | MSAN_OPTIONS | \
            MALLOC_PERTURB_ | MESON_TEST_ITERATION | PWD) ;;  # the tests' own knobs, sanitizers
        *) unset "$_v" ;;
    esac
done
unset _v
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C LANG=C
export HOME=/nonexistent-home TMPDIR=/tmp

: "${SBXRUN:?SBXRUN must point at the sbxrun binary}"
SBXRUN=$(realpath "$SBXRUN")
SBXRUN_AS=${SBXRUN_AS:-root}
TEST_USER=${SBXRUN_TEST_USER:-sbxtest}
_tap_n=0
_tap_failed=0

skip_all() {
    if [ "${SBXRUN_MUST_WORK:-0}" = 1 ]; then
        echo "Bail out! cannot run: $* (SBXRUN_MUST_WORK=1)"
        exit 1
    fi
    echo "1..0 # SKIP $*"
    exit 77
}

if [ "$SBXRUN_AS" = user ]; then
    id "$TEST_USER" >/dev/null 2>&1 || skip_all "no user $TEST_USER for the unprivileged run"
    [ "$(id -u)" = 0 ] || skip_all "switching to $TEST_USER needs root"
fi

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() {
    _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
    echo "not ok $_tap_n - $*"
}
# check "description" command...: passes when the command succeeds.
check() {
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" = 0 ]
}
# Every line of a diagnostic is a TAP comment, also when it quotes multi-line output.
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# The fixture root: a fresh directory owned by whoever runs sbxrun.
FIX=$(mktemp -d "${SBXRUN_TEST_TMP:-/tmp}/sbxrun-it.XXXXXX")
chmod 755 "$FIX"
# The mount points under the fixture, deepest first (a test's bind mounts).
mounts_under_fix() {
    awk -v f="$FIX" '$5 == f || index($5, f "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
# Never recurse through a mount: rm -rf or chown -R through a bind of a directory outside the
# fixture reaches whatever it shows (a bind of / once had the whole host chowned to the test
# user). What is still mounted is taken down first.
cleanup_fix() {
    local m
    for m in $(mounts_under_fix); do umount -l "$m" 2>/dev/null; done
    [ -n "${KEEP_FIX:-}" ] || rm -rf "$FIX"
}
trap cleanup_fix EXIT

# Make everything under the fixture belong to the user the sandbox runs as. Before any mount
# is made under it: with one, it refuses (see cleanup_fix).
own_fix() {
    if [ "$SBXRUN_AS" = user ]; then
        if [ -n "$(mounts_under_fix)" ]; then
            echo "own_fix: a mount lies under $FIX; refusing a recursive chown" >&2
            exit 99
        fi
        chown -R "$TEST_USER:" "$FIX"
    fi
}

# The sandbox's ${tmpdir} is $FIX/tmp (not /tmp, where the fixture itself lives), so that
# "outside the writable roots" really is outside.
# as_runner CMD...: run a command as the test's sandbox user (root or $TEST_USER).
# HOME and TMPDIR are the fixture's, USER/LOGNAME the runner's; the variables sbxrun would
# otherwise take from the caller were dropped at the top of this file.
as_runner() {
    if [ "$SBXRUN_AS" = user ]; then
        setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups \
            env HOME="$FIX/home" USER="$TEST_USER" LOGNAME="$TEST_USER" TMPDIR="$FIX/tmp" "$@"
    else
        env HOME="$FIX/home" USER=root LOGNAME=root TMPDIR="$FIX/tmp" "$@"
    fi
}

# sbx ARGS...: run sbxrun as the runner in $WS (stdout/stderr to $OUT/$ERR, status in $RC).
OUT=$FIX/.out
ERR=$FIX/.err
sbx() {
    (cd "$WS" && as_runner "$SBXRUN" "$@") >"$OUT" 2>"$ERR"
    RC=$?
    return 0
}

expect_rc() {  # expect_rc N "description"
    if [ "$RC" = "$1" ]; then ok "$2"; else
        not_ok "$2 (exit $RC, expected $1)"
        sed 's/^/#   stderr: /' "$ERR" | head -20
    fi
}

# expect_denied "description": the command ran inside the sandbox and failed. An exit status
# of 120 or more is sbxrun's own (or a signal), so it does not count as the sandbox refusing.
expect_denied() {
    if [ "$RC" -ge 1 ] && [ "$RC" -lt 120 ]; then ok "$1"; else
        not_ok "$1 (exit $RC, expected the command to fail inside the sandbox)"
        sed 's/^/#   stderr: /' "$ERR" | head -20
    fi
}

# fingerprint DIR: every entry's path, type, link target, size, mode, owner, mtime (not for
# directories, whose mtime follows entries a test may legitimately create and remove), content
# hash and extended attributes (names and values, symlinks' own; python3, as `attr` may be
# missing).
fingerprint() {
    (cd "$1" && find . -path ./.out -prune -o -path ./.err -prune -o -path ./.status -prune \
        -o -type d -printf '%p %y %l %s %m %U:%G\n' -o -printf '%p %y %l %s %m %U:%G %T@\n' |
        LC_ALL=C sort
     cd "$1" && find . -type f ! -name .out ! -name .err ! -name .status -print0 \
        | LC_ALL=C sort -z | xargs -0 -r sha256sum
     cd "$1" && find . -print0 | LC_ALL=C sort -z | python3 -c '
import os, sys
for p in sys.stdin.buffer.read().split(b"\0"):
    if not p:
        continue
    try:
        names = sorted(os.listxattr(p, follow_symlinks=False))
    except OSError as e:
        names = ["<%s>" % e.strerror]
    for n in names:
        try:
            v = os.getxattr(p, n, follow_symlinks=False) if not n.startswith("<") else b""
        except OSError as e:
            v = e.strerror.encode()
        print("xattr", p.decode(errors="replace"), n, v.hex())
')
}

# status_field FILE KEY: print one field of the status document (and validate it as JSON).
status_field() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sbxrun_status"]==1; v=d[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"
}

# A workspace with a .git directory, owned by the runner.
make_workspace() {
    WS=$FIX/ws
    mkdir -p "$WS/.git" "$WS/src" "$FIX/home" "$FIX/outside" "$FIX/tmp"
    echo "[core]" >"$WS/.git/config"
    echo "hello" >"$WS/src/file.txt"
    echo "outside" >"$FIX/outside/file.txt"
    own_fix
}
