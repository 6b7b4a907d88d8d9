#include "inner/pin.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string_view>

#include "inner/mount_api.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

Status pin_symlink(const PinSpec& pin) {
    const std::string& path = pin.path;
    // Everything through the parent, reached without crossing a symlink (the plan's pins have
    // canonical parents): the link is looked up by name only in the directory we hold, so
    // what is checked below is what gets mounted, not whatever the path names a moment later.
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash + 1 == path.size())
        return Error(ErrorKind::internal, "pin " + path + ": not an absolute path to a link");
    const std::string dir = slash == 0 ? std::string("/") : path.substr(0, slash);
    const std::string name = path.substr(slash + 1);
    UniqueFd parent = open_no_symlinks(AT_FDCWD, dir.c_str(), O_PATH | O_DIRECTORY);
    if (!parent) return os_error("pin " + path + ": open its directory", errno, path);
    long fd = ::syscall(SYS_open_tree, parent.get(), name.c_str(),
                        OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLOEXEC);
    if (fd < 0) return os_error("pin " + path + ": open_tree", errno, path);
    UniqueFd tree(static_cast<int>(fd));
    // The clone holds the very inode that will be mounted: it must be the link the plan read.
    struct stat st {};
    if (::fstat(tree.get(), &st) != 0) return os_error("pin " + path + ": fstat", errno, path);
    if (!S_ISLNK(st.st_mode))
        return Error(ErrorKind::os,
                     "pin " + path + ": no longer a symlink (changed since planning)")
            .with_path(path);
    char buf[PATH_MAX];
    const ssize_t n = ::readlinkat(tree.get(), "", buf, sizeof buf);
    if (n < 0) return os_error("pin " + path + ": readlink", errno, path);
    if (std::string_view(buf, static_cast<std::size_t>(n)) != pin.text)
        return Error(ErrorKind::os, "pin " + path + ": the link now points to '" +
                                        std::string(buf, static_cast<std::size_t>(n)) +
                                        "', planned '" + pin.text + "' (changed since planning)")
            .with_path(path);
    // Read-only, so that the link's own metadata stays too: a clone of the writable root's
    // mount let utimensat(AT_SYMLINK_NOFOLLOW) through sbxrun-inner, which judged the pin a
    // writable mount's top (fortieth review). Following the link is not affected: its text is
    // resolved from the directory that holds it. Without mount_setattr (before Linux 5.12, or
    // refused by a container's filter) the pin still cannot be removed, renamed or replaced.
    MountAttr attr;
    attr.attr_set = kAttrRdonly;
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0 &&
        errno != ENOSYS && errno != EPERM)
        return os_error("pin " + path + ": mount_setattr", errno, path);
    // Without MOVE_MOUNT_T_SYMLINKS the destination link itself (not its target) becomes the
    // mount point; if the name was swapped since open_tree, the checked link covers the new one.
    if (::syscall(SYS_move_mount, tree.get(), "", parent.get(), name.c_str(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return os_error("pin " + path + ": move_mount", errno, path);
    return {};
}

}  // namespace sbx
