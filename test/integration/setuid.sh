#!/bin/bash
# sbxrun refuses to run setuid or setgid (the kernel's AT_SECURE): with privileges it was not
# meant to have, its bwrap/Landlock calls would act on paths the caller does not own.
#   root variant: root runs a setgid copy (group nogroup), so egid != rgid;
#   user variant: the unprivileged user runs a setuid-root copy.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "making a setuid/setgid copy of sbxrun needs root"
case ",$(findmnt -no OPTIONS -T "$FIX")," in
    *,nosuid,*) skip_all "$FIX is on a nosuid filesystem; the setuid bit would be ignored" ;;
esac
make_workspace

mkdir "$FIX/bin"
COPY=$FIX/bin/sbxrun
cp "$SBXRUN" "$COPY"
chmod 755 "$FIX/bin" "$COPY"

run_copy() {
    (cd "$WS" && as_runner "$COPY" "$@") >"$OUT" 2>"$ERR"
    RC=$?
}

# Control: the same copy without the bit runs, so a 125 below comes from the bit alone.
run_copy --version
expect_rc 0 "the plain copy runs"

if [ "$SBXRUN_AS" = user ]; then
    chown root: "$COPY"
    chmod u+s "$COPY"
    check "the copy is setuid root" test -u "$COPY"
else
    chown :nogroup "$COPY"
    chmod g+s "$COPY"
    check "the copy is setgid nogroup" test -g "$COPY"
fi

run_copy --version
expect_rc 125 "the setuid/setgid copy refuses --version with 125"
check "the refusal says why" grep -q "sbxrun must not be installed setuid or setgid" "$ERR"
check "nothing on stdout" test ! -s "$OUT"

run_copy -- touch "$FIX/tmp/ran"
expect_rc 125 "the setuid/setgid copy refuses to run a command"
check "the command did not run" test ! -e "$FIX/tmp/ran"

done_testing
