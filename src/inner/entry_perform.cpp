#include "inner/entry_perform.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>

#include "inner/landlock_apply.hpp"
#include "inner/proc_scan.hpp"

namespace sbx {
namespace {

int last_errno(long rc) {
    return rc == 0 ? 0 : errno;
}

// No set-id bit is ever made for the caller (its own filter refuses them before they get here).
constexpr mode_t kPermMask = 01777;

}  // namespace

Located locate_entry(NotifyRequest& rq, int dirfd_arg, int path_arg, EntryRef& e, int& err) {
    err = 0;
    std::string path;
    if (read_cstr(rq.pid(), rq.arg(path_arg), PATH_MAX - 1, ENAMETOOLONG, path) != 0)
        return Located::undecided;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path == "/") return Located::undecided;
    const auto slash = path.rfind('/');
    std::string parent;
    if (slash != std::string::npos) {
        parent = slash == 0 ? "/" : path.substr(0, slash);
        e.name = path.substr(slash + 1);
    } else {
        e.name = path;
    }
    if (e.name.empty() || e.name == "." || e.name == "..") return Located::undecided;
    UniqueFd base;
    if (parent.empty() || parent[0] != '/') {
        const std::uint64_t raw =
            dirfd_arg >= 0 ? rq.arg(dirfd_arg) : std::uint64_t(std::uint32_t(AT_FDCWD));
        if (rq.take_base(raw, base) != 0) return Located::undecided;
    }
    if (parent.empty()) {
        e.dir = std::move(base);
    } else {
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_MAGICLINKS;
        const int at = base ? base.get() : AT_FDCWD;
        e.dir.reset(static_cast<int>(::syscall(SYS_openat2, at, parent.c_str(), &how, sizeof how)));
        if (!e.dir && (errno == ENOENT || errno == ENOTDIR)) {
            // Missing for the command too only if no symbolic link led here: /proc/self (and
            // a link to it) names this process, not the command, so /proc/self/fd/5 may be
            // missing here and a directory there (found by escape_writes under ASan, whose
            // descriptors differ). Resolved again without any link, the same error is the
            // command's own; anything else stays undecided.
            open_how strict = how;
            strict.resolve = RESOLVE_NO_SYMLINKS;
            UniqueFd again(static_cast<int>(
                ::syscall(SYS_openat2, at, parent.c_str(), &strict, sizeof strict)));
            if (!again && (errno == ENOENT || errno == ENOTDIR)) {
                err = errno;
                return Located::fails;
            }
            return Located::undecided;
        }
    }
    if (!e.dir) return Located::undecided;
    struct stat st {};
    if (::fstat(e.dir.get(), &st) != 0 || !S_ISDIR(st.st_mode)) return Located::undecided;
    return Located::yes;
}

std::string entry_path(const EntryRef& e) {
    const std::string link = "/proc/self/fd/" + std::to_string(e.dir.get());
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf) || buf[0] != '/') return {};
    std::string path(buf, static_cast<std::size_t>(n));
    if (path.back() != '/') path += '/';
    return path + e.name;
}

std::optional<EntryRef> dangling_link_target(const EntryRef& e) {
    char text[PATH_MAX];
    const ssize_t n = ::readlinkat(e.dir.get(), e.name.c_str(), text, sizeof text - 1);
    if (n <= 0) return std::nullopt;
    const std::string_view t(text, static_cast<std::size_t>(n));
    const std::size_t slash = t.rfind('/');
    EntryRef target;
    target.name = std::string(slash == std::string_view::npos ? t : t.substr(slash + 1));
    if (target.name.empty() || target.name == "." || target.name == "..") return std::nullopt;
    const std::string dir = slash == std::string_view::npos ? std::string(".")
                            : slash == 0                    ? std::string("/")
                                                            : std::string(t.substr(0, slash));
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_NO_MAGICLINKS;
    target.dir.reset(
        static_cast<int>(::syscall(SYS_openat2, e.dir.get(), dir.c_str(), &how, sizeof how)));
    struct stat st {};
    if (!target.dir ||
        ::fstatat(target.dir.get(), target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ||
        errno != ENOENT)
        return std::nullopt;
    return target;
}

void note_refusal(DenialLog* log, RefusedOp op, const EntryRef& e) {
    if (log == nullptr) return;
    if (std::string path = entry_path(e); !path.empty()) log->add(op, path);
}

void note_refusal_at(DenialLog* log, RefusedOp op, int object) {
    if (log == nullptr) return;
    const std::string link = "/proc/self/fd/" + std::to_string(object);
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf) || buf[0] != '/') return;
    log->add(op, std::string(buf, static_cast<std::size_t>(n)));
}

bool on_read_only_mount(const EntryRef& e) {
    struct statvfs sv {};
    return ::fstatvfs(e.dir.get(), &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0;
}

bool opens_read_only_mount(const EntryRef& e) {
    // Through a final symlink, as the open will go; O_PATH opens nothing for reading.
    UniqueFd target(::openat(e.dir.get(), e.name.c_str(), O_PATH | O_CLOEXEC));
    if (!target) return on_read_only_mount(e);
    struct stat st {};
    struct statvfs sv {};
    if (::fstat(target.get(), &st) != 0 || ::fstatvfs(target.get(), &sv) != 0) return false;
    // A device is written whatever its mount (the host's /dev/null is a read-only mount in
    // bwrap's /dev): nothing is refused.
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return false;
    if ((sv.f_flag & ST_RDONLY) == 0) return false;
    // A FIFO there is refused by bwrap's write layer (inner/write_layer.hpp).
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return true;
    // The kernel checks the file's own permissions before the mount: EACCES for a file this
    // user may not write is not the sandbox's refusal (the twenty-sixth review). access(2)
    // answers in the same order.
    if (::faccessat(target.get(), "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0) return false;
    return errno == EROFS || errno == EINVAL || errno == ENOSYS;  // the last two: no faccessat2
}

bool is_mount_point(const EntryRef& e) {
    struct statx sx {};
    if (::statx(e.dir.get(), e.name.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE,
                &sx) != 0)
        return false;
    return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
           (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

bool entry_exists(const EntryRef& e) {
    struct stat st {};
    return ::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool locate_or_answer(NotifyRequest& rq, int dirfd_arg, int path_arg, EntryRef& e,
                      NotifyReply& answer) {
    int err = 0;
    switch (locate_entry(rq, dirfd_arg, path_arg, e, err)) {
        case Located::yes:
            return true;
        case Located::fails:
            answer = NotifyReply::result(err);
            return false;
        case Located::undecided:
            break;
    }
    answer = NotifyReply::go_on();
    return false;
}

mode_t umask_of(pid_t pid) {
    unsigned long mask = 022;
    if (!read_status_field(pid, "Umask", 8, mask)) return 022;
    return static_cast<mode_t>(mask & 0777);
}

UmaskCleared::UmaskCleared() : saved_(::umask(0)) {}
UmaskCleared::~UmaskCleared() {
    ::umask(saved_);
}

std::uint64_t make_right(mode_t type) {
    switch (type & S_IFMT) {
        case 0:
        case S_IFREG:
            return ll::kMakeReg;
        case S_IFDIR:
            return ll::kMakeDir;
        case S_IFLNK:
            return ll::kMakeSym;
        case S_IFIFO:
            return ll::kMakeFifo;
        case S_IFSOCK:
            return ll::kMakeSock;
        default:
            return 0;
    }
}

std::uint64_t remove_right(mode_t type) {
    return S_ISDIR(type) ? ll::kRemoveDir : ll::kRemoveFile;
}

OpenArgs open_args(const NotifyRequest& rq, const entry_calls::Call& c) {
    OpenArgs a;
    if (c.flags < 0) {  // creat()
        a.flags = O_CREAT | O_WRONLY | O_TRUNC;
    } else {
        a.flags = rq.arg(c.flags);
    }
    a.mode = static_cast<mode_t>(rq.arg(c.mode));
    return a;
}

NotifyReply create_file(NotifyRequest& rq, const EntryRef& e, const OpenArgs& a) {
    const mode_t mode = a.mode & kPermMask & ~umask_of(rq.pid());
    if (!rq.still_valid()) return NotifyReply::go_on();
    const int flags = static_cast<int>(a.flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC);
    UniqueFd f;
    {
        UmaskCleared um;
        f.reset(::openat(e.dir.get(), e.name.c_str(), flags, mode));
    }
    if (!f) {
        // Made meanwhile: an existing entry is the kernel's to open.
        if (errno == EEXIST && !(a.flags & O_EXCL)) return NotifyReply::go_on();
        return NotifyReply::result(errno);
    }
    return NotifyReply::descriptor(std::move(f), (a.flags & O_CLOEXEC) != 0);
}

NotifyReply make_entry(NotifyRequest& rq, entry_calls::Op op, const EntryRef& e, mode_t mode,
                       const std::string& target) {
    using entry_calls::Op;
    if (op == Op::mknod && make_right(mode) == 0) return NotifyReply::result(EPERM);
    const mode_t perm = mode & kPermMask & ~umask_of(rq.pid());
    if (!rq.still_valid()) return NotifyReply::go_on();
    UmaskCleared um;
    switch (op) {
        case Op::mkdir:
            return NotifyReply::result(last_errno(::mkdirat(e.dir.get(), e.name.c_str(), perm)));
        case Op::symlink:
            return NotifyReply::result(
                last_errno(::symlinkat(target.c_str(), e.dir.get(), e.name.c_str())));
        case Op::mknod: {
            const mode_t type = (mode & S_IFMT) == 0 ? S_IFREG : (mode & S_IFMT);
            return NotifyReply::result(
                last_errno(::mknodat(e.dir.get(), e.name.c_str(), type | perm, 0)));
        }
        default:
            return NotifyReply::result(EPERM);
    }
}

NotifyReply remove_entry(NotifyRequest& rq, const EntryRef& e, int flags) {
    if (!rq.still_valid()) return NotifyReply::go_on();
    return NotifyReply::result(last_errno(::unlinkat(e.dir.get(), e.name.c_str(), flags)));
}

NotifyReply rename_entry(NotifyRequest& rq, const EntryRef& from, const EntryRef& to,
                         unsigned flags) {
    if (!rq.still_valid()) return NotifyReply::go_on();
    return NotifyReply::result(last_errno(::syscall(
        SYS_renameat2, from.dir.get(), from.name.c_str(), to.dir.get(), to.name.c_str(), flags)));
}

NotifyReply link_entry(NotifyRequest& rq, const EntryRef& from, const EntryRef& to, bool follow) {
    if (!follow) {
        if (!rq.still_valid()) return NotifyReply::go_on();
        return NotifyReply::result(last_errno(
            ::linkat(from.dir.get(), from.name.c_str(), to.dir.get(), to.name.c_str(), 0)));
    }
    // What the link leads to, opened without a magic link, then linked through this process's
    // own descriptor: linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH, /proc/self/fd/N
    // with AT_SYMLINK_FOLLOW does not (open(2), O_PATH).
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_MAGICLINKS;
    UniqueFd target(static_cast<int>(
        ::syscall(SYS_openat2, from.dir.get(), from.name.c_str(), &how, sizeof how)));
    if (!target) return errno == ELOOP ? NotifyReply::go_on() : NotifyReply::result(errno);
    if (!rq.still_valid()) return NotifyReply::go_on();
    const std::string self = "/proc/self/fd/" + std::to_string(target.get());
    return NotifyReply::result(last_errno(
        ::linkat(AT_FDCWD, self.c_str(), to.dir.get(), to.name.c_str(), AT_SYMLINK_FOLLOW)));
}

void send_reply(int listener, std::uint64_t id, NotifyReply& r) noexcept {
    if (r.kind == NotifyReply::Kind::error) {
        answer_errno(listener, id, r.err);
        return;
    }
    if (r.kind == NotifyReply::Kind::fd) {
        seccomp_notif_addfd add{};
        add.id = id;
        add.flags = SECCOMP_ADDFD_FLAG_SEND;
        add.srcfd = static_cast<std::uint32_t>(r.file.get());
        add.newfd_flags = r.cloexec ? O_CLOEXEC : 0;
        if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0) return;
        if (errno != EINVAL) {
            // The command's table is full (EMFILE), or it is gone (ENOENT: nothing to answer).
            if (errno != ENOENT) answer_errno(listener, id, errno);
            return;
        }
        // Linux 5.9 to 5.13: no FLAG_SEND; install, then answer with the number.
        add.flags = 0;
        const int remote = ::ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
        if (remote < 0) {
            if (errno != ENOENT) answer_errno(listener, id, errno);
            return;
        }
        seccomp_notif_resp resp;
        std::memset(&resp, 0, sizeof resp);
        resp.id = id;
        resp.val = remote;
        (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        return;
    }
    seccomp_notif_resp resp;
    std::memset(&resp, 0, sizeof resp);
    resp.id = id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

}  // namespace sbx
