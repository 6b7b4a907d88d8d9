#include "inner/placeholder_bind.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "inner/mount_api.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

}  // namespace

Status bind_placeholder_read_only(const VerifyMount& p) {
    const std::string& path = p.path;
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash + 1 == path.size())
        return Error(ErrorKind::internal, "placeholder " + path + ": not an absolute path");
    const std::string dir = slash == 0 ? std::string("/") : path.substr(0, slash);
    const std::string name = path.substr(slash + 1);
    UniqueFd parent = open_no_symlinks(AT_FDCWD, dir.c_str(), O_PATH | O_DIRECTORY);
    if (!parent) return os_error("placeholder " + path + ": open its directory", errno, path);
    long fd = ::syscall(SYS_open_tree, parent.get(), name.c_str(),
                        OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLOEXEC);
    if (fd < 0) return os_error("placeholder " + path + ": open_tree", errno, path);
    UniqueFd tree(static_cast<int>(fd));
    // The clone holds the inode that will be mounted: it must be the placeholder sbxrun made.
    struct stat st {};
    if (::fstat(tree.get(), &st) != 0)
        return os_error("placeholder " + path + ": fstat", errno, path);
    if (static_cast<std::uint64_t>(st.st_dev) != p.dev ||
        static_cast<std::uint64_t>(st.st_ino) != p.ino)
        return Error(ErrorKind::os, "placeholder " + path +
                                        ": another file stands there (changed since it was made)")
            .with_path(path);
    MountAttr attr;
    attr.attr_set = kAttrRdonly | kAttrNosuid | kAttrNodev;
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
        return os_error("placeholder " + path + ": mount_setattr", errno, path);
    if (::syscall(SYS_move_mount, tree.get(), "", parent.get(), name.c_str(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return os_error("placeholder " + path + ": move_mount", errno, path);
    return {};
}

bool mount_setattr_available() noexcept {
    // An invalid descriptor: EBADF where the call exists, ENOSYS (or a filter's EPERM) where
    // not. The attributes must ask for something (a no-op returns 0 before the lookup) and be
    // of a size the kernel knows (0 is EINVAL).
    MountAttr attr;
    attr.attr_set = kAttrRdonly;
    const long rc = ::syscall(SYS_mount_setattr, -1, "", AT_EMPTY_PATH, &attr, sizeof attr);
    return rc != 0 && errno == EBADF;
}

}  // namespace sbx
