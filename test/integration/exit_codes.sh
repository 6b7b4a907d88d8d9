#!/bin/bash
# The exit-code table (spec section 5) and the status document on every path.
. "$(dirname "$0")/lib.sh"
make_workspace
printf '#!/bin/sh\necho hi\n' >"$WS/noexec.sh"; chmod 644 "$WS/noexec.sh"; own_fix

status() { status_field "$FIX/.status" "$1"; }
run_status() { rm -f "$FIX/.status"; sbx ${B:+--backend "$B"} --status-file "$FIX/.status" "$@"; }

# The command's end, on each backend: under bwrap it is seen through sbxrun-inner's report,
# under Landlock the command is sbxrun's own child.
backends=(bwrap)
ll_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$ll_abi" -ge 1 ]; then backends+=(landlock); else diag "no Landlock on this kernel: bwrap only"; fi
naps=0
for B in "${backends[@]}"; do
    run_status -- sh -c 'exit 42'
    expect_rc 42 "$B: exit status passed through"
    check "$B: outcome exited" test "$(status outcome)" = exited

    run_status -- sh -c 'kill -TERM $$'
    expect_rc 143 "$B: killed by SIGTERM gives 128+15"
    check "$B: outcome signaled" test "$(status outcome)" = signaled
    check "$B: signal 15 in the status" test "$(status signal)" = 15

    run_status -- sh -c 'exit 143'
    expect_rc 143 "$B: exiting 143 gives 143 too"
    check "$B: but the status says exited" test "$(status outcome)" = exited

    run_status -- /nonexistent/command
    expect_rc 127 "$B: a missing command gives 127"
    check "$B: outcome not_found" test "$(status outcome)" = not_found
    check "$B: not found is said on stderr" grep -q "sbxrun:" "$ERR"

    run_status -- no-such-command-sbxrun
    expect_rc 127 "$B: a command missing from PATH gives 127"

    run_status -- ./noexec.sh
    expect_rc 126 "$B: a non-executable file gives 126"
    check "$B: outcome not_executable" test "$(status outcome)" = not_executable

    # A duration no other test uses, so pgrep finds only this run's processes.
    nap=30.$$$((++naps))
    start=$(date +%s)
    run_status --timeout 0.5 -- sh -c "sleep $nap & sleep $nap; echo never"
    end=$(date +%s)
    expect_rc 124 "$B: --timeout gives 124"
    check "$B: outcome timed_out" test "$(status outcome)" = timed_out
    check "$B: the timeout killed the sandbox promptly" test $((end - start)) -lt 10
    check "$B: no sleep survived the timeout" sh -c "! pgrep -f '^sleep $nap' >/dev/null"

    # SIGTERM to sbxrun reaches the command, whose own status then decides. The marker ($0 of
    # the script) keeps pkill off the sbxrun of the other half of this test, which may be running
    # at the same time (root and user run in parallel). The ready file is in src/: under
    # Landlock the workspace root takes no new entries while protected names are missing.
    marker=sigterm-$$-$B
    rm -f "$WS/src/ready"
    (cd "$WS" && as_runner "$SBXRUN" --backend "$B" -- sh -c 'trap "exit 3" TERM; touch src/ready; sleep 20 & wait' "$marker") >/dev/null 2>&1 &
    waiter=$!
    for _ in $(seq 100); do [ -e "$WS/src/ready" ] && break; sleep 0.1; done
    check "$B: the command started" test -e "$WS/src/ready"
    pkill -TERM -f "^$SBXRUN --backend $B -- sh -c .* $marker\$" || diag "$B: no sbxrun process found to signal"
    wait "$waiter"
    RC=$?
    expect_rc 3 "$B: SIGTERM to sbxrun is forwarded to the command"
done
unset B

run_status --bogus-option -- true
expect_rc 125 "an unknown option gives 125"
run_status --timeout abc -- true
expect_rc 125 "a bad --timeout gives 125"
run_status
expect_rc 125 "no command gives 125"
# Ninth outside review: a dotted key of 150,000 parts crashed sbxrun (SIGSEGV, 139).
python3 -c 'import sys; sys.stdout.write("version = 1\n" + ".".join(["a"] * 150000) + " = 1\n")' >"$FIX/dotted.toml"
run_status --policy "$FIX/dotted.toml" -- true
expect_rc 125 "a key of 150,000 dotted parts is a policy error, not a crash"
check "... saying so" grep -q "dots outside strings on one line" "$ERR"
# Tenth: -C naming a directory this user cannot enter was every backend failing (121).
if [ "$SBXRUN_AS" = user ]; then
    mkdir -p "$FIX/locked"; chmod 000 "$FIX/locked"
    run_status -C "$FIX/locked" -- true
    expect_rc 125 "-C naming a directory the user cannot enter is a usage error (125)"
    check "... saying so" grep -q "cannot enter" "$ERR"
    chmod 755 "$FIX/locked"
fi
# Tenth: a reader of --status-fd that went away: sbxrun ends with the command's status (and a
# warning), not killed by SIGPIPE (141).
(cd "$WS" && as_runner python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "--status-fd", str(w), "--", "true"], pass_fds=[w], stderr=subprocess.PIPE)
sys.stderr.write(p.stderr.decode())
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)' "$SBXRUN") >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "a --status-fd whose reader is gone: the command's status, not SIGPIPE"
check "... saying the document could not be written" grep -q "cannot write the status document" "$ERR"
# Eighth outside review: an empty command name read as bwrap failing (121) under bwrap.
for b in bwrap landlock; do
    B=$b run_status -- ""
    expect_rc 125 "an empty command name gives 125 under $b"
    check "... saying so" grep -q "the command name is empty" "$ERR"
done

echo 'version = 2' >"$FIX/v2.toml"
run_status --policy "$FIX/v2.toml" -- true
expect_rc 125 "an unsupported policy version gives 125"
check "outcome policy_error" test "$(status outcome)" = policy_error
check "the error names the file" grep -q "v2.toml" "$ERR"

printf 'version = 1\n[filesystem]\nsymlinks = "sometimes"\n' >"$FIX/bad.toml"
run_status --policy "$FIX/bad.toml" -- true
expect_rc 125 "a bad enum value gives 125"
check "the error names the line and key" grep -q "bad.toml:3" "$ERR"

printf 'version = 1\nfoo = 1\n' >"$FIX/unknown.toml"
run_status --policy "$FIX/unknown.toml" -- true
expect_rc 125 "an unknown key gives 125"

run_status --policy "$FIX/missing.toml" -- true
expect_rc 125 "a missing policy file gives 125"
run_status --policy "$FIX" -- true
expect_rc 125 "a policy path that is a directory gives 125"
check "and the message says why" grep -q "Is a directory" "$ERR"

# A path in the policy that cannot be resolved is the policy's to fix: 125 naming the rule,
# not 121 "no backend can run here".
printf 'version = 1\n[filesystem]\nread = ["/", "%s/x"]\n' "$WS/src/file.txt" >"$FIX/notdir.toml"
run_status --policy "$FIX/notdir.toml" -- true
expect_rc 125 "a policy path through a regular file gives 125"
check "outcome policy_error for it" test "$(status outcome)" = policy_error
check "the error names the file, line and rule" grep -q 'notdir.toml:3: filesystem.read\[1\]' "$ERR"

# sbxrun itself out of descriptors: 123 setup_failed, and no second backend tried (it would
# need as many). Hard and soft limit both 64, so sbxrun cannot raise it.
mkdir -p "$FIX/roots"
roots=
for i in $(seq 100); do mkdir -p "$FIX/roots/r$i"; roots+="\"$FIX/roots/r$i\","; done
own_fix
printf 'version = 1\n[filesystem]\nmissing_protected = "ignore"\nwrite = [%s]\n' "${roots%,}" >"$FIX/many.toml"
rm -f "$FIX/.status"
(ulimit -n 64 && cd "$WS" && as_runner "$SBXRUN" --policy "$FIX/many.toml" --status-file "$FIX/.status" -- true) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 123 "running out of descriptors gives 123"
check "outcome setup_failed" test "$(status outcome)" = setup_failed
check "no other backend was tried" test "$(status fallback)" = "[]"
check "the error says what ran out" grep -q "Too many open files" "$ERR"

# Only the soft limit low (a shell's 1024, here 64): sbxrun raises its own to the hard limit,
# and the command gets the caller's soft limit back (select() breaks above 1024).
for B in "${backends[@]}"; do
    rm -f "$FIX/.status"
    (ulimit -S -n 64 && cd "$WS" && as_runner "$SBXRUN" --backend "$B" --policy "$FIX/many.toml" --status-file "$FIX/.status" -- sh -c 'ulimit -S -n') >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "$B: a plan over the soft descriptor limit runs"
    check "$B: the command gets the caller's soft limit back" test "$(cat "$OUT")" = 64
done

# A protected link that loops (.codex -> a -> b -> a): the policy is fine, the tree is odd.
# 122 with the chain for the user, on both backends, never 125 "invalid policy".
ln -s a "$WS/.codex"; ln -s b "$WS/a"; ln -s a "$WS/b"
echo 'version = 1' >"$FIX/v1.toml"
for B in "${backends[@]}"; do
    run_status --backend "$B" --policy "$FIX/v1.toml" -- true
    expect_rc 122 "$B: a protected link loop gives 122"
    check "$B: outcome needs_approval for it" test "$(status outcome)" = needs_approval
    check "$B: the status names a link of the loop" test "$(status symlink)" = "$WS/a"
    check "$B: the message shows the chain" grep -q "loop: $WS/a -> $WS/b -> $WS/a" "$ERR"
done
rm -f "$WS/.codex" "$WS/a" "$WS/b"

sbx --status-fd 9 -- true
expect_rc 125 "--status-fd that is not open gives 125"
sbx --status-file /nonexistent/dir/status.json -- true
expect_rc 125 "--status-file that cannot be created gives 125"

# The status fd itself: a pipe read by the caller.
(cd "$WS" && as_runner "$SBXRUN" --status-fd 3 -- sh -c 'exit 5' 3>"$FIX/.status") >/dev/null 2>&1
check "--status-fd receives the document" test "$(status exit_code)" = 5
# --status-fd 1 or 2: the document follows the command's own output on that stream, which the
# command keeps (close-on-exec on the stream once closed its stdout: "echo: I/O error").
for B in "${backends[@]}"; do
    (cd "$WS" && as_runner "$SBXRUN" -q --backend "$B" --status-fd 1 -- sh -c 'echo from-the-command') \
        2>"$ERR" | cat >"$OUT"
    check "$B: --status-fd 1: the command's output, then the document" \
        test "$(head -1 "$OUT")" = from-the-command -a "$(sed -n 2p "$OUT" | cut -c1-17)" = '{"sbxrun_status":'
    check "$B: --status-fd 1: the command exited 0" grep -q '"exit_code":0' "$OUT"
    (cd "$WS" && as_runner "$SBXRUN" -q --backend "$B" --status-fd 2 -- sh -c 'echo err >&2') \
        2>"$OUT" >/dev/null
    check "$B: --status-fd 2: the command's stderr works too" \
        sh -c "head -1 '$OUT' | grep -qx err && grep -q '\"exit_code\":0' '$OUT'"
done

run_status -C "$FIX/nonexistent" -- true
expect_rc 125 "-C to a missing directory gives 125"
check "outcome usage_error for a bad -C" test "$(status outcome)" = usage_error
run_status --workspace "$WS/src/file.txt" -- true
expect_rc 125 "--workspace that is not a directory gives 125"
sbx -C src -- sh -c 'pwd'
expect_rc 0 "-C DIR relative to the current directory works"
check "-C sets the command's working directory" test "$(cat "$OUT")" = "$WS/src"

sbx --version
expect_rc 0 "--version exits 0"
sbx --help
expect_rc 0 "--help exits 0"
check "--help mentions --policy" grep -q -- --policy "$OUT"

done_testing
