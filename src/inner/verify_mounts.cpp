#include "inner/verify_mounts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "util/open_no_symlinks.hpp"

namespace sbx {

Status verify_mount(const VerifyMount& v) {
    // No symlink anywhere on the way: the plan's destinations are canonical, so a symlink here
    // means the tree was swapped after planning.
    UniqueFd f = open_no_symlinks(AT_FDCWD, v.path.c_str(), O_PATH | O_NOFOLLOW);
    if (!f) {
        const int err = errno;
        return Error(ErrorKind::os, "sandbox mount check: cannot reach " + v.path +
                                        " without crossing a symlink (changed since planning?)")
            .with_errno(err)
            .with_path(v.path);
    }

    struct statx sx{};
    if (::statx(f.get(), "", AT_EMPTY_PATH, STATX_INO, &sx) != 0) {
        return os_error("sandbox mount check: statx " + v.path, errno, v.path);
    }
    const std::uint64_t dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    if (dev != v.dev || sx.stx_ino != v.ino) {
        return Error(ErrorKind::os, "sandbox mount check: " + v.path +
                                        " is not what was checked (it changed since planning)")
            .with_path(v.path);
    }
    if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
        (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) == 0) {
        return Error(ErrorKind::os, "sandbox mount check: " + v.path +
                                        " is not a mount point (the mount went elsewhere)")
            .with_path(v.path);
    }
    struct statvfs vfs{};
    if (::fstatvfs(f.get(), &vfs) != 0) {
        return os_error("sandbox mount check: statvfs " + v.path, errno, v.path);
    }
    bool ro = (vfs.f_flag & ST_RDONLY) != 0;
    if (ro != v.read_only) {
        return Error(ErrorKind::os, "sandbox mount check: " + v.path + " is " +
                                        (ro ? "read-only" : "writable") + ", planned " +
                                        (v.read_only ? "read-only" : "writable"))
            .with_path(v.path);
    }
    return {};
}

}  // namespace sbx
