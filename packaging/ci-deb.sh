#!/bin/bash
# CI stage: build the Debian package from this tree, install it, smoke-test the installed
# /usr/bin/sbxrun (man pages, completions, never setuid), check the RPM spec, and remove the
# package again so the machine is left as it was. Run as root on Debian 12.
#   usage: packaging/ci-deb.sh            (SBXRUN_DEB_TREE=worktree: package uncommitted edits)
# Takes about 10-15 minutes on 2 cores: the package build compiles sbxrun without its tests
# (DEB_BUILD_OPTIONS=nocheck: CI's test/run already runs every suite on the same sources).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
say() { echo "ci-deb: $*"; }
fail() { echo "ci-deb: FAILED: $*" >&2; exit 1; }

# --- tools of the packaging stage (not build dependencies of sbxrun: see build-deps.txt)
# bash-completion, zsh and fish: to prove the installed completions load and complete.
apt-get install -y -qq --no-install-recommends \
    debhelper dpkg-dev fakeroot rpm man-db bash-completion zsh fish >/dev/null

# --- debian/control's Build-Depends must be packaging/build-deps.txt (also run first by .ci/run)
packaging/check-build-deps.sh || fail "Build-Depends lists differ"

# --- the source tree with debian/ at its top, in a scratch directory
tmp=$(mktemp -d /tmp/sbxrun-deb.XXXXXX)
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then apt-get remove -y -qq sbxrun >/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build | head -1)
src=$tmp/sbxrun-$version
mkdir "$src"
# The committed tree (a CI checkout is clean; locally, others' uncommitted edits stay out);
# only debian/ comes from the working tree, so packaging changes can be tried before committing.
# SBXRUN_DEB_TREE=worktree packages the working tree as it is (tracked and untracked, not ignored).
if [ "${SBXRUN_DEB_TREE:-}" = worktree ]; then
    git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
elif git rev-parse --verify -q HEAD >/dev/null 2>&1; then
    git archive --format=tar HEAD | tar -xf - -C "$src"
else
    tar --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
rm -rf "$src/debian"
cp -r packaging/debian "$src/debian"

say "dpkg-buildpackage -us -uc -b (log: $tmp/build.log on failure)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
    >"$tmp/build.log" 2>&1; then
    tail -60 "$tmp/build.log" >&2
    fail "dpkg-buildpackage"
fi
deb=$(ls "$tmp"/sbxrun_*.deb)
say "built $(basename "$deb") in $(($(date +%s) - start)) s"

# --- the package's contents: the expected files, nothing setuid/setgid
dpkg-deb -c "$deb" >"$tmp/contents"
for f in ./usr/bin/sbxrun ./usr/libexec/sbxrun/sbxrun-inner \
    ./usr/share/man/man1/sbxrun.1.gz ./usr/share/man/man5/sbxrun-policy.5.gz \
    ./usr/share/bash-completion/completions/sbxrun ./usr/share/zsh/vendor-completions/_sbxrun \
    ./usr/share/fish/vendor_completions.d/sbxrun.fish; do
    grep -q " $f\$" "$tmp/contents" || fail "the package lacks $f"
done
if awk '$1 ~ /^-..[sS]|^-.....[sS]/' "$tmp/contents" | grep .; then
    fail "the package contains setuid/setgid files"
fi
dpkg-deb -f "$deb" Recommends | grep -qw bubblewrap || fail "the package does not recommend bubblewrap"
# libstdc++ is linked in statically: its source must be named, with the version built against.
dpkg-deb -f "$deb" Static-Built-Using | grep -q 'gcc-12 (= ' ||
    fail "the package's Static-Built-Using does not name gcc-12 (libstdc++)"

# --- install it as a user would
apt-get install -y -qq "$deb" >/dev/null
installed=1
say "installed; smoke-testing /usr/bin/sbxrun"

user=${SBXRUN_TEST_USER:-sbxtest}
if ! id "$user" >/dev/null 2>&1; then
    useradd --system --create-home --shell /usr/sbin/nologin "$user"
fi
as_user() { setpriv --reuid="$user" --regid="$user" --clear-groups env HOME=/tmp "$@"; }

check() {  # check DESCRIPTION COMMAND...
    local desc=$1; shift
    if "$@" >"$tmp/out" 2>&1; then
        say "ok - $desc"
    else
        sed 's/^/  | /' "$tmp/out" >&2
        fail "$desc"
    fi
}
[ "$(command -v sbxrun)" = /usr/bin/sbxrun ] || fail "sbxrun on PATH is $(command -v sbxrun)"
check "sbxrun --version prints $version" sh -c "/usr/bin/sbxrun --version | grep -qF '$version'"

ws=$(mktemp -d /tmp/sbxrun-deb-ws.XXXXXX)
chmod 755 "$ws"
mkdir "$ws/root" "$ws/user" "$ws/root/.git" "$ws/user/.git"
chown -R "$user:" "$ws/user"
trap 'cleanup; rm -rf "$ws"' EXIT
check "sbxrun -- true as root" sh -c "cd '$ws/root' && /usr/bin/sbxrun -- true"
check "sbxrun -- true as $user" sh -c "cd '$ws/user' && exec setpriv --reuid='$user' \
    --regid='$user' --clear-groups env HOME=/tmp /usr/bin/sbxrun -- true"
check "sbxrun keeps .git read-only (as $user)" sh -c "cd '$ws/user' && ! setpriv \
    --reuid='$user' --regid='$user' --clear-groups env HOME=/tmp /usr/bin/sbxrun -- \
    touch .git/x 2>/dev/null && test ! -e .git/x"
check "sbxrun --explain" sh -c "cd '$ws/root' && /usr/bin/sbxrun --explain -- true"
check "man -w finds sbxrun(1) and sbxrun-policy(5)" man -w sbxrun sbxrun-policy
check "man renders sbxrun(1)" sh -c "MANWIDTH=80 man sbxrun 2>&1 | grep -q -- --policy"
check "the bash completion is installed" test -f /usr/share/bash-completion/completions/sbxrun
check "bash loads it (without bash-completion)" \
    bash -c 'source /usr/share/bash-completion/completions/sbxrun && complete -p sbxrun'
check "bash-completion's loader finds it and completes --backend" bash -c '
    source /usr/share/bash-completion/bash_completion
    _completion_loader sbxrun
    COMP_WORDS=(sbxrun --backend ""); COMP_CWORD=2; COMP_LINE="sbxrun --backend "
    COMP_POINT=${#COMP_LINE}; compopt() { :; }
    _sbxrun sbxrun "" --backend
    [ "${COMPREPLY[*]}" = "auto bwrap landlock" ]'
check "zsh finds _sbxrun on its default fpath" \
    zsh -fc 'autoload -Uz compinit && compinit -u -D; [[ -n ${_comps[sbxrun]} ]]'
check "fish autoloads the installed file and completes --backend" sh -c \
    "fish -c 'complete -C \"sbxrun --backend \"' | cut -f1 | grep -qx landlock"
check "nothing installed is setuid/setgid" \
    sh -c 'test -z "$(find /usr/bin/sbxrun /usr/libexec/sbxrun -perm /6000)"'
check "sbxrun-inner is installed, executable, not setuid" \
    sh -c 'test -x /usr/libexec/sbxrun/sbxrun-inner && ! test -u /usr/libexec/sbxrun/sbxrun-inner'

# --- the RPM spec: parses, and its %files list what meson installs (as the .deb shows it)
say "checking packaging/rpm/sbxrun.spec"
rpmspec -P packaging/rpm/sbxrun.spec >"$tmp/spec" 2>"$tmp/spec.err" ||
    { cat "$tmp/spec.err" >&2; fail "rpmspec -P packaging/rpm/sbxrun.spec"; }
if grep -i -e '^error' -e '^warning' "$tmp/spec.err" >&2; then fail "rpmspec warnings"; fi
grep -q "^Version: *$version\$" "$tmp/spec" || fail "the spec's Version is not $version"
sed -n '/^%files/,/^%changelog/p' "$tmp/spec" | awk '$1 !~ /^%/ || $1 ~ /^%attr/ {print $NF}' \
    >"$tmp/spec.files"
awk '$1 !~ /^d/ {print substr($6, 2)}' "$tmp/contents" | grep -v '^/usr/share/doc/' |
    sed -e 's|^/usr/share/zsh/vendor-completions/|/usr/share/zsh/site-functions/|' \
        -e 's|\.gz$||' | while read -r f; do
    matched=0
    while read -r pattern; do
        # shellcheck disable=SC2053  # the spec's entries are globs on purpose
        [[ $f == $pattern ]] && matched=1 && break
    done <"$tmp/spec.files"
    [ "$matched" = 1 ] || fail "the spec's %files do not list $f (installed by meson)"
done
say "ok - the spec parses and its %files cover what meson installs"

# --- leave the machine as it was
apt-get remove -y -qq sbxrun >/dev/null
installed=0
[ ! -e /usr/bin/sbxrun ] || fail "/usr/bin/sbxrun is still there after apt-get remove"
say "removed the package; stage took $(($(date +%s) - start)) s"
