#include "inner/metadata_filter.hpp"

#include <linux/fs.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "inner/metadata_calls.hpp"

namespace sbx {
namespace {

sock_filter stmt(unsigned short code, unsigned k) {
    return sock_filter{code, 0, 0, k};
}
sock_filter jeq(unsigned k, unsigned char jt, unsigned char jf) {
    return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, jt, jf, k};
}

// The low 32 bits of argument `i`: the kernel reads ioctl's request as an unsigned int.
unsigned arg_low(int i) {
    const auto off =
        offsetof(seccomp_data, args) + sizeof(std::uint64_t) * static_cast<unsigned>(i);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return static_cast<unsigned>(off);
#else
    return static_cast<unsigned>(off + 4);
#endif
}

}  // namespace

Result<SeccompProgram> build_metadata_filter() {
    using namespace metadata_calls;
    if (kNativeArch == 0)
        return Error(ErrorKind::unsupported,
                     "metadata calls cannot be mediated on this architecture");
    SeccompProgram p;
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    p.push_back(jeq(kNativeArch, 1, 0));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    // Each comparison jumps forward to a shared return: NOTIFY, the ioctl check or EPERM.
    constexpr std::size_t n = std::size(kCalls);
    // Layout after the nr load: n compares, jeq ioctl, jeq file_setattr, ret allow,
    // [notify] ret notify, [ioctl] ld arg1, jeq SETFLAGS, jeq FSSETXATTR, ret allow,
    // [eperm] ret errno.
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t to_notify = (n - i - 1) + 3;  // skip the rest, ioctl, setattr, allow
        p.push_back(
            jeq(static_cast<unsigned>(kCalls[i].nr), static_cast<unsigned char>(to_notify), 0));
    }
    p.push_back(jeq(SYS_ioctl, 3, 0));     // -> ld arg1
    p.push_back(jeq(kFileSetattr, 6, 0));  // -> eperm
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(1)));
    p.push_back(jeq(static_cast<unsigned>(FS_IOC_SETFLAGS), 2, 0));
    p.push_back(jeq(static_cast<unsigned>(FS_IOC_FSSETXATTR), 1, 0));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
    return p;
}

int load_metadata_filter(const SeccompProgram& program) noexcept {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.size());
    prog.filter = const_cast<sock_filter*>(program.data());
    long fd =
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (fd < 0) return -errno;
    return static_cast<int>(fd);
}

int send_fd(int sock, int fd) noexcept {
    char byte = 'L';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    std::memset(control, 0, sizeof control);
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t r;
    do {
        r = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return r == 1 ? 0 : (r < 0 ? errno : EIO);
}

}  // namespace sbx
