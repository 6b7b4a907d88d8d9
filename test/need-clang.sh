#!/bin/bash
# Make sure clang++ and its runtimes (ASan, UBSan, libFuzzer) are here, for the clang builds of
# CI (test/fuzz/ci-fuzz.sh, test/ci-sanitize.sh): installed from Debian's packages when run as
# root, else a one-line error naming them.
#   usage: test/need-clang.sh WHO     (WHO prefixes the error: "ci-fuzz", "ci-sanitize")
set -euo pipefail
if command -v clang++ >/dev/null &&
    compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        clang libclang-rt-dev >/dev/null
    exit 0
fi
echo "${1:-test}: clang++ with its runtimes is required (apt-get install clang libclang-rt-dev)" >&2
exit 1
