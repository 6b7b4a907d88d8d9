#include "inner/write_layer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "inner/landlock_apply.hpp"

namespace sbx {

Result<UniqueFd> prepare_write_layer(const std::vector<MountPoint>& mounts,
                                     std::initializer_list<int> stdio) {
    // truncate(2) too, where Landlock knows it (ABI 3): a path to a file is not only a
    // name on a read-only mount. /proc/self/fd/0 reaches the caller's stdin on the host's own
    // mount, where truncate("/proc/self/fd/0") cut it (found after the 27th review); opening
    // it for writing is WRITE_FILE's.
    // REFER (ABI 2) is handled only to be granted where the rest is: it is the one right every
    // Landlock layer refuses unless a rule grants it, handled or not, so a layer without it
    // made every link and rename between two directories of a writable root fail with EXDEV
    // (git's push into a local repository, `os.rename`; mv hid it by copying). Between two
    // mounts the kernel refuses with EXDEV first; on a read-only mount with EROFS.
    const std::uint64_t abi_rights = ll::fs_rights_for_abi(landlock_effective_abi());
    const std::uint64_t rights = (ll::kWriteFile | ll::kTruncate | ll::kRefer) & abi_rights;
    const std::uint64_t file_rights = rights & ll::kFileOnly;
    UniqueFd ruleset(landlock_create_fs_ruleset(rights));
    if (!ruleset) return os_error("cannot create the write layer's Landlock ruleset", errno);
    for (const MountPoint& m : mounts) {
        if (!m.writable) continue;
        UniqueFd dir(::open(m.path.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW));
        if (!dir) continue;
        // A writable file mount (/dev/null) takes only the rights of a file.
        struct stat st {};
        if (::fstat(dir.get(), &st) != 0) continue;
        const std::uint64_t granted = S_ISDIR(st.st_mode) ? rights : file_rights;
        if (const int err = landlock_add_path_rule(ruleset.get(), dir.get(), granted); err != 0)
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
        if (const int err = landlock_add_path_rule(ruleset.get(), fd, file_rights);
            err != 0 && err != EBADFD)
            return os_error("cannot grant writing to descriptor " + std::to_string(fd), err);
    }
    return ruleset;
}

int enter_write_layer(int ruleset) noexcept {
    return landlock_restrict(ruleset);
}

}  // namespace sbx
