#include "inner/pin.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "util/unique_fd.hpp"

// glibc 2.36 has the syscall numbers but its <sys/mount.h> wrappers clash with <linux/mount.h>;
// define what we use locally (values from include/uapi/linux/mount.h).
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

namespace sbx {

Status pin_symlink(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return os_error("pin " + path + ": lstat", errno, path);
    if (!S_ISLNK(st.st_mode)) {
        return Error(ErrorKind::internal, "pin " + path + ": not a symlink").with_path(path);
    }
    long fd = ::syscall(SYS_open_tree, AT_FDCWD, path.c_str(),
                        OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLOEXEC);
    if (fd < 0) return os_error("pin " + path + ": open_tree", errno, path);
    UniqueFd tree(static_cast<int>(fd));
    if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, path.c_str(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return os_error("pin " + path + ": move_mount", errno, path);
    return {};
}

}  // namespace sbx
