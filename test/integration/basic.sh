#!/bin/bash
# The default policy end to end: workspace writable, the rest read-only, protected names
# read-only, exit statuses passed through, a status document on every path.
. "$(dirname "$0")/lib.sh"
make_workspace
before_outside=$(fingerprint "$FIX/outside")
before_git=$(fingerprint "$WS/.git")

sbx -- true
expect_rc 0 "sbxrun -- true exits 0"

sbx -- sh -c 'exit 7'
expect_rc 7 "the command's exit status is passed through"

sbx -- sh -c 'echo made >new.txt && echo more >>src/file.txt && mkdir -p a/b && echo x >a/b/c'
expect_rc 0 "writes inside the workspace succeed"
check "workspace writes land on the host" grep -q made "$WS/new.txt"
check "nested workspace writes land on the host" test -f "$WS/a/b/c"

sbx -- sh -c 'echo x >"$TMPDIR/t" && cat "$TMPDIR/t"'
expect_rc 0 "the temp dir is writable"

sbx -- sh -c "echo pwned >$FIX/outside/file.txt"
expect_denied "writing outside the writable roots fails"
sbx -- sh -c "echo pwned >$FIX/outside/new.txt"
expect_denied "creating outside the writable roots fails"
sbx -- sh -c "rm -f $FIX/outside/file.txt"
expect_denied "removing outside the writable roots fails"
check "outside directory unchanged on the host" test "$(fingerprint "$FIX/outside")" = "$before_outside"

for attempt in 'echo evil >>.git/config' 'rm -rf .git' 'mv .git .git2' 'touch .git/hooks' \
               'rm .git/config' 'ln -s /tmp .git/x'; do
    sbx -- sh -c "$attempt"
    expect_denied "protected .git: '$attempt' fails"
done
check ".git unchanged on the host" test "$(fingerprint "$WS/.git")" = "$before_git"

sbx -- sh -c 'cat .git/config'
expect_rc 0 "protected paths stay readable"

sbx -- sh -c 'mkdir .codex || touch .codex/x || echo x > .agents'
expect_denied "missing protected names cannot be created"
check "no missing protected name is left on the host" \
    sh -c "! test -e '$WS/.codex' && ! test -e '$WS/.agents' && ! test -e '$FIX/tmp/.git'"

sbx --status-file "$FIX/.status" -- sh -c 'exit 3'
expect_rc 3 "exit 3 with --status-file"
check "status document: outcome exited" test "$(status_field "$FIX/.status" outcome)" = exited
check "status document: exit_code 3" test "$(status_field "$FIX/.status" exit_code)" = 3
check "status document: backend bwrap" test "$(status_field "$FIX/.status" backend)" = bwrap

sbx -- sh -c 'grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|CapInh)" /proc/self/status | grep -v "0000000000000000"; grep -q "NoNewPrivs:.*1" /proc/self/status'
expect_rc 0 "the command has no capabilities and no_new_privs"

sbx -- sh -c 'test "$(id -u)" = "$1"' sh "$(as_runner id -u)"
expect_rc 0 "the command runs as the caller's uid"

done_testing
