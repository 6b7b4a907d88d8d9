#include "plan/gitdir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
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

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool plain_relative(std::string_view p) {
    if (p.empty() || p.front() == '/') return false;
    std::size_t start = 0;
    while (start <= p.size()) {
        std::size_t end = p.find('/', start);
        if (end == std::string_view::npos) end = p.size();
        std::string_view part = p.substr(start, end - start);
        if (part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

}  // namespace

Result<std::vector<std::string>> parse_gitmodules_paths(std::string_view content) {
    std::vector<std::string> out;
    bool in_submodule = false;
    std::size_t start = 0;
    while (start < content.size()) {
        std::size_t end = content.find('\n', start);
        if (end == std::string_view::npos) end = content.size();
        std::string_view line = trim(content.substr(start, end - start));
        start = end + 1;
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[') {
            std::string_view head = line.substr(1);
            std::string section(head.substr(0, head.find_first_of(" \t\"]")));
            for (char& c : section)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            in_submodule = section == "submodule";
            continue;
        }
        if (!in_submodule) continue;
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string key(trim(line.substr(0, eq)));
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (key != "path") continue;
        std::string_view value = trim(line.substr(eq + 1));
        if (std::size_t hash = value.find_first_of("#;");
            hash != std::string_view::npos && (value.empty() || value.front() != '"'))
            value = trim(value.substr(0, hash));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        while (!value.empty() && value.back() == '/') value.remove_suffix(1);
        if (!plain_relative(value)) continue;
        if (out.size() == kGitmodulesMax)
            return Error(
                ErrorKind::unenforceable,
                "more than " + std::to_string(kGitmodulesMax) +
                    " submodules in .gitmodules: their .git files cannot all be protected");
        out.emplace_back(value);
    }
    return out;
}

}  // namespace sbx
