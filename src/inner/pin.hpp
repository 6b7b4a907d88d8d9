// Pinning a symlink: bind-mount the link onto itself so it cannot be removed, renamed or
// replaced inside the sandbox (unlink/rename of a mount point fail with EBUSY) while readlink
// and lookups through it behave as before.
#pragma once

#include <string>

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// open_tree(parent, name, OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLOEXEC) with the
// parent opened without crossing a symlink, then move_mount(tree, "", parent, name,
// MOVE_MOUNT_F_EMPTY_PATH) — without MOVE_MOUNT_T_SYMLINKS, so the destination link itself (not
// its target) becomes the mount point. Refuses (ErrorKind::os) what is no longer a symlink or
// no longer says pin.text. Needs CAP_SYS_ADMIN over the mount namespace.
[[nodiscard]] Status pin_symlink(const PinSpec& pin);

}  // namespace sbx
