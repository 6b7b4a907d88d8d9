#include "inner/proc_sys.hpp"

#include <sys/mount.h>

#include <cerrno>

namespace sbx {

Status make_proc_sys_readonly() {
    constexpr const char* kPath = "/proc/sys";
    // The path is the sandbox's own procfs, mounted by bwrap just before: the command has not
    // started, so nothing can have replaced it.
    if (::mount(kPath, kPath, nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return os_error("bind /proc/sys onto itself", errno, kPath);
    if (::mount(nullptr, kPath, nullptr,
                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
        return os_error("remount /proc/sys read-only", errno, kPath);
    return {};
}

}  // namespace sbx
