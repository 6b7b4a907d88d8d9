#include "plan/gitdir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/path.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

Error unusable(const std::string& why) {
    return Error(ErrorKind::unenforceable, why);
}

// Git trims only line endings (setup.c): a trailing blank is part of the path.
std::string_view trim_line_end(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

Status check_bytes(std::string_view content) {
    if (content.size() > kGitfileMax)
        return unusable("git file is larger than " + std::to_string(kGitfileMax) + " bytes");
    if (content.find('\0') != std::string_view::npos) return unusable("git file holds a NUL byte");
    return {};
}

}  // namespace

Result<std::optional<std::string>> parse_gitfile(std::string_view content) {
    SBX_TRY(check_bytes(content));
    constexpr std::string_view prefix = "gitdir: ";
    if (content.substr(0, prefix.size()) != prefix) return std::optional<std::string>{};
    std::string_view path = trim_line_end(content.substr(prefix.size()));
    if (path.empty()) return std::optional<std::string>{};
    return std::optional<std::string>{std::string(path)};
}

Result<std::string> parse_commondir(std::string_view content) {
    SBX_TRY(check_bytes(content));
    std::string_view path = trim_line_end(content);
    return std::string(path.empty() ? std::string_view(".") : path);
}

std::optional<std::string> gitdir_path(std::string_view base, std::string_view text) {
    if (text.empty()) return std::nullopt;
    // ".." is safe only before any named component: `base` is canonical, so a leading ".."
    // means the same lexically and to realpath; later, it would climb out of a possible link.
    bool named = false;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t end = text.find('/', i);
        if (end == std::string_view::npos) end = text.size();
        std::string_view part = text.substr(i, end - i);
        if (part == "..") {
            if (named) return std::nullopt;
        } else if (!part.empty() && part != ".") {
            named = true;
        }
        i = end + 1;
    }
    if (text.front() == '/') return normalize_path(text);
    return path_join(base, text);
}

Result<std::string> read_small_file(int fd, const std::string& path, std::size_t max) {
    struct stat want {};
    if (::fstat(fd, &want) != 0) return os_error("cannot stat git file", errno, path);
    if (!S_ISREG(want.st_mode)) return unusable("git file is not a regular file").with_path(path);
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    UniqueFd in(::open(proc.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!in.valid()) {
        return unusable("cannot read git file: " + std::string(std::strerror(errno)))
            .with_path(path)
            .with_errno(errno);
    }
    struct stat got {};
    if (::fstat(in.get(), &got) != 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino)
        return Error(ErrorKind::os, "git file changed while read")
            .with_path(path)
            .with_errno(EAGAIN);
    std::string data(max + 1, '\0');
    std::size_t have = 0;
    while (have < data.size()) {
        ssize_t n = ::read(in.get(), data.data() + have, data.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("cannot read git file", errno, path);
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    if (have > max)
        return unusable("git file is larger than " + std::to_string(max) + " bytes")
            .with_path(path);
    data.resize(have);
    return data;
}

}  // namespace sbx
