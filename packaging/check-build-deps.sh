#!/bin/bash
# debian/control's Build-Depends must be packaging/build-deps.txt, the single list CI installs
# from. Run first in .ci/run (seconds) so a list edited on one side only fails before the
# 40-minute build, not after it.
set -euo pipefail
cd "$(dirname "$0")/.."
control_deps=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' packaging/debian/control |
    sed -e '$d' -e 's/^Build-Depends://' | tr ',' '\n' |
    sed -e 's/<[^>]*>//g' -e 's/([^)]*)//g' -e 's/[[:space:]]//g' |
    grep -v -e '^$' -e '^debhelper-compat$' | sort)
list_deps=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' packaging/build-deps.txt | sort)
if [ "$control_deps" != "$list_deps" ]; then
    diff <(echo "$list_deps") <(echo "$control_deps") | sed 's/^/  /' >&2 || true
    echo "check-build-deps: packaging/debian/control Build-Depends differ from" \
        "packaging/build-deps.txt (< list, > control)" >&2
    exit 1
fi
echo "check-build-deps: Build-Depends match packaging/build-deps.txt"
