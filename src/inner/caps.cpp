#include "inner/caps.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

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

Status drop_all_capabilities() {
    const int last = kernel_cap_last_cap();
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
