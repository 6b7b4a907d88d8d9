// Finding symlinks inside a protected directory (bounded; never follows a link).
// Interface agreed with the plan stage (make_plan.cpp uses exactly this).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sbx {

struct FoundLink {
    std::string path;       // absolute path of the symlink
    std::string link_text;  // what readlink says
};

struct ScanResult {
    std::vector<FoundLink> links;
    std::size_t entries_seen = 0;  // directory entries looked at (counts against max_entries)
    bool truncated = false;        // a bound (depth or entries) stopped the scan
};

// Scan the directory open as `dirfd` (O_PATH or O_RDONLY; not consumed), whose canonical path
// is `dir_path`, down to `max_depth` levels (1 = its own entries only), looking at no more than
// `max_entries` entries in total.
[[nodiscard]] Result<ScanResult> scan_symlinks(int dirfd, const std::string& dir_path,
                                               int max_depth, int max_entries);

}  // namespace sbx
