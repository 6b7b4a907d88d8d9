// Closing every inherited descriptor the command must not see.
#pragma once

#include <cstdint>
#include <vector>

#include "util/result.hpp"

namespace sbx {

// close_range() over every gap between the kept descriptors (0, 1, 2 are always kept; negative
// entries and duplicates are ignored), up to the largest descriptor number.
[[nodiscard]] Status close_fds_except(std::vector<int> keep);

// Give the command back the caller's soft RLIMIT_NOFILE (InnerSpec::nofile_soft; 0: leave it).
// Allocates nothing: safe in a forked child. Returns 0 or the errno of setrlimit.
[[nodiscard]] int restore_nofile_errno(std::uint64_t soft) noexcept;
[[nodiscard]] Status restore_nofile(std::uint64_t soft);

}  // namespace sbx
