#!/bin/bash
# Falling back from bwrap to Landlock, as root and as an unprivileged user: a bwrap failing
# like Ubuntu 24.04's AppArmor restriction, a missing bwrap, and the real bwrap inside a parent
# sandbox that forbids user namespaces each run the command under Landlock and say why (status
# `fallback`, one warning line), or exit 121 with bwrap's message when the policy's order is
# ["bwrap"]. A command that started under bwrap is never run twice. --doctor reports this host
# and the parent sandbox correctly.
. "$(dirname "$0")/lib.sh"

kernel_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
[ "$kernel_abi" -ge 1 ] || skip_all "Landlock is not enabled on this kernel"
command -v bwrap >/dev/null || skip_all "no bwrap on this host"
make_workspace

# The AppArmor failure (Ubuntu 24.04, unprivileged userns restricted): bwrap's probes work,
# the sandbox setup fails with exit 1. It records every run so the test can count them.
cat >"$FIX/fakebwrap" <<SH
#!/bin/sh
case "\$1" in
  --version) echo "bubblewrap 0.8.0"; exit 0 ;;
  --help) /usr/bin/bwrap --help; exit 0 ;;
esac
echo run >>"$FIX/fake-runs"
echo "bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted" >&2
exit 1
SH
chmod 755 "$FIX/fakebwrap"
policy() {  # policy NAME BWRAP [ORDER]: a policy file using that bwrap (and order)
    {
        echo 'version = 1'
        echo '[backend]'
        echo "bwrap = \"$2\""
        [ -n "${3:-}" ] && echo "order = $3"
    } >"$FIX/$1.toml"
}
policy apparmor "$FIX/fakebwrap"
policy apparmor-only "$FIX/fakebwrap" '["bwrap"]'
policy missing /nonexistent/bwrap
policy missing-only /nonexistent/bwrap '["bwrap"]'
policy real bwrap
policy real-only bwrap '["bwrap"]'
own_fix

status_list() { python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$FIX/.status" "$1"; }

# fell_back LABEL PATTERN: the last run ran once under Landlock, and said why bwrap was not used.
fell_back() {
    expect_rc 0 "$1: the command ran"
    check "$1: it ran once" test "$(wc -l <"$WS/src/count" 2>/dev/null)" = 1
    check "$1: status backend landlock" test "$(status_field "$FIX/.status" backend)" = landlock
    check "$1: status fallback says why ($2)" sh -c "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"fallback\"])' '$FIX/.status' | grep -q -- '$2'"
    check "$1: one warning line on stderr names landlock and the cause" \
        test "$(grep -c "warning: running under landlock.*$2" "$ERR")" = 1
    check "$1: the cause is said once on stderr" test "$(grep -c -- "$2" "$ERR")" = 1
    rm -f "$WS/src/count"
}
# refused LABEL PATTERN: order = ["bwrap"]: 121, nothing ran, bwrap's message and --doctor.
refused() {
    expect_rc 121 "$1 with order [bwrap]: exit 121"
    check "$1 with order [bwrap]: nothing ran" test ! -e "$WS/src/count"
    check "$1 with order [bwrap]: outcome unavailable" test "$(status_field "$FIX/.status" outcome)" = unavailable
    check "$1 with order [bwrap]: bwrap's message is relayed" grep -q -- "$2" "$ERR"
    check "$1 with order [bwrap]: it points at --doctor" grep -q -- "--doctor" "$ERR"
}
run='echo ran >>src/count'

rm -f "$FIX/.status"
sbx --policy "$FIX/apparmor.toml" --status-file "$FIX/.status" -- sh -c "$run"
fell_back "AppArmor-blocked bwrap" "RTM_NEWADDR: Operation not permitted"
check "AppArmor-blocked bwrap: bwrap was tried once" test "$(wc -l <"$FIX/fake-runs")" = 1
rm -f "$FIX/.status"
sbx --policy "$FIX/apparmor-only.toml" --status-file "$FIX/.status" -- sh -c "$run"
refused "AppArmor-blocked bwrap" "RTM_NEWADDR: Operation not permitted"

rm -f "$FIX/.status"
sbx --policy "$FIX/missing.toml" --status-file "$FIX/.status" -- sh -c "$run"
fell_back "missing bwrap" "/nonexistent/bwrap"
rm -f "$FIX/.status"
sbx --policy "$FIX/missing-only.toml" --status-file "$FIX/.status" -- sh -c "$run"
refused "missing bwrap" "/nonexistent/bwrap"

# --backend bwrap overrides the order: no fallback either.
sbx --policy "$FIX/apparmor.toml" --backend bwrap -- sh -c "$run"
expect_rc 121 "--backend bwrap with a blocked bwrap: exit 121, no fallback"
check "--backend bwrap: nothing ran" test ! -e "$WS/src/count"

# A command that started under bwrap is never retried, whatever its end.
for end in 'exit 1' 'exit 121' 'kill -9 $$' 'exec /nonexistent/cmd'; do
    rm -f "$FIX/.status"
    sbx --policy "$FIX/real.toml" --status-file "$FIX/.status" -- sh -c "$run; $end"
    check "started under bwrap, then '$end': ran once" test "$(wc -l <"$WS/src/count" 2>/dev/null)" = 1
    check "started under bwrap, then '$end': status backend bwrap, no fallback" \
        sh -c "test \"\$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[\"backend\"], len(d[\"fallback\"]))' '$FIX/.status')\" = 'bwrap 0'"
    rm -f "$WS/src/count"
done

# --doctor on this host, checked against what the host says by itself.
if as_runner bwrap --unshare-user --ro-bind / / --dev /dev --proc /proc true 2>/dev/null; then host_bwrap=yes; else host_bwrap=no; fi
sbx --doctor
expect_rc 0 "--doctor reports"
check "--doctor: bwrap can start here: $host_bwrap" grep -q "can start here: $host_bwrap" "$OUT"
check "--doctor: bwrap version" grep -q "version $(bwrap --version | awk '{print $2}')" "$OUT"
check "--doctor: Landlock ABI $kernel_abi" grep -qx "landlock: ABI $kernel_abi" "$OUT"
check "--doctor: seccomp works" grep -qx "seccomp: yes" "$OUT"
[ "$host_bwrap" = yes ] && want=bwrap || want=landlock
check "--doctor: chooses $want for the default policy" grep -qx "backend for the default policy: $want" "$OUT"
sbx --doctor --explain-format json
check "--doctor json: the same facts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["sbxrun_doctor"] == 1
assert d["bwrap"]["starts"] == (sys.argv[2] == "yes"), d["bwrap"]
assert d["landlock"]["kernel_abi"] == int(sys.argv[3]) and d["landlock"]["abi"] == min(7, int(sys.argv[3]))
assert d["backend"] == sys.argv[4]
' "$OUT" "$host_bwrap" "$kernel_abi" "$want"
(cd "$WS" && as_runner env SBXRUN_LANDLOCK_ABI_MAX=3 "$SBXRUN" --doctor --explain-format json) >"$OUT" 2>"$ERR"
check "--doctor json: the ABI knob lowers the effective ABI only" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["landlock"]
assert d["abi"] == 3 and d["kernel_abi"] == int(sys.argv[2]), d' "$OUT" "$kernel_abi"
sbx --policy "$FIX/apparmor.toml" --doctor
check "--doctor with the AppArmor-blocked bwrap: cannot start, bwrap's message" \
    grep -q "can start here: no.*RTM_NEWADDR" "$OUT"
check "--doctor with the AppArmor-blocked bwrap: names a fix" grep -qi "apparmor" "$OUT"
check "--doctor with the AppArmor-blocked bwrap: chooses landlock" grep -qx "backend for the default policy: landlock" "$OUT"

# The real bwrap inside a parent sandbox that forbids user namespaces (a container, a CI
# runner, another sandbox): sbxrun's bwrap cannot start, Landlock still works.
[ "$host_bwrap" = yes ] || { diag "bwrap cannot start on this host: no parent sandbox"; done_testing; exit; }
parent() {  # parent ARGS...: sbxrun ARGS inside the parent sandbox, in $WS
    (cd "$WS" && as_runner bwrap --unshare-user --disable-userns --die-with-parent \
        --ro-bind / / --dev /dev --proc /proc --bind "$WS" "$WS" --bind "$FIX/tmp" "$FIX/tmp" \
        --bind "$FIX/home" "$FIX/home" --chdir "$WS" -- "$SBXRUN" "$@") >"$OUT" 2>"$ERR"
    RC=$?
}
parent --policy "$FIX/real.toml" --status-file "$WS/.status-parent" -- sh -c "$run"
mv "$WS/.status-parent" "$FIX/.status" 2>/dev/null
fell_back "parent sandbox without user namespaces" "Creating new namespace failed"
parent --policy "$FIX/real-only.toml" --status-file "$WS/.status-parent" -- sh -c "$run"
mv "$WS/.status-parent" "$FIX/.status" 2>/dev/null
refused "parent sandbox without user namespaces" "Creating new namespace failed"
parent --policy "$FIX/real.toml" -- sh -c 'echo x >>.git/config'
expect_denied "parent sandbox: under the Landlock fallback .git stays read-only"
parent --doctor
expect_rc 0 "parent sandbox: --doctor reports"
check "parent sandbox: --doctor says bwrap cannot start and why" \
    grep -q "can start here: no: .*Creating new namespace failed" "$OUT"
check "parent sandbox: --doctor names a fix" grep -q "fix: .*nested user namespaces" "$OUT"
check "parent sandbox: --doctor chooses landlock" grep -qx "backend for the default policy: landlock" "$OUT"
check "the workspace has no leftovers" sh -c "! ls -A '$WS' | grep -vxE '\.git|src'"

done_testing
