// Closing every inherited descriptor the command must not see.
#pragma once

#include <vector>

#include "util/result.hpp"

namespace sbx {

// close_range() over every gap between the kept descriptors (0, 1, 2 are always kept; negative
// entries and duplicates are ignored), up to the largest descriptor number.
[[nodiscard]] Status close_fds_except(std::vector<int> keep);

}  // namespace sbx
