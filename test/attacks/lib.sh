# Shared setup for the attack corpus: the integration helpers (TAP, root/user, fingerprints)
# plus the backend under test, the attack probe, and the seed's workspace layout.
. "$(dirname "$0")/../integration/lib.sh"
BACKEND=${SBXRUN_BACKEND:?SBXRUN_BACKEND must be bwrap or landlock}
PROBE=$(realpath "${ATTACK_PROBE:?ATTACK_PROBE must point at attack_probe}")

# sbxb ARGS...: sbx on the backend under test.
sbxb() { sbx --backend "$BACKEND" "$@"; }

# The seed's layout (shared/seeds/000): .codex is a symlink into the writable workspace.
make_attack_workspace() {
    make_workspace
    mkdir -p "$WS/.auxiliary/configuration/coders/codex" "$WS/.git/hooks"
    echo 'sandbox_mode = "workspace-write"' >"$WS/.auxiliary/configuration/coders/codex/config.toml"
    ln -s .auxiliary/configuration/coders/codex "$WS/.codex"
    own_fix
}

# host_state: what an attack must not change — the protected parts of the workspace (with the
# link itself), whether .agents exists, and the whole outside directory.
host_state() {
    echo "== .git"; fingerprint "$WS/.git"
    echo "== codex target"; fingerprint "$WS/.auxiliary/configuration"
    echo "== .codex link: $(readlink "$WS/.codex")"
    echo "== .agents: $(test -e "$WS/.agents" || test -L "$WS/.agents" && echo present || echo absent)"
    echo "== outside"; fingerprint "$FIX/outside"
}
snapshot_host() { HOST_BEFORE=$(host_state); }
check_host_unchanged() {
    local after
    after=$(host_state)
    if [ "$after" = "$HOST_BEFORE" ]; then ok "host unchanged${1:+ after $1}"; else
        not_ok "host unchanged${1:+ after $1}"
        diff <(echo "$HOST_BEFORE") <(echo "$after") | sed 's/^/#   /'
    fi
}

# attack "description" SHELL-COMMAND: run it inside the sandbox; it must fail there.
attack() {
    sbxb -- sh -c "$2"
    expect_denied "$BACKEND: $1"
}

# Only backends that work here; CI (SBXRUN_MUST_WORK=1) turns this skip into a failure.
probe_backend() {
    local ws
    ws=$(mktemp -d "$FIX/probe.XXXXXX"); own_fix
    (cd "$ws" && as_runner "$SBXRUN" --backend "$BACKEND" -- true) >/dev/null 2>&1 ||
        skip_all "the $BACKEND backend cannot run here as $SBXRUN_AS"
    rm -rf "$ws"
}
probe_backend
