#!/bin/bash
# filesystem.caches (issue 17, part 3): each tool gets a writable cache private to sandboxed
# runs, one per workspace by default, that a second run reuses; the host's own caches stay
# read-only; another workspace's cache is out of reach; the directory is the runner's, mode
# 0700, and one that is not (planted by another user) is not used. Both backends; a real tool
# (ccache) where it is installed.
. "$(dirname "$0")/lib.sh"
make_workspace
backends=(bwrap)
ll_abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(max(0, l.syscall(444, None, 0, 1)))')
if [ "$ll_abi" -ge 1 ]; then backends+=(landlock); else diag "no Landlock on this kernel: bwrap only"; fi
CACHES=$FIX/home/.cache/sbxrun-caches
mkdir -p "$FIX/home/.cache/pip" "$FIX/ws2"
echo host >"$FIX/home/.cache/pip/host-file"
own_fix
home_before=$(fingerprint "$FIX/home/.cache/pip")
owner=$([ "$SBXRUN_AS" = user ] && echo "$TEST_USER" || echo root)

for B in "${backends[@]}"; do
    rm -rf "$CACHES"
    sbx --backend "$B" -- sh -c 'mkdir -p "$PIP_CACHE_DIR" && echo one >"$PIP_CACHE_DIR/wheel" && echo "$PIP_CACHE_DIR"'
    expect_rc 0 "$B: the command writes its pip cache"
    dir=$(cat "$OUT")
    check "$B: ... under ~/.cache/sbxrun-caches/ws-ws-<hash>/pip" \
        sh -c "case '$dir' in '$CACHES'/ws-ws-*/pip) exit 0;; esac; exit 1"
    check "$B: ... which is there after the run" test "$(cat "$dir/wheel" 2>/dev/null)" = one
    ws_dir=$(dirname "$dir")
    check "$B: the workspace's cache directory is the runner's, mode 0700" \
        test "$(stat -c '%U %a' "$ws_dir")" = "$owner 700"
    sbx --backend "$B" -- sh -c 'cat "$PIP_CACHE_DIR/wheel"'
    check "$B: a second run reuses it" test "$(cat "$OUT")" = one

    # Every tool's variables, set over the caller's own value.
    sbx --backend "$B" -- sh -c 'echo "$npm_config_cache|$GOCACHE|$GOMODCACHE|$UV_CACHE_DIR|$YARN_CACHE_FOLDER|$npm_config_store_dir|$CCACHE_DIR"'
    check "$B: npm, go, uv, yarn, pnpm and ccache get theirs" test "$(cat "$OUT")" = \
        "$ws_dir/npm|$ws_dir/go/build|$ws_dir/go/mod|$ws_dir/uv|$ws_dir/yarn|$ws_dir/pnpm/store|$ws_dir/ccache"
    (cd "$WS" && as_runner env PIP_CACHE_DIR="$FIX/home/.cache/pip" "$SBXRUN" --backend "$B" -- sh -c 'echo "$PIP_CACHE_DIR"') >"$OUT" 2>"$ERR"
    check "$B: over the caller's PIP_CACHE_DIR, which names the host's cache" test "$(cat "$OUT")" = "$ws_dir/pip"

    # The host's own cache stays read-only and unchanged.
    sbx --backend "$B" -- sh -c 'echo planted >"$HOME/.cache/pip/host-file"'
    expect_denied "$B: the host's own ~/.cache/pip is read-only"
    sbx --backend "$B" -- sh -c 'echo new >"$HOME/.cache/pip/new"'
    expect_denied "$B: nothing can be added to it"

    # Another workspace: its own cache, and the first one's is out of reach.
    (cd "$FIX/ws2" && as_runner "$SBXRUN" --backend "$B" -- sh -c 'echo "$PIP_CACHE_DIR"; cat "$PIP_CACHE_DIR/wheel" 2>/dev/null; echo poisoned >"$1/wheel"' sh "$dir") >"$OUT" 2>"$ERR"
    check "$B: another workspace gets another cache directory" \
        sh -c "case \"\$(head -1 '$OUT')\" in '$CACHES'/ws-ws2-*/pip) exit 0;; esac; exit 1"
    check "$B: ... which does not hold the first one's files" test "$(wc -l <"$OUT")" = 1
    check "$B: ... and cannot write the first one's" test "$(cat "$dir/wheel")" = one

    # cache_scope = "user": one directory for every workspace.
    printf 'version = 1\n[filesystem]\ncache_scope = "user"\n' >"$FIX/user.toml"
    sbx --backend "$B" --policy "$FIX/user.toml" -- sh -c 'mkdir -p "$PIP_CACHE_DIR" && echo shared >"$PIP_CACHE_DIR/f"'
    (cd "$FIX/ws2" && as_runner "$SBXRUN" --backend "$B" --policy "$FIX/user.toml" -- sh -c 'echo "$PIP_CACHE_DIR"; cat "$PIP_CACHE_DIR/f"') >"$OUT" 2>"$ERR"
    check "$B: cache_scope = \"user\" shares one directory between workspaces" \
        test "$(cat "$OUT")" = "$CACHES/user/pip
shared"

    # caches = [] turns them off; env_set wins over them.
    printf 'version = 1\n[filesystem]\ncaches = []\n' >"$FIX/none.toml"
    sbx --backend "$B" --policy "$FIX/none.toml" -- sh -c 'echo "${PIP_CACHE_DIR-unset}"'
    check "$B: caches = [] sets no variable" test "$(cat "$OUT")" = unset
    printf 'version = 1\n[filesystem]\ncaches = ["go"]\n[process]\nenv_set = { GOCACHE = "/mine" }\n' >"$FIX/go.toml"
    sbx --backend "$B" --policy "$FIX/go.toml" -- sh -c 'echo "$GOCACHE ${PIP_CACHE_DIR-unset}"'
    check "$B: process.env_set wins, and only the tools listed get variables" test "$(cat "$OUT")" = "/mine unset"

    # The workspace is $HOME, which holds ~/.cache: its own cache is writable, the other
    # workspaces' caches stay read-only (a later install there would use what is planted).
    sbx --backend "$B" -- sh -c 'mkdir -p "$PIP_CACHE_DIR" && echo one >"$PIP_CACHE_DIR/wheel"'
    sbx --backend "$B" --workspace "$FIX/home" -- sh -c 'mkdir -p "$PIP_CACHE_DIR" && echo mine >"$PIP_CACHE_DIR/f" && echo "$PIP_CACHE_DIR"'
    expect_rc 0 "$B: with the workspace = \$HOME, the run writes its own cache"
    check "$B: ... which is its own directory" sh -c "case \"\$(cat '$OUT')\" in '$CACHES'/ws-home-*/pip) exit 0;; esac; exit 1"
    sbx --backend "$B" --workspace "$FIX/home" -- sh -c 'echo poisoned >"$1/wheel"' sh "$dir"
    expect_denied "$B: ... but not another workspace's, though \$HOME is writable"
    check "$B: ... which is unchanged" test "$(cat "$dir/wheel")" = one
    sbx --backend "$B" --workspace "$FIX/home" -- sh -c 'mkdir "$1/ws-evil"' sh "$CACHES"
    expect_denied "$B: ... nor add a directory beside them"

    check "$B: ... nor the host's own ~/.cache/pip in \$HOME" test "$(fingerprint "$FIX/home/.cache/pip")" = "$home_before"
    sbx --backend "$B" --workspace "$FIX/home" -- sh -c 'echo planted >"$HOME/.cache/pip/host-file" || mkdir "$HOME/.npm"'
    expect_denied "$B: ... which stays read-only there, and ~/.npm cannot be created"
    check "$B: ... (no ~/.npm)" test ! -e "$FIX/home/.npm"
    # Tenth: a run that makes its own cache unusable (chmod 777, possible under bwrap where it
    # is a mount's root) must not make the next run leave the others writable; nor must a run
    # that lists no cache at all.
    sbx --backend "$B" --workspace "$FIX/home" -- sh -c 'chmod 777 "$(dirname "$PIP_CACHE_DIR")"'
    sbx --backend "$B" --workspace "$FIX/home" -- sh -c 'echo planted >"$HOME/.cache/pip/host-file" || echo poisoned >"$1/wheel"' sh "$dir"
    expect_denied "$B: after a run spoilt its own cache, the next still keeps ~/.cache/pip and the other caches read-only"
    check "$B: ... (both unchanged)" sh -c "test \"\$(cat '$dir/wheel')\" = one && test \"\$(cat '$FIX/home/.cache/pip/host-file')\" = host"
    rm -rf "$CACHES"/ws-home-*
    sbx --backend "$B" --workspace "$FIX/home" --policy "$FIX/none.toml" -- sh -c 'echo poisoned >"$1/wheel"' sh "$dir"
    expect_denied "$B: with caches = [] and the workspace = \$HOME, the other caches stay read-only"
    # $HOME inside ${tmpdir} (a CI job's HOME=/tmp/...): the same.
    mkdir -p "$FIX/tmp/h/.cache/pip"; echo host >"$FIX/tmp/h/.cache/pip/f"; own_fix
    (cd "$WS" && as_runner env HOME="$FIX/tmp/h" "$SBXRUN" --backend "$B" -- sh -c 'echo "$PIP_CACHE_DIR"; echo x >"$HOME/.cache/pip/f" || mkdir "$HOME/.npm"') >"$OUT" 2>"$ERR"
    RC=$?
    expect_denied "$B: with \$HOME in \${tmpdir}, its ~/.cache/pip stays read-only and ~/.npm cannot be made"
    check "$B: ... (unchanged, no ~/.npm)" sh -c "test \"\$(cat '$FIX/tmp/h/.cache/pip/f')\" = host && test ! -e '$FIX/tmp/h/.npm'"
    check "$B: ... while the private cache is there" sh -c "case \"\$(head -1 '$OUT')\" in '$FIX/tmp/h/.cache/sbxrun-caches'/ws-ws-*/pip) exit 0;; esac; exit 1"
    rm -rf "$FIX/tmp/h"

    # sbxrun-caches writable by others (a shared $XDG_CACHE_HOME): one workspace's cache could
    # be renamed to another's name. Not used.
    rm -rf "$CACHES"; mkdir -p "$CACHES"; chmod 777 "$CACHES"
    sbx --backend "$B" -- sh -c 'echo "${PIP_CACHE_DIR-unset}"'
    expect_rc 0 "$B: with sbxrun-caches writable by others the command still runs"
    check "$B: ... without the variables" test "$(cat "$OUT")" = unset
    check "$B: ... saying why" grep -q "sbxrun-caches is not the user's own or others can write it" "$ERR"
    rm -rf "$CACHES"

    # A directory the runner does not own (made by someone else) is not used.
    rm -rf "$CACHES"; mkdir -p "$ws_dir"
    if [ "$SBXRUN_AS" = user ]; then chown root: "$ws_dir"; else chown "$TEST_USER:" "$ws_dir"; fi
    chmod 755 "$ws_dir"
    sbx --backend "$B" -- sh -c 'echo "${PIP_CACHE_DIR-unset}"'
    expect_rc 0 "$B: with a cache directory that is not the runner's the command still runs"
    check "$B: ... without the variables" test "$(cat "$OUT")" = unset
    check "$B: ... saying why on stderr" grep -q "filesystem.caches: .* is not the user's own" "$ERR"
    rm -rf "$CACHES"

    # A real tool: ccache fills its cache in the first run and hits it in the second.
    if command -v ccache >/dev/null && command -v cc >/dev/null; then
        printf 'int main(void) { return 0; }\n' >"$WS/src/m.c"; own_fix
        sbx --backend "$B" -- sh -c 'cd src && ccache cc -c m.c -o m.o'
        expect_rc 0 "$B: ccache compiles with its private cache"
        sbx --backend "$B" -- sh -c 'cd src && ccache cc -c m.c -o m.o && ccache -s'
        check "$B: ... and the second run is a cache hit" grep -Eq "^ *Hits: +1 " "$OUT"
        rm -f "$WS/src/m.c" "$WS/src/m.o"
    else
        diag "ccache or cc is not installed: the real-tool case is not run"
    fi
done

check "the host's own pip cache is unchanged" test "$(fingerprint "$FIX/home/.cache/pip")" = "$home_before"

# A home reached through a link (Fedora Silverblue's /home -> var/home): the caches are made
# below the home as the kernel names it, and the tools get them (twenty-first outside review:
# every run there went without, warning "Not a directory").
mkdir -p "$FIX/var/home/u"
ln -s var/home "$FIX/linkedhome"
own_fix
(cd "$WS" && as_runner env HOME="$FIX/linkedhome/u" XDG_CACHE_HOME= "$SBXRUN" -- sh -c \
    'mkdir -p "$PIP_CACHE_DIR" && echo x >"$PIP_CACHE_DIR/f" && echo "cache: $PIP_CACHE_DIR"') \
    >"$OUT" 2>"$ERR"
expect_rc 0 "HOME through a link: the command runs"
check "... with its private cache, writable" grep -q "^cache: $FIX/var/home/u/.cache/sbxrun-caches/" "$OUT"
check "... and no warning about it" sh -c "! grep -q 'filesystem.caches' '$ERR'"
done_testing
