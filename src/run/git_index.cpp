#include "run/git_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// The whole of a small file, opened without following a link or waiting on a FIFO; nullopt
// when it is no regular file, cannot be read or is larger than `max_bytes`; "" when missing.
std::optional<std::string> read_small(int dirfd, const char* name, std::size_t max_bytes) {
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

std::optional<IndexGitlinks> index_gitlinks(std::string_view data, std::size_t hash_size) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t size = data.size();
    if (size < 12 || std::memcmp(p, "DIRC", 4) != 0) return std::nullopt;
    const std::uint32_t version = be32(p + 4);
    if (version < 2 || version > 4) return std::nullopt;
    const std::uint32_t count = be32(p + 8);
    IndexGitlinks out;
    std::string name;  // version 4: each path is the previous one's with a suffix replaced
    std::size_t at = 12;
    // ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each), the object name,
    // 16 bits of flags (the low 12 the name's length, 0xfff when longer).
    const std::size_t fixed = 40 + hash_size + 2;
    for (std::uint32_t n = 0; n < count; ++n) {
        const std::size_t start = at;
        if (size - at < fixed) return std::nullopt;
        const std::uint32_t mode = be32(p + at + 24);
        const unsigned flags = (unsigned{p[at + fixed - 2]} << 8) | p[at + fixed - 1];
        at += fixed;
        if ((flags & 0x4000) != 0) {  // extended: 16 more bits of flags (version 3 and later)
            if (version < 3 || size - at < 2) return std::nullopt;
            at += 2;
        }
        if (version == 4) {
            // A varint (git's offset encoding) of bytes to strip from the previous name's end,
            // then the rest, NUL-terminated; no padding.
            std::uint64_t strip = 0;
            for (int i = 0;; ++i) {
                if (at >= size || i > 9) return std::nullopt;
                const unsigned char c = p[at++];
                strip = (strip << 7) | (c & 0x7f);
                if ((c & 0x80) == 0) break;
                ++strip;
            }
            if (strip > name.size()) return std::nullopt;
            const void* nul = std::memchr(p + at, 0, size - at);
            if (nul == nullptr) return std::nullopt;
            const std::size_t len = static_cast<const unsigned char*>(nul) - (p + at);
            name.resize(name.size() - strip);
            name.append(data.substr(at, len));
            at += len + 1;
        } else {
            const void* nul = std::memchr(p + at, 0, size - at);
            if (nul == nullptr) return std::nullopt;
            const std::size_t len = static_cast<const unsigned char*>(nul) - (p + at);
            if ((flags & 0xfff) != 0xfff && len != (flags & 0xfff)) return std::nullopt;
            name.assign(data.substr(at, len));
            // Padded with 1-8 NULs to a multiple of 8 bytes from the entry's start.
            at = start + ((at - start + len + 8) & ~std::size_t{7});
            if (at > size) return std::nullopt;
        }
        if ((mode & 0170000) == 0160000) out.paths.push_back(name);
    }
    // The extensions, up to the trailing checksum: each a 4-byte signature and a 4-byte size.
    // A split index ("link", core.splitIndex) keeps most entries in a shared index, named by
    // the object name the extension starts with.
    while (size - at >= 8 + hash_size) {
        const std::uint32_t len = be32(p + at + 4);
        if (size - at - 8 < len) return std::nullopt;
        if (std::memcmp(p + at, "link", 4) == 0) {
            if (len < hash_size) return std::nullopt;
            static constexpr char kHex[] = "0123456789abcdef";
            out.shared_index = "sharedindex.";
            for (std::size_t i = 0; i < hash_size; ++i) {
                out.shared_index.push_back(kHex[p[at + 8 + i] >> 4]);
                out.shared_index.push_back(kHex[p[at + 8 + i] & 15]);
            }
        }
        at += 8 + len;
    }
    return out;
}

std::optional<std::vector<std::string>> gitdir_gitlinks(int gitdir_fd, std::size_t max_bytes) {
    const auto index = read_small(gitdir_fd, "index", max_bytes);
    if (!index) return std::nullopt;
    if (index->empty()) return std::vector<std::string>{};
    // A SHA-256 repository says so in its config (extensions.objectFormat = sha256).
    std::size_t hash_size = 20;
    if (const auto config = read_small(gitdir_fd, "config", 1 << 20)) {
        std::string lower(*config);
        for (char& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const auto key = lower.find("objectformat");
        if (key != std::string::npos && lower.find("sha256", key) != std::string::npos)
            hash_size = 32;
    }
    auto links = index_gitlinks(*index, hash_size);
    if (!links) return std::nullopt;
    if (!links->shared_index.empty()) {
        // The shared index's entries, less the ones the split index deleted or replaced, are
        // the index's: all of its gitlinks are taken (a few more than git sees, never fewer).
        const auto shared = read_small(gitdir_fd, links->shared_index.c_str(), max_bytes);
        if (!shared || shared->empty()) return std::nullopt;
        auto more = index_gitlinks(*shared, hash_size);
        if (!more || !more->shared_index.empty()) return std::nullopt;
        links->paths.insert(links->paths.end(), more->paths.begin(), more->paths.end());
    }
    return std::move(links->paths);
}

}  // namespace sbx
