#include "run/git_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "plan/gitdir.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// The whole of a file of the git directory, opened without following a link or waiting on a
// FIFO; nullopt when it is no regular file, cannot be read or is larger than `max_bytes`; ""
// when it is missing.
std::optional<std::string> read_whole(int dirfd, const char* name, std::size_t max_bytes) {
    UniqueFd f(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!f) return errno == ENOENT ? std::optional<std::string>("") : std::nullopt;
    struct stat st {};
    if (::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::size_t>(st.st_size) > max_bytes)
        return std::nullopt;
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t at = 0;
    while (at < out.size()) {
        const ssize_t got = ::read(f.get(), out.data() + at, out.size() - at);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        at += static_cast<std::size_t>(got);
    }
    out.resize(at);
    return out;
}

}  // namespace

std::optional<std::vector<std::string>> gitdir_gitlinks(int gitdir_fd, std::size_t max_bytes,
                                                        std::size_t max_gitlinks) {
    const auto index = read_whole(gitdir_fd, "index", max_bytes);
    if (!index) return std::nullopt;
    if (index->empty()) return std::vector<std::string>{};
    auto links = index_gitlinks(*index, max_gitlinks);
    if (!links.ok() || links->unnamed_gitlinks) return std::nullopt;
    if (!links->shared_index.empty()) {
        // The shared index's entries, less the ones the split index deleted or replaced, are
        // the index's: all of its gitlinks are taken (a few more than git sees, never fewer).
        const auto shared = read_whole(gitdir_fd, links->shared_index.c_str(), max_bytes);
        if (!shared || shared->empty()) return std::nullopt;
        auto more = index_gitlinks(*shared, max_gitlinks);
        if (!more.ok() || !more->shared_index.empty() ||
            more->paths.size() + links->paths.size() > max_gitlinks)
            return std::nullopt;
        links->paths.insert(links->paths.end(), more->paths.begin(), more->paths.end());
    }
    return std::move(links->paths);
}

}  // namespace sbx
