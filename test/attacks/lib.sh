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

# What a refusal says on each backend: a write the policy does not allow meets a read-only mount
# under bwrap (EROFS) and Landlock under landlock (EACCES); a pinned path is a mount point under
# bwrap (EBUSY); a missing protected name is a placeholder under bwrap (EEXIST).
if [ "$BACKEND" = bwrap ]; then
    E_RO='Read-only file system' E_BUSY='Device or resource busy' E_PLACEHOLDER='File exists'
    # A missing protected name is kept by sbxrun-inner's entry broker where the kernel has
    # Landlock ABI 2 (EACCES, no placeholder), by a placeholder elsewhere (EEXIST, or EROFS for
    # a write); the broker also refuses moving a directory that leads to one (EACCES, where a
    # mount point says EBUSY).
    E_MISSING='File exists|Read-only file system|Permission denied'
else
    E_RO='Permission denied' E_BUSY='Permission denied' E_PLACEHOLDER='Permission denied'
    E_MISSING='Permission denied'
fi
# pick BWRAP-REGEX LANDLOCK-REGEX: the one for the backend under test.
pick() { if [ "$BACKEND" = bwrap ]; then echo "$1"; else echo "$2"; fi; }

# attack_errno "description" REGEX SHELL-COMMAND: run it inside the sandbox; it must fail there
# (exit 1-119) *for the reason expected*: the command's output must match the extended REGEX
# (sbxrun's own "sbxrun: ..." lines are left out). A command failing for another reason (a typo,
# a missing tool, ENOENT) is not a refusal, as in bubblewrap's own tests.
attack_errno() {
    local desc=$1 want=$2
    sbxb -- sh -c "$3"
    if [ "$RC" -ge 1 ] && [ "$RC" -lt 120 ] &&
        cat "$OUT" "$ERR" | grep -v '^sbxrun: ' | grep -Eq -- "$want"; then
        ok "$BACKEND: $desc"
    else
        not_ok "$BACKEND: $desc (exit $RC; expected a refusal saying /$want/)"
        cat "$OUT" "$ERR" | head -20 | sed 's/^/#   output: /'
    fi
}

# attack "description" REGEX SHELL-COMMAND: attack_errno. The old two-argument form (any exit
# 1-119 counted as denied) fails loudly: every attack must say what its refusal looks like.
attack() {
    if [ $# -ne 3 ]; then
        not_ok "$BACKEND: $1 (no expected error given: use attack_errno DESC REGEX CMD)"
        return 0
    fi
    attack_errno "$@"
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
