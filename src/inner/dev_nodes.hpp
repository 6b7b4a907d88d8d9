// The host's device nodes in bwrap's /dev, read-only as mounts.
//
// bwrap's /dev here is a tmpfs with the host's /dev/null, /dev/zero, /dev/full, /dev/random,
// /dev/urandom and /dev/tty bound into it (backend/bwrap_compile.cpp), and /dev/console when
// the run has a terminal: the host's own inodes. A run as root owns them, so without this it
// could chmod, touch or set attributes on them for the whole host (`chmod 600 /dev/null` left
// every other user of the machine without a /dev/null; the twenty-sixth outside review).
// bwrap's --remount-ro cannot be used: it adds nodev, and the nodes would no longer open.
// Opening, reading and writing a device do not depend on its mount being writable.
#pragma once

#include <initializer_list>

#include "util/result.hpp"

namespace sbx {

// Remount each bound node read-only, keeping its other mount flags. Needs CAP_SYS_ADMIN in the
// user namespace that owns the mount namespace: called before the capabilities are dropped,
// before the command exists.
[[nodiscard]] Status make_dev_nodes_readonly();

// The command's descriptors among `fds` (negative ones skipped) that are one of those devices
// opened on the host (a caller's `</dev/null`, the usual stdin of a harness's command) are
// reopened on the sandbox's node: the same device, but through the read-only mount, so that
// fchmod(0, ...) or chmod /proc/self/fd/0 cannot reach the host's inode either. Access mode,
// O_APPEND and O_NONBLOCK are kept.
[[nodiscard]] Status reopen_dev_nodes(std::initializer_list<int> fds);

}  // namespace sbx
