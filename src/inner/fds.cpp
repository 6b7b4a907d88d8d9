#include "inner/fds.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace sbx {

Status close_fds_except(std::vector<int> keep) {
    keep.insert(keep.end(), {0, 1, 2});
    std::erase_if(keep, [](int fd) { return fd < 0; });
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    unsigned lo = 0;
    for (int fd : keep) {
        auto u = static_cast<unsigned>(fd);
        if (u > lo && ::close_range(lo, u - 1, 0) != 0) return os_error("close_range", errno);
        lo = u + 1;
    }
    if (::close_range(lo, UINT_MAX, 0) != 0) return os_error("close_range", errno);
    return {};
}

int restore_nofile_errno(std::uint64_t soft) noexcept {
    if (soft == 0) return 0;
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return errno;
    // Never above the hard limit (a caller whose soft limit was over it cannot exist).
    rl.rlim_cur = soft < rl.rlim_max ? static_cast<rlim_t>(soft) : rl.rlim_max;
    return ::setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : errno;
}

Status restore_nofile(std::uint64_t soft) {
    if (int err = restore_nofile_errno(soft); err != 0)
        return os_error("restore the soft RLIMIT_NOFILE", err);
    return {};
}

}  // namespace sbx
