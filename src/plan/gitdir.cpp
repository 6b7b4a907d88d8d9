#include "plan/gitdir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "fs/path.hpp"
#include "fs/read_bounded.hpp"
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

std::optional<std::string> gitfile_target(std::string_view content) {
    constexpr std::string_view prefix = "gitdir: ";
    content = trim_line_end(content);
    if (!content.starts_with(prefix)) return std::nullopt;
    std::string_view path = content.substr(prefix.size());
    path = path.substr(0, path.find('\0'));
    if (path.empty()) return std::nullopt;
    return std::string(path);
}

Result<std::optional<std::string>> parse_gitfile(std::string_view content) {
    SBX_TRY(check_bytes(content));
    return gitfile_target(content);
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

LegacyRemotes read_legacy_remotes(int gitdir_fd) {
    LegacyRemotes out;
    for (const char* kind : {"remotes", "branches"}) {
        const int dfd = ::openat(gitdir_fd, kind, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) continue;
        DIR* d = ::fdopendir(dfd);
        if (d == nullptr) {
            ::close(dfd);
            continue;
        }
        int files = 0;
        while (const dirent* e = ::readdir(d)) {
            if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
            if (++files > kMaxLegacyRemoteFiles) {
                out.truncated = true;
                break;
            }
            UniqueFd fd(
                ::openat(::dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
            struct stat st {};
            if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
            const BoundedRead r = read_bounded(fd.get(), 65536);
            if (r.too_large || r.sys_errno != 0) continue;
            for (auto& entry : legacy_remote_entries(kind, e->d_name, r.text))
                out.entries.push_back(std::move(entry));
        }
        ::closedir(d);
    }
    return out;
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
    // Read as it comes, not into a buffer of the bound: the index's bound is 128 MiB, and
    // zero-filling that much took every run in a committed repository 0.4-1.7 s (and 128 MiB
    // of memory) for a file of a few KiB.
    BoundedRead r = read_bounded(in.get(), max);
    if (r.sys_errno != 0) return os_error("cannot read git file", r.sys_errno, path);
    if (r.too_large)
        return unusable("git file is larger than " + std::to_string(max) + " bytes")
            .with_path(path);
    return std::move(r.text);
}

namespace {

std::uint32_t be32(std::string_view b, std::size_t at) {
    auto u = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i]));
    };
    return u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
}
std::uint16_t be16(std::string_view b, std::size_t at) {
    auto u = [&](std::size_t i) {
        return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at + i]));
    };
    return static_cast<std::uint16_t>(u(0) << 8 | u(1));
}

// The gitlinks of an index whose object names are `hash` bytes long (at most `max`), and the
// shared index a split one names; nullopt when it does not parse that way.
std::optional<IndexGitlinks> parse_index(std::string_view b, std::size_t hash, std::size_t max) {
    const std::uint32_t version = be32(b, 4), count = be32(b, 8);
    IndexGitlinks out;
    std::string prev;  // v4: the previous entry's path
    std::size_t at = 12;
    constexpr std::size_t kStat = 40;  // ctime, mtime (s, ns), dev, ino, mode, uid, gid, size
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t start = at;
        if (at + kStat + hash + 2 > b.size()) return std::nullopt;
        const std::uint32_t mode = be32(b, at + 24);
        at += kStat + hash;
        const std::uint16_t flags = be16(b, at);
        at += 2;
        if (flags & 0x4000) {  // extended: a second flags word (version 3 and later)
            if (version < 3 || at + 2 > b.size()) return std::nullopt;
            at += 2;
        }
        const std::size_t namelen = flags & 0x0fff;
        std::string path;
        if (version == 4) {
            std::size_t strip = 0;  // git's offset varint: 7 bits a byte, +1 per continuation
            for (int n = 0;; ++n) {
                if (at >= b.size() || n > 9) return std::nullopt;
                const auto c = static_cast<unsigned char>(b[at++]);
                strip = (strip << 7) | (c & 0x7f);
                if (!(c & 0x80)) break;
                ++strip;
            }
            if (strip > prev.size()) return std::nullopt;
            const std::size_t nul = b.find('\0', at);
            if (nul == std::string_view::npos) return std::nullopt;
            path = prev.substr(0, prev.size() - strip) + std::string(b.substr(at, nul - at));
            at = nul + 1;
        } else {
            const std::size_t nul = b.find('\0', at);
            if (nul == std::string_view::npos) return std::nullopt;
            path = std::string(b.substr(at, nul - at));
            // 1 to 8 NULs so that the entry is a multiple of 8 bytes long.
            at = start + ((nul + 1 - start + 7) / 8) * 8;
            if (at > b.size()) return std::nullopt;
            for (std::size_t k = nul; k < at; ++k)
                if (b[k] != '\0') return std::nullopt;
        }
        if (namelen < 0x0fff && namelen != path.size()) return std::nullopt;
        // A split index's entry that replaces one of the shared index has no name of its own
        // (it takes the shared entry's): a gitlink among those cannot be placed here.
        if ((mode & 0170000) == 0160000) {
            if (path.empty()) {
                out.unnamed_gitlinks = true;
            } else {
                if (out.paths.size() == max) return std::nullopt;
                out.paths.push_back(path);
            }
        }
        prev = std::move(path);
    }
    // Extensions, then the checksum (`hash` bytes). Only "link" matters: a split index, whose
    // other entries are in the shared index it names by its object name.
    while (at + 8 + hash <= b.size()) {
        // Optional extensions are named in capitals, the ones git must understand ("link")
        // in lower case: each is a signature and a length either way.
        const std::string_view sig = b.substr(at, 4);
        const std::size_t len = be32(b, at + 4);
        if (at + 8 + len > b.size()) return std::nullopt;
        if (sig == "link") {
            if (len < hash) return std::nullopt;
            static constexpr char kHex[] = "0123456789abcdef";
            out.shared_index = "sharedindex.";
            for (std::size_t i = 0; i < hash; ++i) {
                const auto c = static_cast<unsigned char>(b[at + 8 + i]);
                out.shared_index.push_back(kHex[c >> 4]);
                out.shared_index.push_back(kHex[c & 15]);
            }
        }
        at += 8 + len;
    }
    if (at + hash != b.size()) return std::nullopt;
    return out;
}

}  // namespace

Result<IndexGitlinks> index_gitlinks(std::string_view index, std::size_t max) {
    auto refuse = [](const std::string& why) {
        return Error(ErrorKind::unenforceable, "the git index " + why);
    };
    if (index.size() < 12 || index.substr(0, 4) != "DIRC") return refuse("is not an index file");
    const std::uint32_t version = be32(index, 4);
    if (version < 2 || version > 4) return refuse("has an unknown version");
    for (std::size_t hash : {std::size_t{20}, std::size_t{32}}) {
        if (auto links = parse_index(index, hash, max)) return std::move(*links);
    }
    return refuse("does not parse (or lists more than " + std::to_string(max) + " submodules)");
}

Result<std::vector<std::string>> gitlink_paths(std::string_view index) {
    auto links = index_gitlinks(index, kGitlinksMax);
    if (!links.ok()) return std::move(links).error();
    if (!links->shared_index.empty() || links->unnamed_gitlinks)
        return Error(ErrorKind::unenforceable,
                     "the git index is split (core.splitIndex): its submodules cannot be read");
    return std::move(links->paths);
}

}  // namespace sbx
