// The new mount API's constants, for the inner stage's own mounts (pin.cpp, placeholder_bind.cpp).
// glibc 2.36 has the syscall numbers but its <sys/mount.h> wrappers clash with <linux/mount.h>;
// what we use is defined here once (values from include/uapi/linux/mount.h).
#pragma once

#include <fcntl.h>
#include <sys/syscall.h>

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
