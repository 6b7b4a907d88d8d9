#include "inner/ancestry.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// Deeper than any real tree; a bound so a bizarre loop cannot keep a broker busy.
constexpr int kMaxDepth = 4096;

// The names of `chain`'s objects (see ancestry()), from `path`, the object's absolute path.
std::vector<std::string> names_along(const std::string& path, std::size_t chain_size) {
    std::vector<std::string> names;
    std::size_t at = 0;
    while (at < path.size()) {
        const std::size_t slash = path.find('/', at);
        const std::size_t end = slash == std::string::npos ? path.size() : slash;
        if (end > at) names.emplace_back(path, at, end - at);
        at = end + 1;
    }
    if (names.size() + 1 != chain_size) return {};
    std::reverse(names.begin(), names.end());
    names.emplace_back();
    return names;
}

std::string fd_path(int fd) {
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    char buf[PATH_MAX + 1];
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf) || buf[0] != '/') return {};
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

Result<std::vector<FileId>> ancestry(int fd, mode_t* mode_out,
                                     std::vector<std::string>* names_out) {
    if (names_out) names_out->clear();
    struct stat st {};
    if (::fstat(fd, &st) != 0) return os_error("fstat", errno);
    if (mode_out) *mode_out = st.st_mode;
    std::vector<FileId> chain{id_of(st)};
    UniqueFd dir;
    std::string path;
    if (!S_ISDIR(st.st_mode)) {
        // The one place a path string is used: it only *finds* a candidate parent, which is
        // then checked to hold this very object (by identity) before anything is decided.
        path = fd_path(fd);
        if (path.empty())
            return os_error("the object has no directory (a pipe, a socket, ...)", EPERM);
        // Nameless (removed, O_TMPFILE): no directory to decide by. Refused, not guessed.
        if (st.st_nlink == 0) return os_error("the object was removed", EPERM);
        const auto slash = path.rfind('/');
        const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
        const std::string name = path.substr(slash + 1);
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        dir.reset(
            static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, parent.c_str(), &how, sizeof how)));
        if (!dir) return os_error("cannot open the object's directory", errno);
        struct stat entry {};
        if (name.empty() || ::fstatat(dir.get(), name.c_str(), &entry, AT_SYMLINK_NOFOLLOW) != 0 ||
            !(id_of(entry) == chain.front()))
            return os_error("the object moved while it was checked", EPERM);
    } else {
        dir.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
        if (!dir) return os_error("dup", errno);
        chain.clear();
    }
    for (int depth = 0; depth < kMaxDepth; ++depth) {
        struct stat ds {};
        if (::fstat(dir.get(), &ds) != 0) return os_error("fstat", errno);
        const FileId here = id_of(ds);
        if (!chain.empty() && chain.back() == here) {  // ".." of "/" is "/"
            if (names_out) {
                if (path.empty()) path = fd_path(fd);
                *names_out = names_along(path, chain.size());
            }
            return chain;
        }
        chain.push_back(here);
        UniqueFd up(::openat(dir.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!up) return os_error("cannot open a parent directory", errno);
        dir = std::move(up);
    }
    return os_error("the directory tree is too deep", ELOOP);
}

}  // namespace sbx
