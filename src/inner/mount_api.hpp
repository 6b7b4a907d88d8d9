// The new mount API's constants, for the inner stage's own mounts (pin.cpp, placeholder_bind.cpp).
// glibc 2.36 has the syscall numbers but its <sys/mount.h> wrappers clash with <linux/mount.h>;
// what we use is defined here once (values from include/uapi/linux/mount.h).
#pragma once

#include <fcntl.h>
#include <sys/syscall.h>

#include <cstdint>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

namespace sbx {

inline constexpr std::uint64_t kAttrRdonly = 0x00000001;  // MOUNT_ATTR_RDONLY
inline constexpr std::uint64_t kAttrNosuid = 0x00000002;  // MOUNT_ATTR_NOSUID
inline constexpr std::uint64_t kAttrNodev = 0x00000004;   // MOUNT_ATTR_NODEV

struct MountAttr {  // struct mount_attr (MOUNT_ATTR_SIZE_VER0)
    std::uint64_t attr_set = 0;
    std::uint64_t attr_clr = 0;
    std::uint64_t propagation = 0;
    std::uint64_t userns_fd = 0;
};

}  // namespace sbx
