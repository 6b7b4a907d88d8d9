#include "backend/landlock_dir_lister.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sbx {

Result<std::vector<DirEntryInfo>> RealDirLister::list(int dir_fd) {
    // An O_PATH fd cannot be read: reopen the same directory for reading through it.
    int rfd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0) return os_error("cannot list a directory for the Landlock rules", errno);
    DIR* dir = ::fdopendir(rfd);
    if (!dir) {
        int e = errno;
        ::close(rfd);
        return os_error("cannot list a directory for the Landlock rules", e);
    }
    std::vector<DirEntryInfo> out;
    errno = 0;
    while (dirent* de = ::readdir(dir)) {
        std::string name = de->d_name;
        if (name == "." || name == "..") continue;
        DirEntryInfo e;
        e.name = name;
        unsigned char t = de->d_type;
        if (t == DT_UNKNOWN) {
            struct stat st {};
            if (::fstatat(::dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
            }
        }
        e.is_dir = t == DT_DIR;
        e.is_symlink = t == DT_LNK;
        out.push_back(std::move(e));
        errno = 0;
    }
    int e = errno;
    ::closedir(dir);
    if (e != 0) return os_error("cannot list a directory for the Landlock rules", e);
    std::sort(out.begin(), out.end(),
              [](const DirEntryInfo& a, const DirEntryInfo& b) { return a.name < b.name; });
    return out;
}

Result<UniqueFd> RealDirLister::open_child(int dir_fd, const std::string& name, bool is_dir) {
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return os_error("cannot open an entry for the Landlock rules", errno, name);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return os_error("cannot stat an entry", errno, name);
    // Replaced since it was listed (by a symlink, or by the other kind): treat it as gone.
    if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode) != is_dir) {
        return os_error("entry changed since it was listed", ENOENT, name);
    }
    return fd;
}

Result<UniqueFd> RealDirLister::open_builtin(const std::string& abs_path) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, AT_FDCWD, abs_path.c_str(), &how, sizeof how);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return Error(ErrorKind::not_found, "no such built-in path").with_path(abs_path);
        return os_error("cannot open a built-in path for the Landlock rules", e, abs_path);
    }
    return UniqueFd(static_cast<int>(fd));
}

std::vector<UniqueFd> RealDirLister::std_terminals() {
    // A rule on the open descriptor itself: it names exactly the device node that fd refers
    // to, with no path to re-resolve.
    std::vector<UniqueFd> out;
    for (int fd : terminals_) {
        if (::isatty(fd) != 1) continue;
        UniqueFd d(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (d) out.push_back(std::move(d));
    }
    return out;
}

std::vector<UniqueFd> RealDirLister::std_write_files() {
    std::vector<UniqueFd> out;
    for (int fd : stdio_) {
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) continue;
        const int fl = ::fcntl(fd, F_GETFL);
        if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) continue;
        // A pipe is on no mount Landlock sees (a rule on it fails, EBADFD): it needs none.
        struct statfs sfs {};
        if (S_ISFIFO(st.st_mode) && (::fstatfs(fd, &sfs) != 0 || sfs.f_type == PIPEFS_MAGIC))
            continue;
        UniqueFd d(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (d) out.push_back(std::move(d));
    }
    return out;
}

}  // namespace sbx
