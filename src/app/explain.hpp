// --explain and --check: the resolved plan and the backend command, for people and for tests.
#pragma once

#include <string>
#include <vector>

#include "app/caches.hpp"
#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"

namespace sbx {

struct ExplainInput {
    const MountPlan* plan = nullptr;
    std::string workspace, workspace_source;  // what ${workspace} is, and why
    std::string backend;                     // the backend that would run
    std::vector<std::string> backend_argv;   // bwrap argv, or the inner stage's
    std::vector<std::string> backend_notes;  // what the backend approximates or cannot express
    std::vector<std::string> fallback;       // why earlier backends would not be used
    Setting<UnixSockets> unix_sockets;       // effective network.unix_sockets and its origin
    const NetworkPolicy* network = nullptr;  // network.allow/deny/ports, shown for "allowlist"
    Setting<GitMode> git;                    // filesystem.git and its origin
    const CacheSetup* caches = nullptr;      // filesystem.caches (app/caches.hpp)
};

[[nodiscard]] std::string explain_text(const ExplainInput& in);
[[nodiscard]] std::string explain_json(const ExplainInput& in);

}  // namespace sbx
