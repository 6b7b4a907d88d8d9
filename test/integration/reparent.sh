#!/bin/bash
# Links and renames between two directories of a writable root work on both backends, as they
# do outside the sandbox; between mounts and into read-only places they are still refused.
#
# Under bwrap they once failed with EXDEV wherever the write layer (inner/write_layer.hpp) was
# entered: REFER is the one Landlock right every layer refuses unless a rule grants it, handled
# or not. mv hid it by copying instead, so nothing here uses mv: python's os.rename and os.link
# make the one call and report its error. The everyday case that showed it: git push into a
# local bare repository in ${tmpdir}, whose objects git moves out of a quarantine directory.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
command -v git >/dev/null || skip_all "git is not installed"
make_workspace
mkdir -p "$WS/old/a" "$WS/old/b"
own_fix
before_outside=$(fingerprint "$FIX/outside")
before_git=$(fingerprint "$WS/.git")
hgit() { as_runner env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    git -c user.name=t -c user.email=t@example.org "$@"; }

# py 'CODE': one python statement sequence in the sandbox, its OSError's errno as exit status.
PY='import os, sys
try:
    exec(sys.argv[1])
except OSError as e:
    print(e, file=sys.stderr); sys.exit(e.errno)'

for BACKEND in bwrap landlock; do
    # In directories that existed before the run (granted ones under bwrap's entry broker)
    # and in directories the run made at the top of the workspace. Hard links beneath those are
    # bwrap's only: under Landlock that top has no rights of its own and sbxrun does not make
    # links there (sbxrun(1), LIMITATIONS).
    mkdir -p "$FIX/tmp/t/a" "$FIX/tmp/t/b"
    own_fix
    sbx --backend "$BACKEND" -- python3 -c "$PY" '
for d in ("old", "new", os.environ["TMPDIR"] + "/t"):
    os.makedirs(d + "/a", exist_ok=True); os.makedirs(d + "/b", exist_ok=True)
    open(d + "/a/f", "w").write("x")
    if d != "new" or sys.argv[2] == "bwrap":
        os.link(d + "/a/f", d + "/b/hard")
    os.rename(d + "/a/f", d + "/b/moved")
    os.mkdir(d + "/a/sub")
    os.rename(d + "/a/sub", d + "/b/sub")' "$BACKEND"
    expect_rc 0 "$BACKEND: os.link and os.rename between directories of writable roots"
    check "$BACKEND: ... the link and the moves land on the host" \
        test -f "$WS/old/b/hard" -a -f "$WS/old/b/moved" -a -d "$WS/new/b/sub" \
        -a "$WS/old/b/hard" -ef "$WS/old/b/moved" -a "$FIX/tmp/t/b/hard" -ef "$FIX/tmp/t/b/moved"
    rm -rf "$WS/old/a"/* "$WS/old/b"/* "$WS/new" "$FIX/tmp/t"

    # Still refused: a link of a protected file, a move out of the workspace, a link of a
    # read-only file of the host. EXDEV between mounts (bwrap), EXDEV or EACCES (Landlock).
    for code in 'os.link(".git/config", "old/a/c")' \
        "os.rename(\"src/file.txt\", \"$FIX/outside/moved\")" \
        "os.link(\"$FIX/outside/file.txt\", \"old/a/o\")" \
        'os.rename(".git/config", "old/a/c")'; do
        sbx --backend "$BACKEND" -- python3 -c "$PY" "$code"
        expect_denied "$BACKEND: $code is refused"
    done
    check "$BACKEND: ... nothing of it on the host" \
        test -z "$(ls -A "$WS/old/a")" -a -f "$WS/src/file.txt" -a ! -e "$FIX/outside/moved"

    # git push into a local bare repository in ${tmpdir}: a configured remote, whose hooks and
    # config sbxrun protects (sbxrun(1): local remotes).
    rm -rf "$FIX/tmp/o.git" "$FIX/clone"
    hgit init -q --bare "$FIX/tmp/o.git"
    hgit clone -q "$FIX/tmp/o.git" "$FIX/clone" 2>/dev/null
    hgit -C "$FIX/clone" commit -q --allow-empty -m first
    hgit -C "$FIX/clone" push -q origin HEAD:refs/heads/main
    echo x >"$FIX/clone/f"
    hgit -C "$FIX/clone" add f
    hgit -C "$FIX/clone" commit -q -m second
    (cd "$FIX/clone" && as_runner "$SBXRUN" --backend "$BACKEND" -- env GIT_CONFIG_NOSYSTEM=1 \
        GIT_CONFIG_GLOBAL=/dev/null git push -q origin HEAD:refs/heads/pushed) >"$OUT" 2>"$ERR"
    RC=$?
    check "$BACKEND: git push into a local bare repository in \${tmpdir} delivers the objects" \
        test "$(hgit -C "$FIX/tmp/o.git" rev-parse -q --verify refs/heads/pushed 2>/dev/null)" = \
        "$(hgit -C "$FIX/clone" rev-parse HEAD)"
    check "$BACKEND: ... and says nothing of migrating objects" \
        sh -c '! grep -q "unable to migrate\|cross-device" "$1"' sh "$ERR"
done

check "the outside directory is unchanged on the host" \
    test "$(fingerprint "$FIX/outside")" = "$before_outside"
check ".git is unchanged on the host" test "$(fingerprint "$WS/.git")" = "$before_git"
done_testing
