// Policy -> MountPlan, against the real filesystem (read-only: resolution only, no writes).
#pragma once

#include "fs/resolve.hpp"
#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

struct PlanOptions {
    ResolveOptions resolve;
    int scan_max_depth = 4;        // symlinks inside protected directories: how deep to look
    int scan_max_entries = 4096;   // ... and how many entries at most, over all protected dirs
};

// Errors: ErrorKind::symlink_refused (exit 122, with path/symlink/target/suggestion set) when a
// protected path crosses a writable symlink under symlinks = "escalate"; ErrorKind::loop and
// ErrorKind::os from resolution, with the rule's origin attached.
[[nodiscard]] Result<MountPlan> make_plan(const Policy& policy, const PlanOptions& opts = {});

}  // namespace sbx
