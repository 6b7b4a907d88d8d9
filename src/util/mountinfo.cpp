#include "util/mountinfo.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo (show_path in the kernel).
std::optional<std::string> unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        int v = 0;
        for (std::size_t k = 1; k <= 3; ++k) {
            if (i + k >= s.size() || s[i + k] < '0' || s[i + k] > '7') return std::nullopt;
            v = v * 8 + (s[i + k] - '0');
        }
        out += static_cast<char>(v);
        i += 3;
    }
    return out;
}

bool has_option(std::string_view options, std::string_view name) {
    while (!options.empty()) {
        const std::size_t comma = options.find(',');
        if (options.substr(0, comma) == name) return true;
        if (comma == std::string_view::npos) break;
        options.remove_prefix(comma + 1);
    }
    return false;
}

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    while (!line.empty()) {
        const std::size_t sp = line.find(' ');
        out.push_back(line.substr(0, sp));
        if (sp == std::string_view::npos) break;
        line.remove_prefix(sp + 1);
    }
    return out;
}

}  // namespace

bool path_at_or_below(std::string_view path, std::string_view dir) {
    if (dir == "/") return true;
    return path.substr(0, dir.size()) == dir &&
           (path.size() == dir.size() || path[dir.size()] == '/');
}

std::optional<std::vector<MountPoint>> parse_mountinfo(std::string_view text) {
    std::vector<MountPoint> out;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.empty()) continue;
        // id parent major:minor root mount-point mount-options [optional...] - type source super
        const auto f = fields(line);
        const auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 6 || dash == f.end() || f.end() - dash < 4) return std::nullopt;
        auto path = unescape(f[4]);
        if (!path || path->empty() || path->front() != '/') return std::nullopt;
        const bool ro = has_option(f[5], "ro") || has_option(*(dash + 3), "ro");
        std::uint64_t id = 0;
        const auto [end, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), id);
        if (ec != std::errc() || end != f[0].data() + f[0].size()) return std::nullopt;
        auto root = unescape(f[3]);
        if (!root || root->empty() || root->front() != '/') return std::nullopt;
        unsigned major = 0, minor = 0;
        const std::string_view mm = f[2];
        const std::size_t colon = mm.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const auto [mend, mec] = std::from_chars(mm.data(), mm.data() + colon, major);
        const auto [nend, nec] =
            std::from_chars(mm.data() + colon + 1, mm.data() + mm.size(), minor);
        if (mec != std::errc() || mend != mm.data() + colon || nec != std::errc() ||
            nend != mm.data() + mm.size())
            return std::nullopt;
        out.push_back(
            MountPoint{std::move(*path), !ro, id, std::move(*root), makedev(major, minor)});
    }
    return out;
}

std::optional<std::vector<MountPoint>> read_mount_table() {
    UniqueFd fd(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    constexpr std::size_t kMax = 16u << 20;  // a table larger than this: assume all writable
    std::string text;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMax) return std::nullopt;
    }
    return parse_mountinfo(text);
}

}  // namespace sbx
