#include "inner/caps.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "util/unique_fd.hpp"

namespace sbx {

int kernel_cap_last_cap() {
    UniqueFd fd(::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC));
    if (fd) {
        char buf[16] = {};
        ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
        if (n > 0) {
            int v = 0;
            bool digits = false;
            for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) {
                v = v * 10 + (buf[i] - '0');
                digits = true;
            }
            if (digits && v > 0 && v < 64) return v;
        }
    }
    return CAP_LAST_CAP;
}

namespace {

// True when the permitted set is empty: the process holds no capability and (once
// no_new_privs is set) can never gain one, since execve() of a setuid or file-capability
// binary then grants nothing.
Result<bool> holds_no_capability() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capget, &hdr, data) != 0) return os_error("capget", errno);
    for (const auto& d : data) {
        if (d.permitted != 0) return false;
    }
    return true;
}

}  // namespace

Status drop_all_capabilities() {
    // An unprivileged caller outside any user namespace (the Landlock backend) cannot drop its
    // bounding set (PR_CAPBSET_DROP needs CAP_SETPCAP) and does not need to: the bounding set
    // only limits what execve() may grant, and no_new_privs, set right after this, makes
    // execve() grant nothing. Its bounding set is then left as it was.
    auto none = holds_no_capability();
    if (!none) return std::move(none).error();
    const int last = *none ? -1 : kernel_cap_last_cap();
    for (int cap = 0; cap <= last; ++cap) {
        int in = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in < 0) {
            if (errno == EINVAL) continue;  // the kernel does not know this one
            return os_error("read bounding set capability " + std::to_string(cap), errno);
        }
        if (in == 0) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            return os_error("drop capability " + std::to_string(cap) + " from the bounding set",
                            errno);
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return os_error("clear the ambient capability set", errno);

    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capset, &hdr, data) != 0) return os_error("capset (clear all)", errno);

    hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    if (::syscall(SYS_capget, &hdr, data) != 0) return os_error("capget", errno);
    for (const auto& d : data) {
        if (d.effective != 0 || d.permitted != 0 || d.inheritable != 0)
            return Error(ErrorKind::internal, "capabilities remain after capset");
    }
    return {};
}

}  // namespace sbx
