// The paths a shell pattern ("tools/*.sh", "tools/fsmon.s[h]") matches now, as glob(3) finds
// them: the plan records a command word's matches at the start, and the after-run check
// compares what it matches then. Both must read a pattern the same way and to the same bound,
// or a match past the bound at one end looks new at the other (a false 120).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sbx {

struct GlobMatches {
    std::vector<std::string> paths;  // sorted; at most kMaxGlobMatches
    bool truncated = false;          // more matched than that: the caller cannot compare sets
};

inline constexpr std::size_t kMaxGlobMatches = 1024;

// Backslashes are literal (GLOB_NOESCAPE: the command's quoting is already taken off); an
// unreadable directory on the way is skipped, as the shell skips it.
[[nodiscard]] GlobMatches glob_paths(const std::string& pattern);

}  // namespace sbx
