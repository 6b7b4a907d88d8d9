#!/bin/bash
# A bwrap that fails before the command starts must give 121 (or a fallback), never the
# command's status; and the message is relayed.
. "$(dirname "$0")/lib.sh"
make_workspace
cat >"$FIX/fakebwrap" <<'SH'
#!/bin/sh
case "$1" in
  --version) echo "bubblewrap 0.8.0"; exit 0 ;;
  --help) /usr/bin/bwrap --help; exit 0 ;;
esac
echo "bwrap: setting up uid map: Permission denied" >&2
exit 1
SH
chmod 755 "$FIX/fakebwrap"
printf 'version = 1\n[backend]\norder = ["bwrap"]\nbwrap = "%s"\n' "$FIX/fakebwrap" >"$FIX/fake.toml"
own_fix

rm -f "$FIX/.status"
sbx --policy "$FIX/fake.toml" --status-file "$FIX/.status" -- sh -c 'exit 1'
expect_rc 121 "a failing bwrap gives 121, not the command's 1"
check "outcome unavailable" test "$(status_field "$FIX/.status" outcome)" = unavailable
check "bwrap's message is relayed" grep -q "uid map" "$ERR"

printf 'version = 1\n[backend]\norder = ["bwrap"]\nbwrap = "/nonexistent/bwrap"\n' >"$FIX/missing.toml"
sbx --policy "$FIX/missing.toml" -- true
expect_rc 121 "a missing bwrap gives 121"
check "the message points at --doctor" grep -q -- "--doctor" "$ERR"

done_testing
