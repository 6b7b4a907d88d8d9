#include "run/entry_notify.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "inner/landlock_apply.hpp"
#include "run/notify_request.hpp"
#include "util/unique_fd.hpp"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

namespace sbx {
namespace {

using entry_calls::Call;
using entry_calls::Op;

// How a notification is answered.
struct Reply {
    enum class Kind { go_on, error, fd } kind = Kind::go_on;
    int err = 0;
    UniqueFd file;
    bool cloexec = false;

    static Reply go_on() { return {}; }
    static Reply result(int e) {
        Reply r;
        r.kind = Kind::error;
        r.err = e;
        return r;
    }
    static Reply descriptor(UniqueFd f, bool cloexec) {
        Reply r;
        r.kind = Kind::fd;
        r.file = std::move(f);
        r.cloexec = cloexec;
        return r;
    }
};

int last_errno(long rc) {
    return rc == 0 ? 0 : errno;
}

// An entry a call names: its directory, resolved once, the directory's ancestry, and its name.
struct Entry {
    UniqueFd dir;
    std::vector<FileId> chain;
    std::string name;
};

// Resolve (dirfd, path) the way the kernel does for the command, up to the last component.
// Anything odd (a magic link, a path that does not resolve, "." or ".." last) is left to the
// kernel: false.
bool locate(NotifyRequest& rq, int dirfd_arg, int path_arg, Entry& e) {
    std::string path;
    if (read_cstr(rq.pid(), rq.arg(path_arg), PATH_MAX - 1, ENAMETOOLONG, path) != 0) return false;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path == "/") return false;
    const auto slash = path.rfind('/');
    std::string parent;
    if (slash != std::string::npos) {
        parent = slash == 0 ? "/" : path.substr(0, slash);
        e.name = path.substr(slash + 1);
    } else {
        e.name = path;
    }
    if (e.name == "." || e.name == "..") return false;
    UniqueFd base;
    if (parent.empty() || parent[0] != '/') {
        const std::uint64_t raw =
            dirfd_arg >= 0 ? rq.arg(dirfd_arg) : std::uint64_t(std::uint32_t(AT_FDCWD));
        if (rq.take_base(raw, base) != 0) return false;
    }
    if (parent.empty()) {
        e.dir = std::move(base);
    } else {
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_MAGICLINKS;
        e.dir.reset(static_cast<int>(::syscall(SYS_openat2, base ? base.get() : AT_FDCWD,
                                               parent.c_str(), &how, sizeof how)));
    }
    if (!e.dir) return false;
    struct stat st {};
    if (::fstat(e.dir.get(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    auto chain = ancestry(e.dir.get(), nullptr);
    if (!chain) return false;
    e.chain = std::move(chain).value();
    return true;
}

// The command's umask (the Umask line of /proc/PID/status); 022 if it cannot be read.
mode_t umask_of(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return 022;
    char buf[4096];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return 022;
    buf[n] = 0;
    const char* line = std::strstr(buf, "\nUmask:");
    unsigned mask = 022;
    if (line == nullptr || std::sscanf(line + 7, "%o", &mask) != 1) return 022;
    return static_cast<mode_t>(mask & 0777);
}

// The umask applied by hand (the command's, not sbxrun's): sbxrun's own is 0 for the call.
class UmaskCleared {
public:
    UmaskCleared() : saved_(::umask(0)) {}
    ~UmaskCleared() { ::umask(saved_); }
    UmaskCleared(const UmaskCleared&) = delete;
    UmaskCleared& operator=(const UmaskCleared&) = delete;

private:
    mode_t saved_;
};

bool has(std::uint64_t granted, std::uint64_t need) {
    return need != 0 && (granted & need) == need;
}

// The right that creates an entry of this type, 0 for what sbxrun never makes.
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

// Whether to act on (dir, name) for `need`: not when Landlock allows it natively, not when the
// policy does not allow it.
bool sbxrun_acts(const MetadataGuard& g, const Entry& e, std::uint64_t need) {
    if (has(g.native_rights(e.chain), need)) return false;
    return has(g.entry_rights(e.chain, e.name), need);
}

struct OpenArgs {
    std::uint64_t flags = 0;
    mode_t mode = 0;
};

// An existing object opened for writing or truncation: Landlock decides what it has a rule
// for; what is new beneath a restricted directory has only that directory's reduced rights,
// so sbxrun reopens it for the command through the very descriptor it checked.
Reply open_existing(const MetadataGuard& g, const Entry& e, const OpenArgs& a) {
    const int acc = static_cast<int>(a.flags & O_ACCMODE);
    if (acc == O_RDONLY && !(a.flags & O_TRUNC)) return Reply::go_on();
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | ((a.flags & O_NOFOLLOW) ? O_NOFOLLOW : 0);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    UniqueFd obj(
        static_cast<int>(::syscall(SYS_openat2, e.dir.get(), e.name.c_str(), &how, sizeof how)));
    if (!obj) return Reply::go_on();
    struct stat st {};
    if (::fstat(obj.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
        return Reply::go_on();
    auto chain = ancestry(obj.get(), nullptr);
    if (!chain) return Reply::go_on();
    const std::uint64_t need = ll::kWriteFile;
    if (has(g.native_rights(*chain), need) || !has(g.policy_rights(*chain), need))
        return Reply::go_on();
    const std::string self = "/proc/self/fd/" + std::to_string(obj.get());
    const int flags = static_cast<int>(a.flags & ~std::uint64_t(O_CREAT | O_EXCL | O_NOFOLLOW));
    UniqueFd f(::open(self.c_str(), flags | O_CLOEXEC));
    if (!f) return Reply::result(errno);
    return Reply::descriptor(std::move(f), (a.flags & O_CLOEXEC) != 0);
}

Reply on_open(NotifyRequest& rq, const Call& c, const MetadataGuard& g) {
    OpenArgs a;
    if (c.flags < 0) {  // creat()
        a.flags = O_CREAT | O_WRONLY | O_TRUNC;
        a.mode = static_cast<mode_t>(rq.arg(c.mode));
    } else {
        a.flags = rq.arg(c.flags);
        a.mode = static_cast<mode_t>(rq.arg(c.mode));
    }
    if ((a.flags & O_PATH) || (a.flags & O_TMPFILE) == O_TMPFILE) return Reply::go_on();
    Entry e;
    if (!locate(rq, c.dirfd, c.path, e)) return Reply::go_on();
    struct stat st {};
    if (::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if ((a.flags & O_CREAT) && (a.flags & O_EXCL)) return Reply::go_on();  // EEXIST
        if (!rq.still_valid()) return Reply::go_on();
        return open_existing(g, e, a);
    }
    if (errno != ENOENT || !(a.flags & O_CREAT)) return Reply::go_on();
    if (!sbxrun_acts(g, e, ll::kMakeReg)) return Reply::go_on();
    const mode_t mode = a.mode & 07777 & ~umask_of(rq.pid());
    if (!rq.still_valid()) return Reply::go_on();
    const int flags = static_cast<int>(a.flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC);
    UniqueFd f;
    {
        UmaskCleared um;
        f.reset(::openat(e.dir.get(), e.name.c_str(), flags, mode));
    }
    if (!f) {
        // Made meanwhile: an existing entry is the kernel's to open (and Landlock's to decide).
        if (errno == EEXIST && !(a.flags & O_EXCL)) return Reply::go_on();
        return Reply::result(errno);
    }
    return Reply::descriptor(std::move(f), (a.flags & O_CLOEXEC) != 0);
}

Reply on_make(NotifyRequest& rq, const Call& c, const MetadataGuard& g) {
    mode_t mode = c.mode >= 0 ? static_cast<mode_t>(rq.arg(c.mode)) : 0;
    std::string target;
    if (c.op == Op::symlink &&
        read_cstr(rq.pid(), rq.arg(c.path2), PATH_MAX - 1, ENAMETOOLONG, target) != 0)
        return Reply::go_on();
    Entry e;
    if (!locate(rq, c.dirfd, c.path, e)) return Reply::go_on();
    std::uint64_t need = 0;
    switch (c.op) {
        case Op::mkdir:
            need = ll::kMakeDir;
            break;
        case Op::symlink:
            need = ll::kMakeSym;
            break;
        default:
            need = make_right(mode);
            break;  // mknod: devices are never made
    }
    if (need == 0 || !sbxrun_acts(g, e, need)) return Reply::go_on();
    const mode_t perm = mode & 07777 & ~umask_of(rq.pid());
    if (!rq.still_valid()) return Reply::go_on();
    UmaskCleared um;
    switch (c.op) {
        case Op::mkdir:
            return Reply::result(last_errno(::mkdirat(e.dir.get(), e.name.c_str(), perm)));
        case Op::symlink:
            return Reply::result(
                last_errno(::symlinkat(target.c_str(), e.dir.get(), e.name.c_str())));
        default:
            return Reply::result(
                last_errno(::mknodat(e.dir.get(), e.name.c_str(), (mode & S_IFMT) | perm, 0)));
    }
}

Reply on_unlink(NotifyRequest& rq, const Call& c, const MetadataGuard& g) {
    int flags = c.op == Op::rmdir ? AT_REMOVEDIR : 0;
    if (c.flags >= 0) flags = static_cast<int>(rq.arg(c.flags));
    if (flags & ~AT_REMOVEDIR) return Reply::go_on();
    Entry e;
    if (!locate(rq, c.dirfd, c.path, e)) return Reply::go_on();
    struct stat st {};
    if (::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return Reply::go_on();
    if (S_ISDIR(st.st_mode) != ((flags & AT_REMOVEDIR) != 0)) return Reply::go_on();
    if (!sbxrun_acts(g, e, remove_right(st.st_mode))) return Reply::go_on();
    if (!rq.still_valid()) return Reply::go_on();
    return Reply::result(last_errno(::unlinkat(e.dir.get(), e.name.c_str(), flags)));
}

Reply on_rename(NotifyRequest& rq, const Call& c, const MetadataGuard& g) {
    const unsigned flags = c.flags >= 0 ? static_cast<unsigned>(rq.arg(c.flags)) : 0;
    if (flags & ~unsigned(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Reply::go_on();
    Entry from, to;
    if (!locate(rq, c.dirfd, c.path, from) || !locate(rq, c.dirfd2, c.path2, to))
        return Reply::go_on();
    struct stat src {
    }, dst{};
    if (::fstatat(from.dir.get(), from.name.c_str(), &src, AT_SYMLINK_NOFOLLOW) != 0)
        return Reply::go_on();
    const bool replaces = ::fstatat(to.dir.get(), to.name.c_str(), &dst, AT_SYMLINK_NOFOLLOW) == 0;
    const std::uint64_t make_src = make_right(src.st_mode);
    if (make_src == 0) return Reply::go_on();
    std::uint64_t need_from = remove_right(src.st_mode);
    std::uint64_t need_to = make_src;
    if (replaces) {
        const std::uint64_t make_dst = make_right(dst.st_mode);
        if (make_dst == 0) return Reply::go_on();
        need_to |= remove_right(dst.st_mode);
        if (flags & RENAME_EXCHANGE) need_from |= make_dst;
    } else if (flags & RENAME_EXCHANGE) {
        return Reply::go_on();  // ENOENT
    }
    const bool native =
        has(g.native_rights(from.chain), need_from) && has(g.native_rights(to.chain), need_to);
    if (native) return Reply::go_on();
    if (!has(g.entry_rights(from.chain, from.name), need_from) ||
        !has(g.entry_rights(to.chain, to.name), need_to))
        return Reply::go_on();
    if (!rq.still_valid()) return Reply::go_on();
    return Reply::result(last_errno(::syscall(SYS_renameat2, from.dir.get(), from.name.c_str(),
                                              to.dir.get(), to.name.c_str(), flags)));
}

Reply decide(NotifyRequest& rq, const Call& c, const MetadataGuard& g) {
    // Resolution and action run without capabilities: root's CAP_DAC_OVERRIDE would create
    // where the command cannot (metadata_notify.cpp does the same).
    CapsCleared caps;
    if (!caps.ok()) return Reply::go_on();
    switch (c.op) {
        case Op::open:
            return on_open(rq, c, g);
        case Op::mkdir:
        case Op::mknod:
        case Op::symlink:
            return on_make(rq, c, g);
        case Op::unlink:
        case Op::rmdir:
            return on_unlink(rq, c, g);
        case Op::rename:
            return on_rename(rq, c, g);
    }
    return Reply::go_on();
}

void send(int listener, std::uint64_t id, Reply& r) noexcept {
    if (r.kind == Reply::Kind::error) {
        answer_errno(listener, id, r.err);
        return;
    }
    if (r.kind == Reply::Kind::fd) {
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

}  // namespace

void answer_entry_call(int listener, const seccomp_notif& n, const Call& call,
                       const MetadataGuard& guard) noexcept {
    Reply r;
    try {
        NotifyRequest rq{n, listener, {}};
        r = decide(rq, call, guard);
    } catch (...) {
        r = Reply::go_on();  // an allocation failed: Landlock alone decides
    }
    send(listener, n.id, r);
}

}  // namespace sbx
