#include "fs/scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string_view>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

struct Scanner {
    int max_depth;
    std::size_t max_entries;
    std::span<const dev_t> hard_links_on;
    ScanResult out;

    // `fd` is a readable directory descriptor (the caller keeps it). getdents64 straight into
    // a stack buffer, not fdopendir/readdir: a DIR stream costs an fstat, two fcntl and a 32 KiB
    // allocation per directory, and the plan scans every protected directory on every command.
    // check_hard: regular files here are checked for other names (hard_links_on).
    Status scan_dir(int fd, const std::string& path, int level, bool check_hard) {
        alignas(struct dirent64) char buf[4096];
        char target[PATH_MAX];
        while (true) {
            ssize_t got = ::getdents64(fd, buf, sizeof buf);
            if (got < 0) return os_error("cannot read directory", errno, path);
            if (got == 0) return {};
            for (ssize_t off = 0; off < got;) {
                const auto* de = reinterpret_cast<const struct dirent64*>(buf + off);
                off += de->d_reclen;
                visit(fd, de->d_name, de->d_type, path, level, target, check_hard);
                if (stop_) return {};
            }
        }
    }

    // One directory entry; sets stop_ when the entry bound is reached.
    void visit(int dfd, const char* name, unsigned char type, const std::string& path, int level,
               char (&target)[PATH_MAX], bool check_hard) {
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
            return;
        }
        if (out.entries_seen >= max_entries) {
            out.truncated = true;
            stop_ = true;
            return;
        }
        ++out.entries_seen;
        if (type == DT_UNKNOWN) {
            struct stat sb {};
            if (::fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) return;  // gone
            type = S_ISLNK(sb.st_mode) ? DT_LNK : S_ISDIR(sb.st_mode) ? DT_DIR : DT_REG;
        }
        if (type == DT_REG && check_hard && !hard_links_on.empty()) {
            struct stat sb {};
            if (::fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
                sb.st_nlink > 1 &&
                std::find(hard_links_on.begin(), hard_links_on.end(), sb.st_dev) !=
                    hard_links_on.end())
                out.hard_linked.push_back(path + "/" + name);
        } else if (type == DT_LNK) {
            ssize_t n = ::readlinkat(dfd, name, target, sizeof target);
            if (n < 0 || static_cast<std::size_t>(n) >= sizeof target) return;  // gone
            out.links.push_back({path + "/" + name, std::string(target, n)});
        } else if (type == DT_DIR) {
            if (level >= max_depth) {
                out.truncated = true;  // a level we are not allowed to read
                return;
            }
            std::string sub = path + "/" + name;
            UniqueFd fd(
                ::openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
            if (!fd) {
                // ENOENT/ENOTDIR/ELOOP: removed or swapped for a link since readdir.
                if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
                    out.unreadable.push_back(sub);
                }
                return;
            }
            // A git directory's objects are content, read by hash, and `git clone --local`
            // links them between clones: not what a second name could turn into code.
            const bool objects = level == 1 && std::string_view(name) == "objects";
            Status s = scan_dir(fd.get(), sub, level + 1, check_hard && !objects);
            if (!s.ok()) out.unreadable.push_back(sub);
            if (out.truncated && out.entries_seen >= max_entries) stop_ = true;
        }
    }

    bool stop_ = false;  // the entry bound was reached: read nothing more anywhere
};

}  // namespace

Result<ScanResult> scan_symlinks(int dirfd, const std::string& dir_path, int max_depth,
                                 int max_entries, bool dirfd_readable,
                                 std::span<const dev_t> hard_links_on) {
    Scanner s{
        max_depth, static_cast<std::size_t>(std::max(max_entries, 0)), hard_links_on, {}, false};
    if (max_depth <= 0) {
        s.out.truncated = true;
        return std::move(s.out);
    }
    // An O_PATH descriptor cannot be read, and a dup of one is O_PATH too: open "." through
    // it instead (a descriptor of our own, at its start), unless the caller's is readable.
    UniqueFd own;
    if (!dirfd_readable) {
        own.reset(::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK));
        if (!own) return os_error("cannot open directory", errno, dir_path);
    }
    std::string base = dir_path == "/" ? std::string() : dir_path;
    Status st = s.scan_dir(dirfd_readable ? dirfd : own.get(), base, 1, true);
    if (!st.ok()) {
        Error e = std::move(st).error();
        e.path = dir_path;  // only the top directory's errors come back; deeper ones are listed
        return e;
    }
    std::sort(s.out.links.begin(), s.out.links.end(),
              [](const FoundLink& a, const FoundLink& b) { return a.path < b.path; });
    std::sort(s.out.hard_linked.begin(), s.out.hard_linked.end());
    return std::move(s.out);
}

}  // namespace sbx
