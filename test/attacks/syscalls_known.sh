#!/bin/bash
# The rows of syscalls.table tagged with a known, not yet fixed escape, run on their own so
# that syscalls.sh stays green and this one is registered as a known failure (meson.build).
ATTACK_SYSCALLS_SET=known exec bash "$(dirname "$0")/syscalls.sh"
