#include "run/metadata_notify.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "inner/entry_calls.hpp"
#include "inner/metadata_calls.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/notify_request.hpp"
#include "run/entry_notify.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

using metadata_calls::Call;
using metadata_calls::Names;
using metadata_calls::Op;

constexpr std::size_t kXattrNameMax = 255;
constexpr std::size_t kXattrSizeMax = 65536;

// An errno to answer with, or 0.
struct Answer {
    int err = 0;
};

struct Request : NotifyRequest {
    const Call& call;
    Request(const seccomp_notif& n, const Call& c, int listener)
        : NotifyRequest{n, listener, {}}, call(c) {}
};

// The object the call names, as an O_PATH (or the command's own) descriptor.
int resolve_object(Request& rq, UniqueFd& obj) {
    const Call& c = rq.call;
    if (c.names == Names::fd) {
        if (int e = rq.take_fd(rq.arg(0), obj); e != 0) return e;
        // The kernel refuses these calls on an O_PATH descriptor.
        if (::fcntl(obj.get(), F_GETFL) & O_PATH) return EBADF;
        return 0;
    }
    const int path_arg = c.names == Names::path ? 0 : 1;
    std::uint64_t flags = c.flags_arg >= 0 ? rq.arg(c.flags_arg) : 0;
    if (c.flags_arg >= 0 && (flags & ~std::uint64_t(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
        return EINVAL;
    bool nofollow = c.nofollow || (flags & AT_SYMLINK_NOFOLLOW) != 0;
    UniqueFd base;
    if (c.names == Names::at) {
        // utimensat(dirfd, NULL, ...) is futimens(dirfd): the descriptor itself.
        if (c.op == Op::utimensat && rq.arg(1) == 0) {
            if (static_cast<int>(static_cast<std::uint32_t>(rq.arg(0))) == AT_FDCWD) return EFAULT;
            if (flags != 0) return EINVAL;
            if (int e = rq.take_fd(rq.arg(0), obj); e != 0) return e;
            if (::fcntl(obj.get(), F_GETFL) & O_PATH) return EBADF;
            return 0;
        }
    }
    std::string path;
    if (int e = read_cstr(rq.pid(), rq.arg(path_arg), PATH_MAX - 1, ENAMETOOLONG, path); e != 0)
        return e;
    if (path.empty()) {
        if (!(flags & AT_EMPTY_PATH)) return ENOENT;
        return c.names == Names::at ? rq.take_base(rq.arg(0), obj) : ENOENT;
    }
    if (path[0] != '/') {
        if (int e = rq.take_base(
                c.names == Names::at ? rq.arg(0) : std::uint64_t(std::uint32_t(AT_FDCWD)), base);
            e != 0)
            return e;
    }
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    obj.reset(static_cast<int>(
        ::syscall(SYS_openat2, base ? base.get() : AT_FDCWD, path.c_str(), &how, sizeof how)));
    return obj ? 0 : errno;
}

std::string proc_fd(int fd) {
    return "/proc/self/fd/" + std::to_string(fd);
}

int result(long rc) {
    return rc == 0 ? 0 : errno;
}

// What the call asks, read from the command's memory before the notification is re-checked.
struct Args {
    mode_t mode = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    bool now = false;
    timespec times[2]{};
    std::string name;
    std::vector<char> value;
    int xflags = 0;
};

int read_args(Request& rq, Args& a) {
    const Call& c = rq.call;
    const int first = c.names == Names::at ? 2 : 1;  // the first argument after the object
    switch (c.op) {
        case Op::chmod:
            a.mode = static_cast<mode_t>(rq.arg(first));
            return 0;
        case Op::chown:
            a.uid = static_cast<uid_t>(rq.arg(first));
            a.gid = static_cast<gid_t>(rq.arg(first + 1));
            return 0;
        case Op::utime: {
            if (rq.arg(1) == 0) return a.now = true, 0;
            utimbuf b{};
            if (read_mem(rq.pid(), rq.arg(1), &b, sizeof b) != 0) return EFAULT;
            a.times[0] = {b.actime, 0};
            a.times[1] = {b.modtime, 0};
            return 0;
        }
        case Op::utimes: {
            if (rq.arg(first) == 0) return a.now = true, 0;
            timeval tv[2]{};
            if (read_mem(rq.pid(), rq.arg(first), tv, sizeof tv) != 0) return EFAULT;
            for (int i = 0; i < 2; ++i) {
                if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) return EINVAL;
                a.times[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
            }
            return 0;
        }
        case Op::utimensat:
            if (rq.arg(2) == 0) return a.now = true, 0;
            return read_mem(rq.pid(), rq.arg(2), a.times, sizeof a.times) != 0 ? EFAULT : 0;
        case Op::setxattr:
        case Op::removexattr: {
            const bool at = c.names == Names::at;
            const int name_arg = at ? 3 : 1;
            if (int e = read_cstr(rq.pid(), rq.arg(name_arg), kXattrNameMax, ERANGE, a.name);
                e != 0)
                return e;
            if (a.name.empty()) return ERANGE;
            if (c.op == Op::removexattr) return 0;
            std::uint64_t value = rq.arg(2), size = rq.arg(3);
            a.xflags = static_cast<int>(rq.arg(4));
            if (at) {
                struct {
                    std::uint64_t value;
                    std::uint32_t size, flags;
                } xa{};
                if (rq.arg(5) < sizeof xa) return EINVAL;
                if (read_mem(rq.pid(), rq.arg(4), &xa, sizeof xa) != 0) return EFAULT;
                value = xa.value, size = xa.size, a.xflags = static_cast<int>(xa.flags);
            }
            if (size > kXattrSizeMax) return E2BIG;
            a.value.resize(size);
            return read_mem(rq.pid(), value, a.value.data(), size) != 0 ? EFAULT : 0;
        }
    }
    return ENOSYS;
}

// With the effective capabilities already cleared (decide()).
int perform(const Call& c, int obj, const Args& a) {
    switch (c.op) {
        case Op::chmod: {
            long rc = ::syscall(metadata_calls::kFchmodat2, obj, "", a.mode, AT_EMPTY_PATH);
            if (rc != 0 && errno == ENOSYS) rc = ::chmod(proc_fd(obj).c_str(), a.mode);
            return result(rc);
        }
        case Op::chown:
            return result(::fchownat(obj, "", a.uid, a.gid, AT_EMPTY_PATH));
        case Op::utime:
        case Op::utimes:
        case Op::utimensat:
            return result(::utimensat(obj, "", a.now ? nullptr : a.times, AT_EMPTY_PATH));
        case Op::setxattr:
            return result(::setxattr(proc_fd(obj).c_str(), a.name.c_str(), a.value.data(),
                                     a.value.size(), a.xflags));
        case Op::removexattr:
            return result(::removexattr(proc_fd(obj).c_str(), a.name.c_str()));
    }
    return ENOSYS;
}

FsOp report_op(Op op) {
    switch (op) {
        case Op::chmod:
            return FsOp::chmod;
        case Op::chown:
            return FsOp::chown;
        case Op::utime:
        case Op::utimes:
        case Op::utimensat:
            return FsOp::utime;
        case Op::setxattr:
        case Op::removexattr:
            return FsOp::xattr;
    }
    return FsOp::write;
}

// A refusal of the guard's, for the denial report: the object by the path the kernel has for
// it (sbxrun's own descriptor of it).
void note_metadata_refusal(DenialLog* log, Op op, int obj) {
    if (log == nullptr) return;
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(proc_fd(obj).c_str(), buf, sizeof buf);
    if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf) || buf[0] != '/') return;
    log->add(report_op(op), std::string_view(buf, static_cast<std::size_t>(n)));
}

int decide(Request& rq, const MetadataGuard& guard, bool& alive, DenialLog* log) {
    // Resolution too runs without capabilities: root's CAP_DAC_READ_SEARCH would reach objects
    // through directories the command cannot search.
    CapsCleared caps;
    if (!caps.ok()) return EPERM;
    UniqueFd obj;
    Args args;
    int err = resolve_object(rq, obj);
    if (err == 0) err = read_args(rq, args);
    // Everything read from the command so far was read from the process that made this call,
    // not from a process that reused its pid in between.
    alive = rq.still_valid();
    if (!alive || err != 0) return err;
    mode_t mode = 0;
    auto chain = ancestry(obj.get(), &mode);
    if (!chain) return chain.error().sys_errno != 0 ? chain.error().sys_errno : EPERM;
    if (!guard.may_change(*chain, mode)) {
        note_metadata_refusal(log, rq.call.op, obj.get());
        return EPERM;
    }
    return perform(rq.call, obj.get(), args);
}

}  // namespace

void answer_metadata_call(int listener, const MetadataGuard& guard, DenialLog* log) noexcept {
    seccomp_notif n;
    std::memset(&n, 0, sizeof n);
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) return;  // its process is gone
    const bool native = n.data.arch == metadata_calls::kNativeArch;
    if (const auto* entry = native ? entry_calls::find(static_cast<long>(n.data.nr)) : nullptr) {
        answer_entry_call(listener, n, *entry, guard, log);
        return;
    }
    int err = EPERM;
    bool alive = true;
    const Call* call = native ? metadata_calls::find(static_cast<long>(n.data.nr)) : nullptr;
    if (call != nullptr) {
        try {
            Request rq(n, *call, listener);
            err = decide(rq, guard, alive, log);
        } catch (...) {
            err = ENOMEM;  // an allocation failed: refuse
        }
    }
    if (!alive) return;
    answer_errno(listener, n.id, err);
}

int receive_listener(int sock) noexcept {
    return receive_fd(sock, false);
}

}  // namespace sbx
