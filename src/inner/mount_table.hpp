// Which places of the sandbox's view can be written at all, from /proc/self/mountinfo: what
// lets the entry broker (inner/entry_broker.hpp) skip the directories where the kernel refuses
// every entry change with EROFS before Landlock is asked, and tells it which mounts are the
// sandbox's own (a descriptor the caller handed over is of a mount of the host's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/mountinfo.hpp"

namespace sbx {

// For a canonical absolute directory `dir`: whether an entry could be made directly in it
// (`writable`: a mount at `dir` or the nearest one above it is writable; several stacked at one
// point count as writable if any is), and the names of its entries that lead to a writable
// mount below it (the first component, below `dir`, of each writable mount point deeper down).
struct WritableBelow {
    bool writable = false;
    std::vector<std::string> toward;  // sorted, unique
};
[[nodiscard]] WritableBelow writable_below(std::string_view dir,
                                           const std::vector<MountPoint>& mounts);

}  // namespace sbx
