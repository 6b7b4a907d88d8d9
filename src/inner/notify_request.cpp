#include "inner/notify_request.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "inner/proc_scan.hpp"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace sbx {

int read_mem(pid_t pid, std::uint64_t addr, void* buf, std::size_t len) {
    if (len == 0) return 0;
    iovec local{buf, len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    return n == static_cast<ssize_t>(len) ? 0 : EFAULT;
}

int read_cstr(pid_t pid, std::uint64_t addr, std::size_t max, int too_long, std::string& out) {
    out.clear();
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    while (out.size() <= max) {
        std::size_t chunk = page - (addr % page);
        char buf[8192];
        if (chunk > sizeof buf) chunk = sizeof buf;
        if (read_mem(pid, addr, buf, chunk) != 0) return EFAULT;
        const void* nul = std::memchr(buf, 0, chunk);
        if (nul) {
            out.append(buf, static_cast<const char*>(nul) - buf);
            return out.size() <= max ? 0 : too_long;
        }
        out.append(buf, chunk);
        addr += chunk;
    }
    return too_long;
}

CapsCleared::CapsCleared() {
    hdr_.version = _LINUX_CAPABILITY_VERSION_3;
    if (::syscall(SYS_capget, &hdr_, saved_) != 0) return;
    // Nothing to clear (sbxrun-inner dropped every capability before the command started):
    // two capset calls saved on each mediated call.
    if (saved_[0].effective == 0 && saved_[1].effective == 0) {
        ok_ = true;
        restore_ = false;
        return;
    }
    __user_cap_data_struct cleared[2];
    std::memcpy(cleared, saved_, sizeof cleared);
    cleared[0].effective = cleared[1].effective = 0;
    ok_ = ::syscall(SYS_capset, &hdr_, cleared) == 0;
}

CapsCleared::~CapsCleared() {
    if (ok_ && restore_) (void)::syscall(SYS_capset, &hdr_, saved_);
}

int NotifyRequest::open_pidfd() {
    if (pidfd) return 0;
    pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid(), PIDFD_THREAD)));
    if (!pidfd) pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid(), 0)));
    return pidfd ? 0 : EPERM;
}

int NotifyRequest::take_fd(std::uint64_t raw, UniqueFd& out) {
    const int fd = static_cast<int>(static_cast<std::uint32_t>(raw));
    if (fd < 0) return EBADF;
    if (int e = open_pidfd(); e != 0) return e;
    out.reset(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
    if (!out) return errno == EBADF ? EBADF : EPERM;
    return 0;
}

pid_t NotifyRequest::tgid() const {
    unsigned long tgid = 0;
    if (!read_status_field(pid(), "Tgid", 10, tgid) || tgid > INT_MAX) return 0;
    return static_cast<pid_t>(tgid);
}

int NotifyRequest::take_leader_fd(std::uint64_t raw, UniqueFd& out) {
    const pid_t leader = tgid();
    if (leader <= 0) return EPERM;
    if (leader == pid()) return take_fd(raw, out);
    const int fd = static_cast<int>(static_cast<std::uint32_t>(raw));
    if (fd < 0) return EBADF;
    UniqueFd group(static_cast<int>(::syscall(SYS_pidfd_open, leader, 0)));
    if (!group) return EPERM;
    out.reset(static_cast<int>(::syscall(SYS_pidfd_getfd, group.get(), fd, 0)));
    if (!out) return errno == EBADF ? EBADF : EPERM;
    return 0;
}

int NotifyRequest::take_base(std::uint64_t raw, UniqueFd& out) {
    const int fd = static_cast<int>(static_cast<std::uint32_t>(raw));
    if (fd != AT_FDCWD) return take_fd(raw, out);
    const std::string cwd = "/proc/" + std::to_string(pid()) + "/cwd";
    out.reset(::open(cwd.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    return out ? 0 : EPERM;
}

bool NotifyRequest::still_valid() const {
    std::uint64_t id = n.id;
    return ::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

void request_sync_wakeup(int listener) noexcept {
    // Linux 6.6's <linux/seccomp.h>; Debian 12's headers are older. The flag is the argument
    // itself, not a pointer to it.
    constexpr unsigned long kSetFlags = SECCOMP_IOW(4, std::uint64_t);
    constexpr unsigned long kSyncWakeUp = 1UL << 0;
    (void)::ioctl(listener, kSetFlags, kSyncWakeUp);
}

void answer_errno(int listener, std::uint64_t id, int err) noexcept {
    seccomp_notif_resp resp;
    std::memset(&resp, 0, sizeof resp);
    resp.id = id;
    resp.error = err != 0 ? -err : 0;
    resp.val = 0;
    (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

}  // namespace sbx
