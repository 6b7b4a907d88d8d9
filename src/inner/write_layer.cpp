#include "inner/write_layer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "inner/landlock_apply.hpp"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

namespace sbx {
namespace {

struct __attribute__((packed)) PathBeneath {
    std::uint64_t allowed_access;
    std::int32_t parent_fd;
};

int add_rule(int ruleset, int fd) {
    PathBeneath pb{ll::kWriteFile, fd};
    return ::syscall(__NR_landlock_add_rule, ruleset, 1, &pb, 0) == 0 ? 0 : errno;
}

}  // namespace

Result<UniqueFd> prepare_write_layer(const std::vector<MountPoint>& mounts,
                                     std::initializer_list<int> stdio) {
    std::uint64_t attr[1] = {ll::kWriteFile};
    UniqueFd ruleset(
        static_cast<int>(::syscall(__NR_landlock_create_ruleset, attr, sizeof attr, 0)));
    if (!ruleset) return os_error("cannot create the write layer's Landlock ruleset", errno);
    for (const MountPoint& m : mounts) {
        if (!m.writable) continue;
        UniqueFd dir(::open(m.path.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW));
        if (!dir) continue;
        if (const int err = add_rule(ruleset.get(), dir.get()); err != 0)
            return os_error("cannot grant writing beneath " + m.path, err, m.path);
    }
    for (const int fd : stdio) {
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0) continue;
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) continue;
        // Only what the caller opened for writing: a stdin of theirs stays read-only, even
        // reopened through /proc/self/fd/0.
        const int fl = ::fcntl(fd, F_GETFL);
        if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) continue;
        // A pipe is no file of a mount (EBADFD): nothing to grant, Landlock never asks.
        if (const int err = add_rule(ruleset.get(), fd); err != 0 && err != EBADFD)
            return os_error("cannot grant writing to descriptor " + std::to_string(fd), err);
    }
    return ruleset;
}

int enter_write_layer(int ruleset) noexcept {
    return ::syscall(__NR_landlock_restrict_self, ruleset, 0) == 0 ? 0 : errno;
}

}  // namespace sbx
