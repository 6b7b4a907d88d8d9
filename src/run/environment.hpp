// The command's environment from the policy's [process] table (pure).
#pragma once

#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace sbx {

// Order of application: env_clear keeps only env_keep; then env_unset (names or fnmatch globs)
// removes; then env_set sets (and wins over both). Entries without '=' are dropped.
[[nodiscard]] std::vector<std::string> sandbox_environment(const ProcessPolicy& p,
                                                           const std::vector<std::string>& host);

}  // namespace sbx
