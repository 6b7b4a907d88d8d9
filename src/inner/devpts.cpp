#include "inner/devpts.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string_view>

namespace sbx {

Status mount_private_devpts() {
    // No gid= option: gid 5 (tty) is usually not mapped in the sandbox's user namespace.
    if (::mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620") != 0)
        return os_error("mount devpts on /dev/pts", errno, "/dev/pts");

    struct stat st {};
    if (::lstat("/dev/ptmx", &st) != 0) {
        if (errno != ENOENT) return os_error("lstat /dev/ptmx", errno, "/dev/ptmx");
        if (::symlink("pts/ptmx", "/dev/ptmx") != 0)
            return os_error("symlink /dev/ptmx -> pts/ptmx", errno, "/dev/ptmx");
        return {};
    }
    if (S_ISLNK(st.st_mode)) {
        std::array<char, 16> buf{};
        ssize_t n = ::readlink("/dev/ptmx", buf.data(), buf.size());
        if (n >= 0 && std::string_view(buf.data(), static_cast<std::size_t>(n)) == "pts/ptmx")
            return {};
    }
    if (::mount("/dev/pts/ptmx", "/dev/ptmx", nullptr, MS_BIND, nullptr) != 0)
        return os_error("bind /dev/pts/ptmx onto /dev/ptmx", errno, "/dev/ptmx");
    return {};
}

}  // namespace sbx
