#!/bin/bash
# SBXRUN_TRACE_TIMING (issue 16): each process of a run writes its phases on one clock, the
# command's output and exit status are untouched, and without the variable nothing is written.
# Also what the spawn of the command must keep (its child now borrows sbxrun's memory): a
# script without #! still runs with /bin/sh, with the command's environment.
. "$(dirname "$0")/lib.sh"
make_workspace
printf 'echo "script $FOO"\n' >"$WS/noshebang"
chmod 755 "$WS/noshebang"
own_fix

traced() {  # traced VALUE ARGS...: sbxrun with SBXRUN_TRACE_TIMING=VALUE ("" = unset)
    local value=$1
    shift
    (cd "$WS" && as_runner env ${value:+SBXRUN_TRACE_TIMING="$value"} "$SBXRUN" "$@") \
        >"$OUT" 2>"$ERR"
    RC=$?
}
lines_of() { grep -c "^sbxrun-timing: .* ms  $1  " "$ERR"; }
# In file order, each process's own times never go back.
in_order() {
    python3 - "$ERR" <<'PY'
import re, sys
last = {}
for line in open(sys.argv[1]):
    m = re.match(r"sbxrun-timing: +([0-9.]+) ms  (.+?)  ", line)
    if not m:
        continue
    t, process = float(m.group(1)), m.group(2)
    if t < last.get(process, 0.0):
        sys.exit(1)
    last[process] = t
PY
}

backends=(bwrap landlock)
for B in "${backends[@]}"; do
    child=$([ "$B" = bwrap ] && echo "sbxrun-inner child" || echo "sbxrun child")
    traced 1 --backend "$B" -- sh -c 'echo out; exit 3'
    expect_rc 3 "$B: traced, the exit status is the command's"
    check "$B: ... and its output is unchanged" test "$(cat "$OUT")" = out
    check "$B: sbxrun writes its phases, from the plan to the status" \
        sh -c "grep -q '  sbxrun  plan made\$' '$ERR' && grep -q '  sbxrun  status written\$' '$ERR'"
    check "$B: the process that execs the command writes its line" \
        grep -q "  $child  exec the command\$" "$ERR"
    if [ "$B" = bwrap ]; then
        check "bwrap: sbxrun-inner writes its phases on sbxrun's clock" \
            sh -c "[ \$(grep -c '  sbxrun-inner  ' '$ERR') -ge 5 ]"
        t_spawned=$(awk '/  sbxrun  spawned$/ { print $2 }' "$ERR")
        t_inner=$(awk '/  sbxrun-inner  arguments parsed$/ { print $2 }' "$ERR")
        check "bwrap: sbxrun-inner's first line comes after bwrap was spawned" \
            awk -v a="$t_spawned" -v b="$t_inner" 'BEGIN { exit !(a != "" && b != "" && b + 0 >= a + 0) }'
    fi
    check "$B: each process's times only go forward" in_order
    [ "$(lines_of sbxrun)" -ge 8 ] || diag "$(cat "$ERR")"

    traced "" --backend "$B" -- true
    check "$B: without SBXRUN_TRACE_TIMING no timeline is written" \
        sh -c "! grep -q sbxrun-timing '$ERR'"
    traced 0 --backend "$B" -- true
    check "$B: SBXRUN_TRACE_TIMING=0 writes none either" sh -c "! grep -q sbxrun-timing '$ERR'"

    (cd "$WS" && as_runner env FOO=bar "$SBXRUN" --backend "$B" -- ./noshebang) >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "$B: a script without #! runs (with /bin/sh)"
    check "$B: ... with the command's environment" test "$(cat "$OUT")" = "script bar"
done
done_testing
