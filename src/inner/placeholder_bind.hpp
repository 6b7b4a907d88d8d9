// Binding a placeholder (fs/placeholder.hpp) read-only onto itself, inside the sandbox, after
// bwrap's mounts: the missing protected name it stands for can then be neither written,
// removed, renamed over nor created (EROFS, EBUSY, EEXIST), like a bwrap --ro-bind would make
// it, for a tenth of the system calls.
#pragma once

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// open_tree(parent, name, OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW) with the parent opened without
// crossing a symlink; the clone must be the placeholder's inode (dev, ino: what sbxrun made and
// holds locked) or the run is refused; mount_setattr(read-only, nosuid, nodev) on the clone,
// then move_mount onto the name. Needs CAP_SYS_ADMIN over the mount namespace and Linux 5.12.
[[nodiscard]] Status bind_placeholder_read_only(const VerifyMount& placeholder);

// Whether this kernel (and any filter above sbxrun) has mount_setattr(2): sbxrun asks once,
// and leaves the placeholders to bwrap when it has not. One system call, no side effect.
[[nodiscard]] bool mount_setattr_available() noexcept;

}  // namespace sbx
