#include "fs/placeholder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <random>

namespace sbx {
namespace {

constexpr int kAttempts = 64;  // name changed under us this many times: give up with EAGAIN

// Between attempts that lost a race, after the first few: a short sleep that grows, with a
// per-thread offset, so that runs (or threads) acquiring and releasing the same name in lock
// step stop colliding. Without it 4 threads x 200 cycles on 2 loaded CPUs once lost 64 in a
// row (the unit test); a real run meets another at most a few times.
void back_off(int attempt) {
    if (attempt < 4) return;
    thread_local const unsigned offset = static_cast<unsigned>(::gettid()) % 7u;
    const long us = std::min(2000L, 20L * (attempt - 3) + 10L * offset);
    const timespec ts{0, us * 1000};
    ::nanosleep(&ts, nullptr);
}

bool same_inode(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool read_mark(int fd) {
    char buf[64];
    ssize_t n = ::fgetxattr(fd, kPlaceholderXattr, buf, sizeof buf);
    if (n < 0 && errno == EBADF) {
        // O_PATH descriptors do not take fgetxattr on every kernel: go through procfs.
        std::string proc = "/proc/self/fd/" + std::to_string(fd);
        n = ::getxattr(proc.c_str(), kPlaceholderXattr, buf, sizeof buf);
    }
    return n == static_cast<ssize_t>(std::strlen(kPlaceholderMark)) &&
           std::memcmp(buf, kPlaceholderMark, static_cast<std::size_t>(n)) == 0;
}

// Mark and seal a fresh placeholder through `fd`. Returns false (errno set) on failure;
// `marked` is false when the filesystem has no user xattrs.
bool seal(int fd, bool directory, bool& marked) {
    marked = true;
    if (::fsetxattr(fd, kPlaceholderXattr, kPlaceholderMark, std::strlen(kPlaceholderMark), 0) !=
        0) {
        if (errno != ENOTSUP && errno != EOPNOTSUPP) return false;
        marked = false;
    }
    return ::fchmod(fd, directory ? 0555 : 0444) == 0;
}

std::string temp_name() {
    static std::atomic<unsigned> counter{0};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return ".sbxrun-placeholder." + std::to_string(::getpid()) + "." +
           std::to_string(counter.fetch_add(1)) + "." + std::to_string(rng() & 0xffffffffu);
}

// Remove a temporary entry we made, only if it is still the inode we made.
void drop_temp(int parent, const std::string& tmp, const struct stat& mine, bool directory) {
    struct stat st {};
    if (::fstatat(parent, tmp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && same_inode(st, mine)) {
        ::unlinkat(parent, tmp.c_str(), directory ? AT_REMOVEDIR : 0);
    }
}

enum class Made { ok, exists, failed };

struct Creation {
    Made made = Made::failed;
    UniqueFd fd;
    bool marked = false;
    Error error;
};

// A regular file: O_TMPFILE has no name until linkat gives it one, so even a crash leaves
// nothing behind. Returns Made::failed with EOPNOTSUPP when O_TMPFILE is not supported here.
Creation create_file_tmpfile(int parent, const std::string& name, const std::string& path) {
    Creation c;
    int fd = ::openat(parent, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        c.error = os_error("cannot create placeholder", errno, path);
        return c;
    }
    UniqueFd owned(fd);
    if (!seal(fd, false, c.marked) || ::flock(fd, LOCK_SH) != 0) {
        c.error = os_error("cannot prepare placeholder", errno, path);
        return c;
    }
    int r = ::linkat(fd, "", parent, name.c_str(), AT_EMPTY_PATH);
    if (r != 0 && (errno == ENOENT || errno == EPERM)) {
        // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; procfs does the same for everyone.
        std::string proc = "/proc/self/fd/" + std::to_string(fd);
        r = ::linkat(AT_FDCWD, proc.c_str(), parent, name.c_str(), AT_SYMLINK_FOLLOW);
    }
    if (r != 0) {
        if (errno == EEXIST) {
            c.made = Made::exists;
        } else {
            c.error = os_error("cannot name placeholder", errno, path);
        }
        return c;
    }
    c.made = Made::ok;
    c.fd = std::move(owned);
    return c;
}

// A directory (or a file where O_TMPFILE is missing): built under a temporary name, marked and
// locked, then renamed into place without replacing anything.
Creation create_renamed(int parent, const std::string& name, const std::string& path,
                        bool directory) {
    Creation c;
    std::string tmp = temp_name();
    int fd = -1;
    if (directory) {
        if (::mkdirat(parent, tmp.c_str(), 0700) != 0) {
            c.error = os_error("cannot create placeholder", errno, path);
            return c;
        }
        fd = ::openat(parent, tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } else {
        fd =
            ::openat(parent, tmp.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        c.error = os_error("cannot create placeholder", errno, path);
        if (directory) ::unlinkat(parent, tmp.c_str(), AT_REMOVEDIR);
        return c;
    }
    UniqueFd owned(fd);
    struct stat mine {};
    if (::fstat(fd, &mine) != 0 || !seal(fd, directory, c.marked) || ::flock(fd, LOCK_SH) != 0) {
        c.error = os_error("cannot prepare placeholder", errno, path);
        struct stat any {};
        if (::fstat(fd, &any) == 0) drop_temp(parent, tmp, any, directory);
        return c;
    }
    int r = ::renameat2(parent, tmp.c_str(), parent, name.c_str(), RENAME_NOREPLACE);
    if (r != 0 && errno == EINVAL && !directory) {
        // No RENAME_NOREPLACE here (e.g. NFS): a hard link never replaces either.
        r = ::linkat(parent, tmp.c_str(), parent, name.c_str(), 0);
    }
    if (r != 0) {
        int e = errno;
        drop_temp(parent, tmp, mine, directory);
        if (e == EEXIST) {
            c.made = Made::exists;
        } else if (e == EINVAL) {
            c.error = Error(ErrorKind::unsupported,
                            "cannot create a placeholder directory atomically on this filesystem");
            c.error.sys_errno = e;
            c.error.path = path;
        } else {
            c.error = os_error("cannot name placeholder", e, path);
        }
        return c;
    }
    if (!directory) drop_temp(parent, tmp, mine, false);  // the linkat fallback's first name
    c.made = Made::ok;
    c.fd = std::move(owned);
    return c;
}

}  // namespace

bool is_placeholder(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    if (S_ISREG(st.st_mode)) {
        if (st.st_size != 0) return false;
    } else if (!S_ISDIR(st.st_mode)) {
        return false;
    }
    return read_mark(fd);
}

bool placeholder_in_use(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) return false;
    // A lock needs an open file description of our own: reopen the very inode (O_PATH fds
    // take no flock on every kernel). Never a FIFO or device: only files and directories.
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    UniqueFd own(::open(proc.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                                          (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0)));
    struct stat ost {};
    if (!own || ::fstat(own.get(), &ost) != 0 || !same_inode(ost, st)) return false;
    if (::flock(own.get(), LOCK_EX | LOCK_NB) == 0) return false;  // nobody holds it
    return errno == EWOULDBLOCK;
}

Result<Placeholder> acquire_placeholder(int parent_dirfd, const std::string& parent_path,
                                        const std::string& name, bool directory) {
    std::string path = (parent_path == "/" ? std::string() : parent_path) + "/" + name;
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.size() > NAME_MAX) {
        return os_error("not a single path component", EINVAL, path);
    }
    UniqueFd parent(::fcntl(parent_dirfd, F_DUPFD_CLOEXEC, 3));
    if (!parent) return os_error("cannot duplicate directory descriptor", errno, parent_path);

    const int kind_flag = directory ? O_DIRECTORY : 0;
    bool tmpfile_works = !directory;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        back_off(attempt);
        // Join what stands there, if it is a placeholder of the right kind.
        UniqueFd probe(::openat(parent.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (probe) {
            struct stat pst {};
            if (::fstat(probe.get(), &pst) != 0) return os_error("cannot stat", errno, path);
            bool kind_ok = directory ? S_ISDIR(pst.st_mode) : S_ISREG(pst.st_mode);
            // Only regular files and directories are ever opened for reading (no FIFO, no
            // device), and only the same inode the O_PATH probe saw.
            UniqueFd fd;
            if (kind_ok) {
                fd.reset(::openat(
                    parent.get(), name.c_str(),
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | kind_flag));
            }
            struct stat fst {};
            if (fd && (::fstat(fd.get(), &fst) != 0 || !same_inode(fst, pst))) continue;
            if (!fd && kind_ok && (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)) {
                continue;  // changed between the two opens
            }
            if (!kind_ok || !fd || !read_mark(fd.get())) {
                Error e(ErrorKind::os, "exists and is not an sbxrun placeholder");
                e.sys_errno = EEXIST;
                e.path = path;
                return e;
            }
            if (::flock(fd.get(), LOCK_SH) != 0) return os_error("cannot lock", errno, path);
            // A releaser may have removed it between our open and our lock.
            struct stat now {};
            if (::fstatat(parent.get(), name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
                !same_inode(now, fst)) {
                continue;
            }
            Placeholder p;
            p.parent_ = std::move(parent);
            p.fd_ = std::move(fd);
            p.path_ = std::move(path);
            p.name_ = name;
            p.directory_ = directory;
            p.created_ = false;
            p.marked_ = true;
            return p;
        }
        if (errno != ENOENT) return os_error("cannot open", errno, path);

        Creation c;
        if (tmpfile_works) {
            c = create_file_tmpfile(parent.get(), name, path);
            if (c.made == Made::failed &&
                (c.error.sys_errno == EOPNOTSUPP || c.error.sys_errno == EISDIR ||
                 c.error.sys_errno == EINVAL)) {
                tmpfile_works = false;
                c = create_renamed(parent.get(), name, path, false);
            }
        } else {
            c = create_renamed(parent.get(), name, path, directory);
        }
        if (c.made == Made::exists) continue;  // another run was faster: join it
        if (c.made == Made::failed) return std::move(c.error);
        Placeholder p;
        p.parent_ = std::move(parent);
        p.fd_ = std::move(c.fd);
        p.path_ = std::move(path);
        p.name_ = name;
        p.directory_ = directory;
        p.created_ = true;
        p.marked_ = c.marked;
        return p;
    }
    return os_error("placeholder kept changing while it was being acquired", EAGAIN, path);
}

Status Placeholder::release() {
    if (!fd_) return {};
    Status result;
    // Converting LOCK_SH to LOCK_EX drops our shared lock first; if it fails another run still
    // holds the placeholder and will remove it when it is done.
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0) {
        struct stat mine {
        }, now{};
        if (::fstat(fd_.get(), &mine) == 0 &&
            ::fstatat(parent_.get(), name_.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 &&
            same_inode(mine, now)) {
            if (directory_) {
                if (::unlinkat(parent_.get(), name_.c_str(), AT_REMOVEDIR) != 0) {
                    result = os_error("placeholder left in place", errno, path_);
                }
            } else if (now.st_size != 0) {
                result = os_error("placeholder left in place", ENOTEMPTY, path_);
            } else if (::unlinkat(parent_.get(), name_.c_str(), 0) != 0) {
                result = os_error("placeholder left in place", errno, path_);
            }
        }
        // Otherwise the name is gone or is something else now: not ours to touch.
    } else if (errno != EWOULDBLOCK) {
        result = os_error("cannot lock placeholder", errno, path_);
    }
    fd_.reset();
    parent_.reset();
    return result;
}

}  // namespace sbx
