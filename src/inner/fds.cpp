#include "inner/fds.hpp"

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

}  // namespace sbx
