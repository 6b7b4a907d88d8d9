// sbxrun's own files that a run protects, whatever the policy says: the policy files it read,
// its configuration and cache directories, a .git that would move the next run's workspace,
// and the status file. The command must not choose the next run's sandbox by changing them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "policy/policy.hpp"

namespace sbx {

// Rules for PlanOptions::extra_protect. May make sbxrun's configuration and cache directories
// (mode 0700) when they are missing inside a writable root, so that they can be protected.
[[nodiscard]] std::vector<PathRule> sbxrun_protections(
    const Policy& policy, const std::vector<std::string>& files,
    const std::optional<std::string>& status_file, const HostContext& host);

}  // namespace sbx
