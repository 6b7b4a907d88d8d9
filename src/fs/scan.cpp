#include "fs/scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

struct Scanner {
    int max_depth;
    std::size_t max_entries;
    ScanResult out;

    // `fd` is a readable directory descriptor; ownership passes to the DIR stream.
    Status scan_dir(int fd, const std::string& path, int level) {
        DIR* d = ::fdopendir(fd);
        if (d == nullptr) {
            int e = errno;
            ::close(fd);
            return os_error("cannot read directory", e, path);
        }
        Status st = read_entries(d, path, level);
        ::closedir(d);
        return st;
    }

    Status read_entries(DIR* d, const std::string& path, int level) {
        char target[PATH_MAX];
        while (true) {
            errno = 0;
            struct dirent* de = ::readdir(d);
            if (de == nullptr) {
                if (errno != 0) return os_error("cannot read directory", errno, path);
                return {};
            }
            const char* name = de->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
                continue;
            }
            if (out.entries_seen >= max_entries) {
                out.truncated = true;
                return {};
            }
            ++out.entries_seen;
            unsigned char type = de->d_type;
            if (type == DT_UNKNOWN) {
                struct stat sb {};
                if (::fstatat(::dirfd(d), name, &sb, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone
                type = S_ISLNK(sb.st_mode) ? DT_LNK : S_ISDIR(sb.st_mode) ? DT_DIR : DT_REG;
            }
            if (type == DT_LNK) {
                ssize_t n = ::readlinkat(::dirfd(d), name, target, sizeof target);
                if (n < 0 || static_cast<std::size_t>(n) >= sizeof target) continue;  // gone
                out.links.push_back({path + "/" + name, std::string(target, n)});
            } else if (type == DT_DIR) {
                if (level >= max_depth) {
                    out.truncated = true;  // a level we are not allowed to read
                    continue;
                }
                std::string sub = path + "/" + name;
                int fd = ::openat(::dirfd(d), name,
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                if (fd < 0) {
                    // ENOENT/ENOTDIR/ELOOP: removed or swapped for a link since readdir.
                    if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
                        out.unreadable.push_back(sub);
                    }
                    continue;
                }
                Status s = scan_dir(fd, sub, level + 1);
                if (!s.ok()) out.unreadable.push_back(sub);
                if (out.truncated && out.entries_seen >= max_entries) return {};
            }
        }
    }
};

}  // namespace

Result<ScanResult> scan_symlinks(int dirfd, const std::string& dir_path, int max_depth,
                                 int max_entries) {
    Scanner s{max_depth, static_cast<std::size_t>(std::max(max_entries, 0)), {}};
    if (max_depth <= 0) {
        s.out.truncated = true;
        return std::move(s.out);
    }
    // An O_PATH descriptor cannot be read, and a dup of one is O_PATH too: open "." through
    // it instead, which also gives the DIR stream a descriptor of its own.
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return os_error("cannot open directory", errno, dir_path);
    std::string base = dir_path == "/" ? std::string() : dir_path;
    Status st = s.scan_dir(fd, base, 1);
    if (!st.ok()) {
        Error e = std::move(st).error();
        e.path = dir_path;  // only the top directory's errors come back; deeper ones are listed
        return e;
    }
    std::sort(s.out.links.begin(), s.out.links.end(),
              [](const FoundLink& a, const FoundLink& b) { return a.path < b.path; });
    return std::move(s.out);
}

}  // namespace sbx
