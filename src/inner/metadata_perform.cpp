#include "inner/metadata_perform.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <string>
#include <string_view>
#include <utility>

namespace sbx {
namespace {

using metadata_calls::Call;
using metadata_calls::Names;
using metadata_calls::Op;

constexpr std::size_t kXattrNameMax = 255;
constexpr std::size_t kXattrSizeMax = 65536;

std::string proc_fd(int fd) {
    return "/proc/self/fd/" + std::to_string(fd);
}

int result(long rc) {
    return rc == 0 ? 0 : errno;
}

// A descriptor number as /proc spells it: decimal, no sign, no leading zero ("00" is no entry).
bool fd_number(std::string_view s, long& out) {
    if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && out >= 0 && out <= INT_MAX;
}

// Whose descriptor table a /proc path names: the thread's own (/proc/thread-self, /proc/TID)
// or its thread group leader's (/proc/self, /proc/TGID), as the kernel's /proc shows them.
enum class Table { none, thread, leader };

struct OwnDescriptor {
    Table table = Table::none;
    long fd = -1;
};

// `path` as the caller's own descriptor: exactly /proc/{self,thread-self,TID,TGID}/fd/N,
// spelled as the kernel's own links are (no "//", ".", ".." or trailing "/": anything else
// stays a path, and its magic link is refused); and /dev/stdin, /dev/stdout, /dev/stderr and
// /dev/fd/N when they are, here, the usual links to /proc/self/fd.
OwnDescriptor own_descriptor(std::string_view path, NotifyRequest& rq) {
    OwnDescriptor out;
    constexpr std::string_view kDevFd = "/dev/fd/";
    static constexpr std::pair<std::string_view, int> kStd[] = {
        {"/dev/stdin", 0}, {"/dev/stdout", 1}, {"/dev/stderr", 2}};
    for (const auto& [name, fd] : kStd) {
        if (path != name) continue;
        char target[32];
        const ssize_t n = ::readlink(std::string(name).c_str(), target, sizeof target);
        if (n > 0 && std::string_view(target, static_cast<std::size_t>(n)) ==
                         "/proc/self/fd/" + std::to_string(fd))
            out = {Table::leader, fd};
        return out;
    }
    if (path.starts_with(kDevFd)) {
        char target[32];
        const ssize_t n = ::readlink("/dev/fd", target, sizeof target);
        if (n > 0 && std::string_view(target, static_cast<std::size_t>(n)) == "/proc/self/fd" &&
            fd_number(path.substr(kDevFd.size()), out.fd))
            out.table = Table::leader;
        return out;
    }
    constexpr std::string_view kProc = "/proc/";
    if (!path.starts_with(kProc)) return out;
    path.remove_prefix(kProc.size());
    const std::size_t slash = path.find('/');
    if (slash == std::string_view::npos) return out;
    const std::string_view who = path.substr(0, slash);
    constexpr std::string_view kFd = "/fd/";
    constexpr std::string_view kTask = "/task/";
    std::string_view rest = path.substr(slash);
    if (rest.starts_with(kTask)) {
        // /proc/{self,TGID}/task/TID/fd/N: the calling thread's own table, named from its group.
        rest.remove_prefix(kTask.size());
        const std::size_t end = rest.find('/');
        long tid = 0;
        if (end == std::string_view::npos || !fd_number(rest.substr(0, end), tid) ||
            tid != rq.pid())
            return out;
        rest.remove_prefix(end);
        long n = 0;
        if (!rest.starts_with(kFd) || !fd_number(rest.substr(kFd.size()), out.fd) ||
            !(who == "self" || (fd_number(who, n) && (n == rq.pid() || n == rq.tgid()))))
            return out;
        out.table = Table::thread;
        return out;
    }
    if (!rest.starts_with(kFd) || !fd_number(rest.substr(kFd.size()), out.fd)) return out;
    if (who == "self") {
        out.table = Table::leader;
    } else if (who == "thread-self") {
        out.table = Table::thread;
    } else if (long n = 0; fd_number(who, n)) {
        if (n == rq.pid())
            out.table = Table::thread;  // /proc/TID/fd is that thread's table
        else if (n == rq.tgid())
            out.table = Table::leader;
    }
    return out;
}

// The caller's descriptor `raw` itself; the kernel refuses these calls on an O_PATH one.
int take_object_fd(NotifyRequest& rq, std::uint64_t raw, UniqueFd& obj) {
    if (int e = rq.take_fd(raw, obj); e != 0) return e;
    if (::fcntl(obj.get(), F_GETFL) & O_PATH) return EBADF;
    return 0;
}

}  // namespace

int resolve_metadata_object(NotifyRequest& rq, const Call& c, UniqueFd& obj) {
    if (c.names == Names::fd) return take_object_fd(rq, rq.arg(0), obj);
    const int path_arg = c.names == Names::path ? 0 : 1;
    std::uint64_t flags = c.flags_arg >= 0 ? rq.arg(c.flags_arg) : 0;
    if (c.flags_arg >= 0 && (flags & ~std::uint64_t(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
        return EINVAL;
    const bool nofollow = c.nofollow || (flags & AT_SYMLINK_NOFOLLOW) != 0;
    // utimensat(dirfd, NULL, ...) and futimesat(dirfd, NULL, ...) are futimens(dirfd).
    if (c.names == Names::at && (c.op == Op::utimensat || c.op == Op::utimes) && rq.arg(1) == 0) {
        if (static_cast<int>(static_cast<std::uint32_t>(rq.arg(0))) == AT_FDCWD) return EFAULT;
        if (flags != 0) return EINVAL;
        return take_object_fd(rq, rq.arg(0), obj);
    }
    std::string path;
    if (int e = read_cstr(rq.pid(), rq.arg(path_arg), PATH_MAX - 1, ENAMETOOLONG, path); e != 0)
        return e;
    if (path.empty()) {
        if (!(flags & AT_EMPTY_PATH)) return ENOENT;
        return c.names == Names::at ? rq.take_base(rq.arg(0), obj) : ENOENT;
    }
    if (!nofollow) {
        // Through the link the kernel reaches the open file itself, O_PATH or not.
        const OwnDescriptor own = own_descriptor(path, rq);
        const auto raw = static_cast<std::uint64_t>(own.fd);
        // A closed descriptor has no entry in /proc: ENOENT, as the kernel says for the path.
        int err = -1;
        if (own.table == Table::thread) err = rq.take_fd(raw, obj);
        if (own.table == Table::leader) err = rq.take_leader_fd(raw, obj);
        if (err >= 0) return err == EBADF ? ENOENT : err;
    }
    UniqueFd base;
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

int read_metadata_args(NotifyRequest& rq, const Call& c, MetadataArgs& a) {
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

int perform_metadata_call(const Call& c, int obj, const MetadataArgs& a) {
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

TopChange top_change(const Call& c, const MetadataArgs& a, const struct stat& st) {
    switch (c.op) {
        case Op::utime:
        case Op::utimes:
        case Op::utimensat:
            return TopChange::perform;
        case Op::chmod:
            return (a.mode & 07777) == (st.st_mode & 07777) ? TopChange::nothing_to_do
                                                            : TopChange::refuse;
        case Op::chown: {
            const bool same_uid = a.uid == static_cast<uid_t>(-1) || a.uid == st.st_uid;
            const bool same_gid = a.gid == static_cast<gid_t>(-1) || a.gid == st.st_gid;
            return same_uid && same_gid ? TopChange::nothing_to_do : TopChange::refuse;
        }
        case Op::setxattr:
        case Op::removexattr:
            return TopChange::refuse;
    }
    return TopChange::refuse;
}

RefusedOp metadata_report_op(Op op) {
    switch (op) {
        case Op::chmod:
            return RefusedOp::chmod;
        case Op::chown:
            return RefusedOp::chown;
        case Op::utime:
        case Op::utimes:
        case Op::utimensat:
            return RefusedOp::utime;
        case Op::setxattr:
        case Op::removexattr:
            return RefusedOp::xattr;
    }
    return RefusedOp::write;
}

}  // namespace sbx
