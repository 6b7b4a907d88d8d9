#include "util/open_no_symlinks.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

namespace sbx {
namespace {

// The kernel retries internally too; a tree renamed this often while we look is refused.
constexpr int kEagainRetries = 64;

}  // namespace

// The fallback walk: every component but the last opened O_PATH | O_DIRECTORY | O_NOFOLLOW
// (a symlink there fails with ENOTDIR or ELOOP), the last with the caller's flags | O_NOFOLLOW,
// which is what openat2 does with RESOLVE_NO_SYMLINKS.
UniqueFd open_no_symlinks_walk(int dirfd, const char* path, int flags) noexcept {
    UniqueFd cur;
    int at = dirfd;
    const char* p = path;
    if (*p == '/') {
        cur.reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!cur) return cur;
        at = cur.get();
    }
    char name[NAME_MAX + 1];
    for (;;) {
        while (*p == '/') ++p;
        const char* end = std::strchr(p, '/');
        const std::size_t len = end != nullptr ? static_cast<std::size_t>(end - p) : std::strlen(p);
        if (len == 0) {  // "/" itself, or a trailing slash: what we hold is the answer
            if (!cur) errno = EINVAL;
            return cur;
        }
        if (len > NAME_MAX) {
            errno = ENAMETOOLONG;
            return UniqueFd();
        }
        std::memcpy(name, p, len);
        name[len] = '\0';
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) {
            errno = EINVAL;  // canonical paths only: ".." could climb out of what was checked
            return UniqueFd();
        }
        p += len;
        while (*p == '/') ++p;
        const bool last = *p == '\0';
        const int f = last ? (flags | O_NOFOLLOW | O_CLOEXEC)
                           : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        UniqueFd next(::openat(at, name, f));
        if (!next) return next;
        if (last && (flags & O_PATH) != 0 && (flags & O_NOFOLLOW) == 0) {
            // We added O_NOFOLLOW, with which O_PATH opens a final symlink itself instead of
            // failing; the caller did not ask for that, and openat2 would refuse it.
            struct stat st {};
            if (::fstat(next.get(), &st) != 0) return UniqueFd();
            if (S_ISLNK(st.st_mode)) {
                errno = ELOOP;
                return UniqueFd();
            }
        }
        if (last) return next;
        cur = std::move(next);
        at = cur.get();
    }
}

UniqueFd make_dir_no_symlinks(const char* path, int create_last, mode_t mode) noexcept {
    if (path == nullptr || *path != '/') {
        errno = EINVAL;
        return UniqueFd();
    }
    int components = 0;
    for (const char* p = path; *p != '\0'; ++p)
        if (*p != '/' && (p == path || p[-1] == '/')) ++components;
    UniqueFd cur(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    const char* p = path;
    char name[NAME_MAX + 1];
    for (int index = 1; cur; ++index) {
        while (*p == '/') ++p;
        if (*p == '\0') return cur;
        const char* end = std::strchr(p, '/');
        const std::size_t len = end != nullptr ? static_cast<std::size_t>(end - p) : std::strlen(p);
        if (len > NAME_MAX) {
            errno = ENAMETOOLONG;
            return UniqueFd();
        }
        std::memcpy(name, p, len);
        name[len] = '\0';
        p += len;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) {
            errno = EINVAL;
            return UniqueFd();
        }
        constexpr int kDir = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        UniqueFd next(::openat(cur.get(), name, kDir));
        if (!next && errno == ENOENT && index > components - create_last &&
            (::mkdirat(cur.get(), name, mode) == 0 || errno == EEXIST))
            next.reset(::openat(cur.get(), name, kDir));
        cur = std::move(next);
    }
    return cur;
}

UniqueFd open_no_symlinks(int dirfd, const char* path, int flags) noexcept {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (int i = 0; i < kEagainRetries; ++i) {
        const long fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) return UniqueFd(static_cast<int>(fd));
        if (errno == ENOSYS) return open_no_symlinks_walk(dirfd, path, flags);
        if (errno != EAGAIN) return UniqueFd();
    }
    errno = EAGAIN;
    return UniqueFd();
}

}  // namespace sbx
