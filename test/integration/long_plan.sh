#!/bin/bash
# Long plans: thousands of rules reach bwrap through --args FD (not argv, which execve()
# refuses past ARG_MAX), and a plan past bwrap's own 9000-argument cap is said in one short
# line and runs under Landlock instead; no diagnostic line is longer than a few hundred bytes.
. "$(dirname "$0")/lib.sh"
unset XDG_CONFIG_HOME XDG_CACHE_HOME SBXRUN_POLICY
make_workspace
status() { status_field "$FIX/.status" "$1"; }

# ARG_MAX is a quarter of the stack limit: 8 MiB gives the usual 2 MiB. A plan needs one
# descriptor per root: raise the hard limit (the test runs as root) so the host's does not
# decide; sbxrun raises its soft limit itself.
ulimit -s 8192 || diag "cannot set the stack limit"
ulimit -H -n 65536 2>/dev/null || true
[ "$(ulimit -H -n)" != unlimited ] && [ "$(ulimit -H -n)" -lt 4000 ] &&
    skip_all "the hard descriptor limit $(ulimit -H -n) is below the 4000 this test needs"
ulimit -S -n 1024

# 1,400 writable roots of ~870 bytes each: some 2.5 MB of bwrap and sbxrun-inner arguments,
# over ARG_MAX on argv (E2BIG before --args FD), under bwrap's 9000-argument cap.
long=$FIX/long/$(printf 'a%.0s' $(seq 200))/$(printf 'b%.0s' $(seq 200))/$(printf 'c%.0s' $(seq 200))/$(printf 'd%.0s' $(seq 200))
roots=
for i in $(seq -w 1400); do roots+="\"$long/r$i\","; done
python3 -c 'import os,sys; [os.makedirs(sys.argv[1] + "/r%04d" % i) for i in range(1, 1401)]' "$long"
printf 'version = 1\n[filesystem]\nmissing_protected = "ignore"\nwrite = [%s]\n' "${roots%,}" >"$FIX/long.toml"
own_fix
outside_before=$(fingerprint "$FIX/outside")
# bwrap and sbxrun-inner each name every path: twice the policy file, over 2 MiB.
check "the roots alone are over 1 MiB" test "$(wc -c <"$FIX/long.toml")" -gt 1048576

rm -f "$FIX/.status"
sbx --backend bwrap --policy "$FIX/long.toml" --status-file "$FIX/.status" -- sh -c 'echo ok >"$1/w"' sh "$long/r1400"
expect_rc 0 "bwrap runs a plan of 1,400 long writable roots"
check "under bwrap" test "$(status backend)" = bwrap
check "the last root was writable" test "$(cat "$long/r1400/w" 2>/dev/null)" = ok

# 2,000 writable roots: some 12,000 bwrap arguments, which bwrap refuses (MAX_ARGS 9000). (Not
# more: each root costs sbxrun its protected-name lookups, and the test runs under ASan too.)
python3 -c 'import os,sys; [os.makedirs(sys.argv[1] + "/w%d" % i) for i in range(2000)]' "$FIX/wide"
python3 -c 'import sys; print("version = 1\n[filesystem]\nmissing_protected = \"ignore\"\nwrite = [" + ",".join("\"%s/w%d\"" % (sys.argv[1], i) for i in range(2000)) + "]")' "$FIX/wide" >"$FIX/wide.toml"
own_fix
longest_line() { awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }' "$ERR"; }

rm -f "$FIX/.status"
sbx --backend bwrap --policy "$FIX/wide.toml" --status-file "$FIX/.status" -- true
expect_rc 121 "bwrap alone cannot run 2,000 roots: 121"
check "the reason names bwrap's cap" grep -q "bwrap accepts at most 9000" "$ERR"
check "each backend's reason is a line of its own, not an escaped \\n" grep -Eq "^  bwrap: the plan has [0-9]+ mount operations" "$ERR"
check "no stderr line over 400 bytes (longest $(longest_line))" test "$(longest_line)" -le 400

ll_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$ll_abi" -ge 1 ]; then
    rm -f "$FIX/.status"
    sbx --policy "$FIX/wide.toml" --status-file "$FIX/.status" -- sh -c 'echo ok >"$1/w1999/w"' sh "$FIX/wide"
    expect_rc 0 "the automatic order runs 2,000 roots under Landlock"
    check "under landlock" test "$(status backend)" = landlock
    check "the fallback says why" sh -c 'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if \"9000\" in d[\"fallback\"][0] else 1)" "$1"' sh "$FIX/.status"
    check "the last root was writable" test "$(cat "$FIX/wide/w1999/w" 2>/dev/null)" = ok
    check "no stderr line over 400 bytes (longest $(longest_line))" test "$(longest_line)" -le 400
elif [ "${SBXRUN_MUST_WORK:-0}" = 1 ]; then
    not_ok "no Landlock on this kernel (SBXRUN_MUST_WORK=1)"
else
    diag "no Landlock on this kernel: the fallback half is not run"
fi

check "nothing outside the writable roots changed" test "$(fingerprint "$FIX/outside")" = "$outside_before"
done_testing
