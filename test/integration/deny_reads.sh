#!/bin/bash
# Issue 15: reads of denied paths in the denial report. Under bwrap sbxrun-inner mounts its deny
# watcher (inner/deny_watch.hpp) over each filesystem.deny path when the sandbox may open
# /dev/fuse (root; an unprivileged user where /dev/fuse is mode 0666): each lookup below, open,
# listing, access(2) or chdir is refused as before and listed once as op "read" with its rule.
# Where the watcher cannot run the reads are refused all the same, unlisted. Either way nothing
# of the denied content is shown, the command gets no /dev/fuse, killing or stopping the watcher
# reveals nothing, and the host is left as it was.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
make_workspace
mkdir -p "$FIX/home/.secret/sub"
echo TOPSECRET >"$FIX/home/.secret/key"
echo CREDENTIAL >"$FIX/home/cred.txt"
printf 'version = 1\n[filesystem]\ndeny = ["~/.secret", "~/cred.txt"]\n' >"$FIX/deny.toml"
own_fix
chmod 600 "$FIX/home/cred.txt" "$FIX/home/.secret/key"
H=$FIX/home
ST=$FIX/status.json

# reads PATH: "count|why|rule" of the read entry for PATH ("" when none).
reads() {
    python3 - "$ST" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["denials"]["filesystem"]:
    if e["op"] == "read" and e["path"] == sys.argv[2]:
        print("%s|%s|%s" % (e["count"], e["why"], e["rule"]))
PY
}
n_reads() {
    python3 -c 'import json,sys; print(sum(1 for e in json.load(open(sys.argv[1]))["denials"]["filesystem"] if e["op"] == "read"))' "$ST"
}

# Whether the runner may open /dev/fuse: then bwrap's runs list the reads.
if as_runner sh -c 'exec 3<>/dev/fuse' 2>/dev/null; then watched=1; else watched=0; fi

if ! (cd "$WS" && as_runner "$SBXRUN" --backend bwrap -- true) >/dev/null 2>&1; then
    ok "# SKIP bwrap cannot run here as $SBXRUN_AS"
else
    before=$(fingerprint "$H")
    sbx --backend bwrap --policy "$FIX/deny.toml" --status-file "$ST" -- sh -c '
        cat "$HOME/.secret/key"; cat "$HOME/.secret/sub/x"; ls "$HOME/.secret"
        cat "$HOME/cred.txt"; cat "$HOME/cred.txt"; cd "$HOME/.secret"
        test -e "$HOME/cred.txt" && echo exists; stat -c "%a" "$HOME/.secret" "$HOME/cred.txt"
        ls /dev; exit 0'
    expect_rc 0 "bwrap: reads of denied paths run (and fail)"
    check "  bwrap: no denied content is shown" sh -c "! grep -q 'TOPSECRET\|CREDENTIAL' '$OUT' '$ERR'"
    check "  bwrap: each read failed with EACCES, as before" \
        test "$(grep -c 'Permission denied' "$ERR")" -ge 5
    check "  bwrap: the paths look as before: there, mode 0" \
        test "$(grep -c '^0$' "$OUT")" = 2 -a "$(grep -c '^exists$' "$OUT")" = 1
    check "  bwrap: the command has no /dev/fuse" sh -c "! grep -qx fuse '$OUT'"
    if [ "$watched" = 1 ]; then
        R='|denied|filesystem.deny "~/.secret"'
        check "  bwrap: a file read below a denied directory is listed once" \
            test "$(reads "$H/.secret/key")" = "1$R (${FIX}/deny.toml:3: filesystem.deny[0])"
        check "  bwrap: so is the first name looked up on the way to a deeper one" \
            test "$(reads "$H/.secret/sub")" = "1$R (${FIX}/deny.toml:3: filesystem.deny[0])"
        check "  bwrap: listing the directory and cd into it: the directory, count 2" \
            test "$(reads "$H/.secret")" = "2$R (${FIX}/deny.toml:3: filesystem.deny[0])"
        check "  bwrap: a denied file read twice: one entry, count 2" \
            test "$(reads "$H/cred.txt")" = "2|denied|filesystem.deny \"~/cred.txt\" (${FIX}/deny.toml:3: filesystem.deny[1])"
        check "  bwrap: stat and test -e read nothing: four entries in all" test "$(n_reads)" = 4
        check "  bwrap: the last line says how many reads of which rules" \
            sh -c "tail -n 1 '$ERR' | grep -qx 'sbxrun: refused 6 reads of denied paths (~/.secret, ~/cred.txt); the status document lists each'"
    else
        # This host's /dev/fuse is not the runner's to open (mode 0600): the fallback.
        check "  bwrap: $SBXRUN_AS may not open /dev/fuse: no read is listed" test "$(n_reads)" = 0
    fi
    after=$(fingerprint "$H")
    check "  bwrap: the host is as it was" test "$before" = "$after"

    # Turned off (SBXRUN_DENY_WATCH=0, a test knob): refused as before, nothing listed.
    (cd "$WS" && as_runner env SBXRUN_DENY_WATCH=0 "$SBXRUN" --backend bwrap --policy "$FIX/deny.toml" \
        --status-file "$ST" -- sh -c 'cat "$HOME/cred.txt"; exit 0') >"$OUT" 2>"$ERR"
    check "bwrap, watcher off: the read is refused, unlisted" \
        sh -c "grep -q 'Permission denied' '$ERR' && ! grep -q CREDENTIAL '$OUT' && [ \"\$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[\"denials\"][\"filesystem\"]))' '$ST')\" = 0 ]"

    if [ "$watched" = 1 ]; then
        # The command kills the watcher: every later read fails (ENOTCONN), nothing is shown.
        sbx --backend bwrap --policy "$FIX/deny.toml" -- sh -c '
            for p in /proc/[0-9]*; do
                [ "$(cat "$p/comm" 2>/dev/null)" = sbxrun-deny ] && kill -9 "${p#/proc/}"
            done
            sleep 0.2
            cat "$HOME/.secret/key"; cat "$HOME/cred.txt"; ls "$HOME/.secret"; exit 0'
        check "bwrap: the watcher killed from inside: the reads fail, nothing is shown" \
            sh -c "! grep -q 'TOPSECRET\|CREDENTIAL' '$OUT' && [ \$(grep -c 'not connected\|Permission denied' '$ERR') -ge 3 ]"
        # Stopped instead: sbxrun-inner lets it go on at once, so neither the command's reads
        # nor sbxrun-inner's own lookups (a chmod it performs for the command, left running in
        # the background) hold the run; it hung past the command's end before (fortieth
        # review). The --timeout is only a bound: the run must end by itself, with 0.
        sbx --backend bwrap --timeout 60 --policy "$FIX/deny.toml" --status-file "$ST" -- sh -c '
            for p in /proc/[0-9]*; do
                [ "$(cat "$p/comm" 2>/dev/null)" = sbxrun-deny ] && kill -STOP "${p#/proc/}"
            done
            chmod 666 "$HOME/.secret/key" &
            sleep 0.5; cat "$HOME/.secret/key"; exit 0'
        check "bwrap: the watcher stopped from inside: the run ends by itself (0), nothing shown" \
            sh -c "[ $RC = 0 ] && ! grep -q TOPSECRET '$OUT'"
        check "bwrap: ... the reads are refused and listed all the same (chmod's lookups, cat's)" \
            test "$(reads "$H/.secret/key" | cut -d'|' -f2-)" = "denied|filesystem.deny \"~/.secret\" ($FIX/deny.toml:3: filesystem.deny[0])"
        check "bwrap: ... and the host is as it was" test "$(fingerprint "$H")" = "$before"
    fi
fi

# A denied directory and a denied file inside it (a redundant but easy policy to write): the
# inner one is not watched on its own (it can only be reached through the outer one), and the
# run starts at all (thirty-sixth review: it hung before the command, SIGTERM included).
printf 'version = 1\n[filesystem]\ndeny = ["~/.secret", "~/.secret/key"]\n' >"$FIX/nested.toml"
own_fix
t0=$SECONDS
(cd "$WS" && as_runner timeout -k 5 60 "$SBXRUN" --backend bwrap --policy "$FIX/nested.toml" \
    --status-file "$ST" -- sh -c 'cat "$HOME/.secret/key"; echo ran') >"$OUT" 2>"$ERR"
RC=$?
check "bwrap: nested denied paths: the command runs, at once, and sees nothing" \
    sh -c "[ $RC = 0 ] && grep -qx ran '$OUT' && ! grep -q TOPSECRET '$OUT' && [ $((SECONDS - t0)) -lt 30 ]"
if [ "$watched" = 1 ]; then
    check "  bwrap: ... and the read is listed once, under the rule that names it" \
        test "$(reads "$H/.secret/key")" = "1|denied|filesystem.deny \"~/.secret/key\" (${FIX}/nested.toml:3: filesystem.deny[1])"
fi

# Without the watcher a denied file is bwrap's bind of a deleted file, which the kernel names
# "PATH (deleted)": a chmod of it is listed under PATH, denied, with its rule (thirty-sixth
# review: it read "cred.txt (deleted)", outside every writable root).
(cd "$WS" && as_runner env SBXRUN_DENY_WATCH=0 "$SBXRUN" --backend bwrap --policy "$FIX/deny.toml" \
    --status-file "$ST" -- sh -c 'chmod 600 "$HOME/cred.txt"; exit 0') >"$OUT" 2>"$ERR"
check "bwrap, watcher off: a chmod of a denied file is listed under its path, with its rule" \
    python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["denials"]["filesystem"]
assert [(e["op"], e["path"], e["why"]) for e in fs] == [("chmod", sys.argv[2], "denied")], fs
assert "filesystem.deny" in fs[0]["rule"], fs
' "$ST" "$H/cred.txt"

# Policies that clash with the sandbox's shape (thirty-seventh review), each said plainly:
# - the workspace itself, or "/", denied: the policy's to fix (125), on every backend;
for p in '${workspace}' '/'; do
    printf 'version = 1\n[filesystem]\ndeny = ["%s"]\n' "$p" >"$FIX/clash.toml"
    own_fix
    sbx --policy "$FIX/clash.toml" -- true
    expect_rc 125 "deny = [\"$p\"]: refused as the policy's to fix (125), saying what it hides"
    check "  deny = [\"$p\"]: ... naming the rule" grep -q 'filesystem.deny.*hides' "$ERR"
done
# - HOME denied, with sbxrun's own protections and the private caches inside it: those are
#   hidden with it, and bwrap runs the plan (it failed its checks, as "cannot reach");
printf 'version = 1\n[filesystem]\ndeny = ["${home}"]\n' >"$FIX/home.toml"
own_fix
sbx --backend bwrap --policy "$FIX/home.toml" --status-file "$ST" -- sh -c 'ls "$HOME" >/dev/null 2>&1; echo ran'
check "bwrap: HOME denied: the run starts, under bwrap" \
    sh -c "[ $RC = 0 ] && grep -qx ran '$OUT' && [ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"backend\"])' '$ST')\" = bwrap ]"
# - a denied directory that holds the workspace: bwrap cannot reach inside it and says so in
#   one line; Landlock (which grants by rule, not by walking) runs it.
printf 'version = 1\n[filesystem]\ndeny = ["%s"]\n' "$(dirname "$WS")" >"$FIX/parent.toml"
own_fix
sbx --backend bwrap --policy "$FIX/parent.toml" -- true
expect_rc 121 "bwrap: a denied directory holding the workspace: bwrap cannot run it (121)"
check "  bwrap: ... and says why in one line" grep -q 'cannot reach a path inside a hidden directory' "$ERR"
# - a rule under /proc or /dev, which are the sandbox's own: not applied, and said so, on stderr
#   and in the status document (it was said by --explain alone).
printf 'version = 1\n[filesystem]\ndeny = ["/dev/null"]\n' >"$FIX/dev.toml"
own_fix
sbx --backend bwrap --policy "$FIX/dev.toml" --status-file "$ST" -- true
check "bwrap: deny of /dev/null: not applied, and said (stderr and approximated)" \
    sh -c "grep -q 'approximated:.*/dev/null' '$ERR' && python3 -c 'import json,sys; assert any(\"/dev/null\" in a for a in json.load(open(sys.argv[1]))[\"approximated\"])' '$ST'"
# - under /dev/shm, the sandbox's own empty directory unless the policy binds the host's: not
#   applied either (it only made a name appear there), and said; applied with the bind.
SHM=$(mktemp -d /dev/shm/sbxrun-test.XXXXXX) && echo SHMSECRET >"$SHM/k" && chmod -R a+rX "$SHM"
printf 'version = 1\n[filesystem]\ndeny = ["%s"]\n' "$SHM" >"$FIX/shm.toml"
printf 'version = 1\n[filesystem]\nwrite = ["/dev/shm"]\ndeny = ["%s"]\n' "$SHM" >"$FIX/shmbound.toml"
own_fix
sbx --backend bwrap --policy "$FIX/shm.toml" --status-file "$ST" -- ls /dev/shm
check "bwrap: deny under the sandbox's own /dev/shm: not applied, no name made, and said" \
    sh -c "[ $RC = 0 ] && [ ! -s '$OUT' ] && grep -q 'approximated:.*$SHM' '$ERR'"
sbx --backend bwrap --policy "$FIX/shmbound.toml" --status-file "$ST" -- cat "$SHM/k"
check "bwrap: deny under the host's /dev/shm bound by the policy: hidden" \
    sh -c "! grep -q SHMSECRET '$OUT' && ! grep -q approximated '$ERR'"
rm -rf "$SHM"
# - the temporary directory denied: safe, but every mktemp fails; said before the run.
printf 'version = 1\n[filesystem]\ndeny = ["${tmpdir}"]\n' >"$FIX/tmpdeny.toml"
own_fix
sbx --policy "$FIX/tmpdeny.toml" -- sh -c 'mktemp >/dev/null 2>&1 && echo made; exit 0'
check "deny = [\"\${tmpdir}\"]: no temporary file is made, and the warning says why first" \
    sh -c "[ $RC = 0 ] && ! grep -q made '$OUT' && grep -q 'temporary directory $FIX/tmp is hidden by filesystem.deny' '$ERR'"

# What a deny rule keeps besides the hidden path (a pinned link to it, its missing path, the
# directories above it) is refused as denied, not as protected or "outside every writable
# root" (thirty-ninth review), on both backends.
mkdir -p "$WS/hid" "$WS/up/secret" && ln -s hid "$WS/dl"
printf 'version = 1\n[filesystem]\ndeny = ["${workspace}/dl", "${workspace}/late.txt", "${workspace}/up/secret"]\n' \
    >"$FIX/kept.toml"
own_fix
for be in bwrap landlock; do
    sbx --backend "$be" --policy "$FIX/kept.toml" --status-file "$ST" -- \
        sh -c 'rm dl; mv dl dl2; echo x >late.txt; mv up up2; exit 0'
    check "$be: refusals of what a deny rule keeps are listed as denied, with the rule" \
        python3 -c 'import json, sys
fs = json.load(open(sys.argv[1]))["denials"]["filesystem"]
got = sorted((e["op"], e["path"][len(sys.argv[2]):], e["why"], e["rule"].split(" (")[0]) for e in fs)
assert got == [("create", "/late.txt", "denied", "filesystem.deny \"${workspace}/late.txt\""),
               ("remove", "/dl", "denied", "filesystem.deny \"${workspace}/dl\""),
               ("rename", "/dl", "denied", "filesystem.deny \"${workspace}/dl\""),
               ("rename", "/up", "denied", "filesystem.deny \"${workspace}/up/secret\"")], got' \
        "$ST" "$WS"
done
rm -rf "$WS/hid" "$WS/up" "$WS/dl"

# The host mounts a denied directory elsewhere too (thirty-ninth review: a bind mount of it, of
# a part of it, and of the workspace that holds it): each other place is hidden as well, on
# both backends. Making the mounts needs root, which the test itself is (the runner may not be).
# hidden_on_both POLICY PATTERN DESCRIPTION FILE...: on both backends `cat FILE...` ends
# normally and shows nothing matching PATTERN.
hidden_on_both() {
    local policy=$1 pattern=$2 desc=$3 be
    shift 3
    for be in bwrap landlock; do
        sbx --backend "$be" --policy "$policy" -- sh -c 'cat "$@"; exit 0' sh "$@"
        check "$be: $desc" sh -c "[ $RC = 0 ] && ! grep -q '$pattern' '$OUT'"
    done
}
printf 'version = 1\n[filesystem]\ndeny = ["${workspace}/secret"]\n' >"$FIX/aliased.toml"
printf 'version = 1\n[filesystem]\ndeny = ["%s"]\n' "$WS/secret" >"$FIX/aliased_abs.toml"
if [ "$(id -u)" = 0 ] && mkdir -p "$FIX/alias" "$FIX/alias_part" "$FIX/ws_again" &&
    mkdir -p "$WS/secret/part" && echo ALIASED >"$WS/secret/key" &&
    echo PARTIAL >"$WS/secret/part/k" && own_fix && mount --bind "$WS/secret" "$FIX/alias" &&
    mount --bind "$WS/secret/part" "$FIX/alias_part" && mount --bind "$WS" "$FIX/ws_again"; then
    hidden_on_both "$FIX/aliased.toml" 'ALIASED\|PARTIAL' \
        "a denied directory mounted elsewhere by the host stays hidden there too" \
        "$FIX/alias/key" "$FIX/alias_part/k" "$FIX/ws_again/secret/key" secret/key
    # A workspace bound from inside the denied directory is denied content: refused (125). Left
    # visible with a warning for a while (forty-first review), it opened under Landlock that part
    # of the denied directory at its own path, mounts below it included (forty-second).
    for be in bwrap landlock; do
        (cd "$FIX/alias_part" && as_runner "$SBXRUN" --backend "$be" --policy "$FIX/aliased_abs.toml" \
            --workspace "$FIX/alias_part" -- sh -c 'echo made >new.txt && cat new.txt k') >"$OUT" 2>"$ERR"
        RC=$?
        check "$be: a workspace bound from inside a denied directory is refused (125), nothing ran" \
            sh -c "[ $RC = 125 ] && ! grep -q 'made\|PARTIAL' '$OUT' && [ ! -e '$WS/secret/part/new.txt' ]"
    done
    umount "$FIX/alias" "$FIX/alias_part" "$FIX/ws_again"
    rm -rf "$WS/secret"
    # A directory above a denied one mounted again below itself (forty-first review; the root
    # file system mounted again at /sysroot/x is the same case): under Landlock the walk through
    # the alias granted the directory holding the mount point whole, and with it the denied one.
    # Every mount here shows the fixture only, and is made after own_fix (lib.sh: a recursive
    # chown or rm through a mount of / reaches the whole host).
    mkdir -p "$FIX/o/sec" "$FIX/o/m/e" && echo ANCESTOR >"$FIX/o/sec/key"
    printf 'version = 1\n[filesystem]\ndeny = ["%s"]\n' "$FIX/o/sec" >"$FIX/ancestor.toml"
    own_fix
    if mount --bind "$FIX/o" "$FIX/o/m/e"; then
        hidden_on_both "$FIX/ancestor.toml" ANCESTOR \
            "a denied directory read through a mount of its parent: hidden" \
            "$FIX/o/m/e/sec/key" "$FIX/o/sec/key"
        umount "$FIX/o/m/e"
    fi
else
    ok "# SKIP bind mounts need root"
fi

# Landlock: the kernel refuses the reads (EACCES) and says nothing to anyone: never listed.
if (cd "$WS" && as_runner "$SBXRUN" --backend landlock -- true) >/dev/null 2>&1; then
    sbx --backend landlock --policy "$FIX/deny.toml" --status-file "$ST" -- sh -c '
        cat "$HOME/.secret/key"; cat "$HOME/cred.txt"; exit 0'
    check "landlock: denied reads fail, unlisted" \
        sh -c "! grep -q 'TOPSECRET\|CREDENTIAL' '$OUT' && [ \"\$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[\"denials\"][\"filesystem\"]))' '$ST')\" = 0 ]"
    # A protected name of the set inside a denied directory, with HOME as the workspace: the
    # protection's read-only grant made the denied file readable under Landlock (thirty-eighth
    # review: ~/.aws/credentials inside a denied ~/.aws). What a denied directory holds is
    # hidden with it, on every backend; a protected path in a writable root inside one stays.
    mkdir -p "$H/.aws" "$H/.config/git"
    echo AWSCRED >"$H/.aws/credentials"
    echo GITCFG >"$H/.config/git/config"
    printf 'version = 1\n[filesystem]\ndeny = ["~/.aws", "~/.config"]\n' >"$FIX/dotdeny.toml"
    own_fix
    for be in landlock bwrap; do
        (cd "$H" && as_runner "$SBXRUN" -q --backend "$be" --policy "$FIX/dotdeny.toml" \
            --workspace "$H" -- sh -c 'cat .aws/credentials .config/git/config; echo x >>.config/git/config; exit 0') \
            >"$OUT" 2>"$ERR"
        check "$be: HOME as the workspace: protected files inside denied directories stay unreadable" \
            sh -c "! grep -q 'AWSCRED\|GITCFG' '$OUT' && [ \"\$(cat '$H/.config/git/config')\" = GITCFG ]"
    done
    (cd "$H" && as_runner "$SBXRUN" --policy "$FIX/dotdeny.toml" --workspace "$H" --explain) >"$OUT" 2>"$ERR"
    check "--explain: a protected file inside a denied directory reads as hidden, not read-only" \
        grep -q "^  $H/.aws/credentials: hidden by filesystem.deny" "$OUT"
    rm -rf "$H/.aws" "$H/.config"
else
    ok "# SKIP landlock cannot run here as $SBXRUN_AS"
fi

# The command itself inside a denied directory: it cannot run (127 under bwrap, where the
# directory is empty; 126 under Landlock), and the report says why, once, as op "exec", on
# both backends and whether or not the deny watcher runs (under Landlock nothing saw it).
printf '#!/bin/sh\necho RAN\n' >"$H/.secret/run"
chmod 755 "$H/.secret/run"
own_fix
for be in bwrap landlock; do
    ln -sfn ../home/.secret/run "$WS/r"
    for cmd in "$H/.secret/run" "../home/.secret/run" "./r"; do
        sbx --backend "$be" --policy "$FIX/deny.toml" --status-file "$ST" -- "$cmd"
        check "$be: $cmd in a denied directory does not run (exit $RC)" \
            sh -c "[ '$RC' = 126 ] || [ '$RC' = 127 ]; ! grep -q RAN '$OUT'"
        check "  $be: listed once, as its exec, with the deny rule" test "$(python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["denials"]["filesystem"]
print([(e["op"], e["count"], e["why"], e["rule"].split(" (")[0]) for e in fs])' "$ST")" \
            = "[('exec', 1, 'denied', 'filesystem.deny \"~/.secret\"')]"
        check "  $be: the line on stderr says so" grep -q "refused the exec of .* (denied: ~/.secret)" "$ERR"
    done
done
rm -f "$H/.secret/run" "$WS/r"
done_testing
