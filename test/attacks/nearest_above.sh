#!/bin/bash
# Files tools take from the nearest directory above where they start (twenty-first outside
# review): with the workspace in ${tmpdir} (a clone in /tmp), the command wrote
# $TMPDIR/.mvn/jvm.config and the host's next mvn in any project below it without a .mvn of
# its own ran the command's script (-XX:OnError). Maven's .mvn, pnpm-workspace.yaml and
# .pnpmfile.cjs, go.work, ESLint's, pytest's, Prettier's configuration, package.json,
# Cargo.toml, settings.gradle and deno.json cannot be made in the
# directories above the workspace that a writable root holds; the workspace's own stay its
# business (made and edited freely). Checked on the host.
. "$(dirname "$0")/lib.sh"
T=$FIX/tmp
WS=$T/proj
mkdir -p "$WS" "$FIX/home"
echo '<project/>' >"$WS/pom.xml"
echo 'module.exports = {};' >"$WS/eslint.config.js"
own_fix
names=".mvn/jvm.config pnpm-workspace.yaml .pnpmfile.cjs go.work .eslintrc.js .eslintrc.cjs eslint.config.js eslint.config.mjs eslint.config.cjs pytest.ini conftest.py"
# The twenty-second review: pytest's other rootdir files (tox.ini with addopts ran a planted
# conftest.py), ESLint's other configurations, and the other tools of the kind.
names="$names .pytest.ini tox.ini setup.cfg pyproject.toml eslint.config.ts .eslintrc.json .eslintrc.yml package.json Cargo.toml settings.gradle .prettierrc.js deno.json"
(cd "$WS" && as_runner env XDG_CONFIG_HOME= XDG_CACHE_HOME= "$SBXRUN" --backend "$BACKEND" \
    --workspace "$WS" -- sh -c '
        for n in '"$names"'; do
            (mkdir -p "../$(dirname "$n")" && echo x >"../$n") 2>/dev/null && echo "GOT THROUGH: ../$n"
            (mkdir -p "$(dirname "$n")" && echo x >"$n") 2>/dev/null || echo "REFUSED HERE: $n"
        done
        echo "// edited" >>eslint.config.js || echo "REFUSED HERE: editing eslint.config.js"
        true') >"$OUT" 2>"$ERR"
check "none of them can be made above the workspace" sh -c "! grep -q 'GOT THROUGH' '$OUT'"
grep 'GOT THROUGH' "$OUT" | sed 's/^/# /'
for n in $names; do
    check "... \$TMPDIR/$n is not on the host" test ! -e "$T/$n"
done
check "... not even \$TMPDIR/.mvn" test ! -e "$T/.mvn"
check "the workspace's own are its business: made and edited" sh -c "! grep -q 'REFUSED HERE' '$OUT'"
grep 'REFUSED HERE' "$OUT" | sed 's/^/# /'
check "... on the host" sh -c "test -s '$WS/.mvn/jvm.config' && grep -q edited '$WS/eslint.config.js'"

# The workspace given through a link (twenty-third review): the directories above where it
# really is are kept too, as git, direnv and the others walk up from the real directory.
mkdir -p "$T/x" "$T/p/q/ws2"
ln -s ../p/q/ws2 "$T/x/wsl"
own_fix
(cd "$T/x/wsl" && as_runner env XDG_CONFIG_HOME= XDG_CACHE_HOME= "$SBXRUN" --backend "$BACKEND" \
    --workspace "$T/x/wsl" -- sh -c '
        for d in "$TMPDIR/p/q" "$TMPDIR/p"; do
            for n in .git .envrc go.work package.json conftest.py; do
                (mkdir -p "$d/$n" || : >"$d/$n") 2>/dev/null && echo "GOT THROUGH: $d/$n"
            done
        done
        true') >"$OUT" 2>"$ERR"
check "a workspace given through a link: nothing planted above where it really is" \
    sh -c "! grep -q 'GOT THROUGH' '$OUT' && test ! -e '$T/p/q/.git' && test ! -e '$T/p/.git' && test ! -e '$T/p/q/go.work'"
grep 'GOT THROUGH' "$OUT" | sed 's/^/# /'
done_testing
