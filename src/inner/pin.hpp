// Pinning a symlink: bind-mount the link onto itself so it cannot be removed, renamed or
// replaced inside the sandbox (unlink/rename of a mount point fail with EBUSY) while readlink
// and lookups through it behave as before.
#pragma once

#include <string>

#include "util/result.hpp"

namespace sbx {

// open_tree(path, OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLOEXEC), then
// move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) — without MOVE_MOUNT_T_SYMLINKS,
// so the destination link itself (not its target) becomes the mount point. Refuses a path that
// is not a symlink. Needs CAP_SYS_ADMIN over the mount namespace.
[[nodiscard]] Status pin_symlink(const std::string& path);

}  // namespace sbx
