#!/bin/bash
# Around the workspace, as the fifteenth outside review attacked it:
#   1. a workspace below a writable root (a clone in ${tmpdir}): the names that tools read in
#      every directory above where they start (.cargo/config.toml, .cargo/config, .yarnrc,
#      .yarnrc.yml, besides .git and .envrc) cannot be made in the directories between;
#   2. a repository nested in a work tree whose top has the user's .sbxrun.toml (made by the
#      command with `git init src`) does not take the workspace, and that policy, away;
#   3. the account's own home (the password database's, which login shells and sshd read) kept
#      in git, with HOME set elsewhere by a harness: it does not become the workspace; its
#      dotfiles hard-linked into the workspace make the run need approval, and a workspace
#      holding it (/home kept in git) leaves its start-up files protected (sixteenth review);
#   4. -C moves the command, not the workspace (said when outside it), and "/" is refused.
# Checked on the host afterwards.
. "$(dirname "$0")/lib.sh"
make_workspace
runner=()
[ "$SBXRUN_AS" = user ] && runner=(setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups)

# 1. Parents inside ${tmpdir}.
P=$FIX/tmp/clones/proj
mkdir -p "$P"
git init -q "$P"
own_fix
(cd "$P" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -- sh -c '
    mkdir -p ../.cargo; echo "[build]" >../.cargo/config.toml; echo x >../.cargo/config
    echo x >../.yarnrc; echo x >../.yarnrc.yml; echo x >"$TMPDIR/.yarnrc.yml"
    echo ok >../other') >"$OUT" 2>"$ERR"
for f in .cargo/config.toml .cargo/config .yarnrc .yarnrc.yml; do
    check "a clone in \${tmpdir}: ../$f cannot be made above the workspace" \
        test ! -e "$FIX/tmp/clones/$f"
done
check "... nor \${tmpdir}/.yarnrc.yml at the top of the root" test ! -e "$FIX/tmp/.yarnrc.yml"
check "... and the rest of \${tmpdir} is writable" test -s "$FIX/tmp/clones/other"

# 2. A nested repository under a project with its own (trusted) policy.
N=$FIX/nested
mkdir -p "$N/ws/src" "$N/secret"
echo hidden >"$N/secret/key"
git init -q "$N/ws"
printf 'version = 1\n[filesystem]\ndeny = ["%s"]\n' "$N/secret" >"$N/ws/.sbxrun.toml"
own_fix
(cd "$N/ws" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --trust-policy) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "the project's .sbxrun.toml is trusted"
(cd "$N/ws" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -- git init -q src) \
    >"$OUT" 2>"$ERR"
check "(the command made a nested repository in src)" test -d "$N/ws/src/.git"
(cd "$N/ws/src" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -- cat "$N/secret/key") \
    >"$OUT" 2>"$ERR"
check "the next run from src still has the project's policy (the secret stays denied)" \
    sh -c "! grep -q hidden '$OUT'"
(cd "$N/ws/src" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --explain) >"$OUT" 2>"$ERR"
check "... its workspace is the project's top" grep -q "^workspace: $N/ws " "$OUT"

# 3. The passwd home in git, HOME elsewhere: a fixture mounted over the real home in a mount
#    namespace of its own, so that the real one is never touched.
user=$([ "$SBXRUN_AS" = user ] && echo "$TEST_USER" || echo root)
real=$(getent passwd "$user" | cut -d: -f6)
R=$FIX/realhome
mkdir -p "$R/proj" "$FIX/agenthome"
git init -q "$R"
own_fix
if [ -d "$real" ] && command -v unshare >/dev/null; then
    unshare -m sh -c 'mount --bind "$1" "$2" && cd "$2/proj" && shift 2 && exec "$@"' sh "$R" "$real" \
        "${runner[@]}" env HOME="$FIX/agenthome" TMPDIR="$FIX/tmp" XDG_CONFIG_HOME= "$SBXRUN" \
        --backend "$BACKEND" -- sh -c 'cd .. && echo owned >.profile && mkdir -p .ssh && echo k >.ssh/authorized_keys' \
        >"$OUT" 2>"$ERR"
    check "the account's own home in git, HOME elsewhere: .profile cannot be made there" \
        test ! -e "$R/.profile"
    check "... nor .ssh/authorized_keys" test ! -e "$R/.ssh/authorized_keys"
    echo orig >"$R/proj/bashrc"
    ln "$R/proj/bashrc" "$R/.bashrc"
    own_fix
    unshare -m sh -c 'mount --bind "$1" "$2" && cd "$2/proj" && shift 2 && exec "$@"' sh "$R" "$real" \
        "${runner[@]}" env HOME="$FIX/agenthome" TMPDIR="$FIX/tmp" XDG_CONFIG_HOME= "$SBXRUN" \
        --backend "$BACKEND" -- sh -c 'echo owned >>bashrc' >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 122 "the passwd home's .bashrc hard-linked into the workspace: 122"
    check "... and it is unchanged" test "$(cat "$R/.bashrc")" = orig
    rm -f "$R/.bashrc" "$R/proj/bashrc"
    if [ "$SBXRUN_AS" = user ] && [ "$(dirname "$real")" = /home ]; then
        # /home itself a git work tree, the run in /home/proj: the workspace holds the home.
        mkdir -p "$FIX/homes/$(basename "$real")" "$FIX/homes/proj"
        git init -q "$FIX/homes"
        own_fix
        unshare -m sh -c 'mount --bind "$1" /home && cd /home/proj && shift && exec "$@"' sh \
            "$FIX/homes" "${runner[@]}" env HOME="$FIX/agenthome" TMPDIR="$FIX/tmp" \
            XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -- \
            sh -c "echo owned >'$real/.profile'; mkdir -p '$real/.ssh'" >"$OUT" 2>"$ERR"
        check "a workspace holding the passwd home: its .profile cannot be made" \
            test ! -e "$FIX/homes/$(basename "$real")/.profile"
        check "... nor its .ssh" test ! -e "$FIX/homes/$(basename "$real")/.ssh"
    fi
else
    ok "# SKIP no passwd home for $user, or no unshare(1)"
fi
# 4. A passwd home spelled through a link in the workspace, or missing inside it (seventeenth
#    outside review: the link was repointed at the command's own .bashrc, the missing home made
#    with a .profile). /etc/passwd is replaced in a mount namespace of its own.
uid=$(id -u "$user")
P=$FIX/pw
mkdir -p "$P/ws/h" "$P/ws/evil"
git init -q "$P/ws"
echo orig >"$P/ws/h/.bashrc"
ln -s h "$P/ws/hl"
own_fix
with_passwd_home() {  # with_passwd_home DIR CMD...: CMD in $P/ws, DIR the user's passwd home
    local ph=$1
    shift
    awk -F: -v OFS=: -v uid="$uid" -v ph="$ph" '$3 == uid { $6 = ph } 1' /etc/passwd >"$FIX/passwd"
    chmod 644 "$FIX/passwd"
    unshare -m sh -c 'mount --bind "$1" /etc/passwd && cd "$2" && shift 2 && exec "$@"' sh \
        "$FIX/passwd" "$P/ws" "${runner[@]}" env HOME="$FIX/agenthome" TMPDIR="$FIX/tmp" \
        XDG_CONFIG_HOME= XDG_CACHE_HOME="$FIX/tmp/cache" "$SBXRUN" --backend "$BACKEND" "$@" \
        >"$OUT" 2>"$ERR"
}
if command -v unshare >/dev/null; then
    with_passwd_home "$P/ws/hl" -- sh -c 'echo owned >evil/.bashrc; ln -sfn evil hl'
    check "a passwd home through a link in the workspace: the link cannot be repointed" \
        test "$(readlink "$P/ws/hl")" = h
    check "... and its .bashrc is the host's" test "$(cat "$P/ws/hl/.bashrc")" = orig
    with_passwd_home "$P/ws/newhome" -- sh -c 'mkdir -p newhome; echo owned >newhome/.profile'
    check "a missing passwd home inside the workspace cannot be made" test ! -e "$P/ws/newhome"
    with_passwd_home "$P/ws/newhome" --explain
    check "... and --explain says so" grep -q "a home directory, missing" "$OUT"
    # ".." after a link, as the kernel takes it (eighteenth review): ws/l/../h with
    # ws/l -> a/b is ws/a/h, reached through ws/l.
    mkdir -p "$P/ws/a/b" "$P/ws/c/d" "$P/ws/c/h"
    ln -s a/b "$P/ws/l"
    own_fix
    with_passwd_home "$P/ws/l/../h" -- sh -c 'mkdir -p a/h; echo owned >a/h/.bashrc'
    check "a missing passwd home written ws/l/../h: ws/a/h cannot be made" test ! -e "$P/ws/a/h"
    mkdir -p "$P/ws/a/h"
    echo orig >"$P/ws/a/h/.bashrc"
    own_fix
    with_passwd_home "$P/ws/l/../h" -- sh -c 'echo owned >c/h/.bashrc; rm l; ln -s c/d l'
    check "... nor, once it exists, the link on the way repointed" test "$(readlink "$P/ws/l")" = a/b
    check "... and its .bashrc is the host's" test "$(cat "$P/ws/l/../h/.bashrc")" = orig
    mkdir -p "$P/ws/x/y" "$P/ws/x/h"
    own_fix
    with_passwd_home "$P/ws/l/../h" -- sh -c 'echo owned >x/h/.bashrc; mv a/b a/b.old || rm -rf a/b; ln -s ../x/y a/b'
    check "... nor the directory its .. climbs out of swapped for a link" \
        test -d "$P/ws/a/b" -a ! -L "$P/ws/a/b"
    rm -rf "$P/ws/c" "$P/ws/x"
else
    ok "# SKIP no unshare(1)"
fi

# 5. HOME itself written with ".." after a link, and a relative HOME (nineteenth review: the
#    link was not pinned; HOME=. left ./.bashrc writable).
Q=$FIX/hq
mkdir -p "$Q/ws/a/b" "$Q/ws/a/h" "$Q/ws/c/d" "$Q/ws/c/h" "$Q/rel"
git init -q "$Q/ws"
ln -s a/b "$Q/ws/l"
echo orig >"$Q/ws/a/h/.bashrc"
own_fix
(cd "$Q/ws" && as_runner env HOME="$Q/ws/l/../h" XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" \
    -- sh -c 'echo owned >c/h/.bashrc; mv l l.old || rm l; ln -s c/d l') >"$OUT" 2>"$ERR"
check "HOME written ws/l/../h: the link on the way cannot be moved or repointed" \
    test "$(readlink "$Q/ws/l")" = a/b
check "... and HOME's .bashrc is the host's" test "$(cat "$Q/ws/l/../h/.bashrc")" = orig
# ... nor the directory its ".." climbs out of swapped for a link (twentieth review: a/b moved
# away, a/b -> ../x/y put there, and the same HOME led to x/h).
mkdir -p "$Q/ws/x/y" "$Q/ws/x/h"
own_fix
(cd "$Q/ws" && as_runner env HOME="$Q/ws/l/../h" XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" \
    -- sh -c 'echo owned >x/h/.bashrc; mv a/b a/b.old || rm -rf a/b; ln -s ../x/y a/b') \
    >"$OUT" 2>"$ERR"
check "HOME written ws/l/../h: the directory the .. climbs out of cannot be swapped" \
    test -d "$Q/ws/a/b" -a ! -L "$Q/ws/a/b"
check "... and HOME's .bashrc is still the host's" test "$(cat "$Q/ws/l/../h/.bashrc")" = orig
(cd "$Q/rel" && as_runner env HOME=. XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" \
    -- sh -c 'echo owned >.bashrc; echo owned >.profile; mkdir -p .ssh && echo x >.ssh/config') \
    >"$OUT" 2>"$ERR"
check "HOME=.: the start directory's .bashrc, .profile and .ssh cannot be made" \
    test ! -e "$Q/rel/.bashrc" -a ! -e "$Q/rel/.profile" -a ! -e "$Q/rel/.ssh"

# 4. -C moves the command, not the workspace: the writable workspace is the caller's choice,
#    and -C is often the command's (an agent's workdir: -C /etc would have made /etc writable as
#    root); a -C outside it is said on stderr (the twenty-eighth review: a harness passing its
#    project as -C from its own directory got that directory writable). And "/" is never the
#    workspace by default, by any spelling (thirtieth review: a link to "/"): a service or a
#    harness started from "/" would have run its commands with every file writable.
C=$FIX/cwdws
mkdir -p "$C/proj/sub" "$C/elsewhere"
git init -q "$C/proj"
own_fix
(cd "$C/elsewhere" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -C "$C/proj/sub" \
    -- sh -c 'echo made >../made; echo made >"$0/elsewhere/stray"' "$C") >"$OUT" 2>"$ERR"
check "-C outside the workspace: it stays read-only" test ! -e "$C/proj/made"
check "... the workspace is sbxrun's own directory" test -s "$C/elsewhere/stray"
check "... and stderr says where the command started and what the workspace is" \
    grep -q "starts in $C/proj/sub, outside the workspace $C/elsewhere" "$ERR"
(cd / && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -- sh -c 'echo x') \
    >"$OUT" 2>"$ERR"
RC=$?
check "run from / without --workspace: refused (125), nothing ran" \
    sh -c "test $RC = 125 && ! grep -qx x '$OUT' && grep -q 'would be the system directory /' '$ERR'"
(cd / && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" -C "$C/proj" -- true) \
    >"$OUT" 2>"$ERR"
check "run from / with -C: refused all the same (125)" test $? = 125
(cd / && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" --workspace "$C/proj" \
    -C "$C/proj" -- true) >"$OUT" 2>"$ERR"
check "run from / with --workspace: runs" test $? = 0
ln -sfn / "$C/elsewhere/rootlink"
own_fix
(cd "$C/elsewhere" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" \
    --workspace "$C/elsewhere/rootlink" -- sh -c 'echo x') >"$OUT" 2>"$ERR"
RC=$?
check "a link to / as --workspace: refused (125), nothing ran" \
    sh -c "test $RC = 125 && ! grep -qx x '$OUT' && grep -q 'root directory' '$ERR'"
(cd "$C/elsewhere/rootlink" && as_runner env PWD="$C/elsewhere/rootlink" XDG_CONFIG_HOME= \
    "$SBXRUN" --backend "$BACKEND" -- sh -c 'echo x') >"$OUT" 2>"$ERR"
RC=$?
check "run from inside a link to / (PWD spells the link): refused (125)" test "$RC" = 125
# ... nor "/" spelled otherwise (thirty-second review: ".", "/.", "//" went through), nor a
# system directory a planted link leads a harness's `cd` to (ws/x -> /etc).
for ws in / . /. // "$C/.."/../../..; do
    [ "$ws" = / ] && continue
    (cd / && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --backend "$BACKEND" --workspace "$ws" \
        -- sh -c 'echo x') >"$OUT" 2>"$ERR"
    RC=$?
    check "--workspace '$ws' (the root directory): refused (125), nothing ran" \
        sh -c "test $RC = 125 && ! grep -qx x '$OUT'"
done
ln -sfn /etc "$C/elsewhere/etclink"
own_fix
(cd "$C/elsewhere/etclink" && as_runner env PWD="$C/elsewhere/etclink" XDG_CONFIG_HOME= \
    "$SBXRUN" --backend "$BACKEND" -- sh -c 'echo x') >"$OUT" 2>"$ERR"
RC=$?
check "run from inside a link to /etc: refused (125), nothing ran" \
    sh -c "test $RC = 125 && ! grep -qx x '$OUT' && grep -q 'system directory /etc' '$ERR'"
(cd "$C/elsewhere" && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --workspace /etc --explain) \
    >"$OUT" 2>"$ERR"
check "--workspace /etc, said so: taken (--explain)" grep -q '^workspace: /etc (--workspace)' "$OUT"
rm -f "$C/elsewhere/etclink"
(cd / && as_runner env XDG_CONFIG_HOME= "$SBXRUN" --explain) >"$OUT" 2>"$ERR"
RC=$?
check "--explain from / says the run would be refused (125)" test "$RC" = 125
rm -f "$C/elsewhere/rootlink"
done_testing
