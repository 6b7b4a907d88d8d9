#!/bin/bash
# CI stage: the C++ lines changed by the commits under test are clang-format clean.
#   usage: .ci/check-format.sh [BASE]   (default: $SBXRUN_CI_BASE, else see below)
# Only changed *lines* are judged (git clang-format), not whole files: main still has files
# from before .clang-format was enforced, and touching one line of them must not demand
# reformatting (and conflicting with) everyone else's work in it.
# BASE: the merge-base with origin/main when HEAD is not on it (a branch under review), else
# HEAD~1 (the last landed commit). A shallow clone without HEAD~1 is deepened by one commit;
# when that is impossible (no remote, a one-commit history) the check says so and passes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "check-format: not a git checkout, nothing to compare with; skipped"
    exit 0
fi
if ! command -v git-clang-format >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            clang-format >/dev/null
    fi
    command -v git-clang-format >/dev/null ||
        { echo "check-format: git-clang-format is missing (apt-get install clang-format)" >&2; exit 1; }
fi

base=${1:-${SBXRUN_CI_BASE:-}}
if [ -z "$base" ]; then
    if git rev-parse -q --verify origin/main >/dev/null &&
        ! git merge-base --is-ancestor HEAD origin/main; then
        base=$(git merge-base HEAD origin/main 2>/dev/null || true)
    fi
fi
if [ -z "$base" ]; then
    if ! git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
        [ "$(git rev-parse --is-shallow-repository)" = true ] &&
            git fetch -q --deepen=1 2>/dev/null || true
    fi
    base=$(git rev-parse -q --verify 'HEAD~1^{commit}' || true)
fi
if [ -z "$base" ]; then
    echo "check-format: no earlier commit to compare with (shallow or one-commit history); skipped"
    exit 0
fi

# git clang-format exits 0 either way (clang-format 14): the diff it prints is the verdict.
out=$(git clang-format --diff --extensions c,cc,cpp,h,hpp "$base" HEAD 2>&1 || true)
case $out in
    "" | "no modified files to format" | "clang-format did not modify any files") ;;
    *)
        echo "$out"
        echo "check-format: the lines above changed since $(git rev-parse --short "$base") are not" \
            "clang-format clean: run 'git clang-format $(git rev-parse --short "$base")' and commit" >&2
        exit 1
        ;;
esac
echo "check-format: C++ lines changed since $(git rev-parse --short "$base") are clang-format clean"
