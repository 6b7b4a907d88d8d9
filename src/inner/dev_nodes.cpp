#include "inner/dev_nodes.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "inner/mount_api.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// mount_setattr (Linux 5.12) sets read-only alone; before it, a remount must repeat the flags
// the mount has (those locked in a user namespace cannot be dropped).
int remount_read_only(const char* path) {
    MountAttr attr;
    attr.attr_set = kAttrRdonly;
    if (::syscall(SYS_mount_setattr, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, &attr, sizeof attr) == 0)
        return 0;
    if (errno != ENOSYS) return errno;
    struct statvfs sv {};
    if (::statvfs(path, &sv) != 0) return errno;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
    if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return ::mount(nullptr, path, nullptr, flags, nullptr) == 0 ? 0 : errno;
}

constexpr const char* kNodes[] = {"null", "zero", "full", "random", "urandom", "tty", "console"};

}  // namespace

Status make_dev_nodes_readonly() {
    for (const char* node : kNodes) {
        const std::string path = std::string("/dev/") + node;
        // The console is bound only when the run has a terminal.
        if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) continue;
        if (const int err = remount_read_only(path.c_str()); err != 0)
            return os_error("remount " + path + " read-only", err, path);
    }
    return {};
}

Status reopen_dev_nodes(std::initializer_list<int> fds) {
    for (const int fd : fds) {
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) continue;
        for (const char* node : kNodes) {
            const std::string path = std::string("/dev/") + node;
            struct stat here {};
            if (::stat(path.c_str(), &here) != 0 || !S_ISCHR(here.st_mode) ||
                here.st_rdev != st.st_rdev || here.st_ino != st.st_ino || here.st_dev != st.st_dev)
                continue;
            const int fl = ::fcntl(fd, F_GETFL);
            if (fl < 0)
                return os_error("read the flags of descriptor " + std::to_string(fd), errno);
            UniqueFd again(::open(path.c_str(), (fl & (O_ACCMODE | O_APPEND | O_NONBLOCK)) |
                                                    O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
            if (!again) return os_error("reopen " + path, errno, path);
            if (::dup3(again.get(), fd, 0) < 0) return os_error("reopen " + path, errno, path);
            break;
        }
    }
    return {};
}

}  // namespace sbx
