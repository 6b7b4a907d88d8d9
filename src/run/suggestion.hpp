// suggestion_policy: the policy layer that would have allowed what the sandbox refused a run
// that went ahead (issue 15), for a harness to show its user and pass back as one more
// --policy after the user approves. As TOML:
//   version = 1
//   [filesystem]
//   write = ["/home/u/proj", "/tmp", "~/.cache/tool"]
//   [network]
//   mode = "allowlist"
//   allow = ["registry.npmjs.org"]
// A later layer's list replaces the one before it (sbxrun(1)), so each list repeats the run's
// own entries before the new ones. What is suggested:
//   - filesystem.write: run/fs_denials.hpp's suggested_write_dirs;
//   - network.allow: the names refused because no network.allow rule matched (allowlist), or,
//     with network.mode = "none", the names the command looked up (bwrap) with mode =
//     "allowlist". Never a name a network.deny rule, the address check or the Host check
//     refused, never an address, never a name without a dot.
#pragma once

#include <string>
#include <vector>

#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"
#include "run/outcome.hpp"

namespace sbx {

// "" when there is nothing to suggest.
// `still_protected`: what the run keeps read-only in any writable root besides the plan's
// protected paths (the package tools' own caches, app/caches.hpp).
[[nodiscard]] std::string suggestion_policy(const Outcome& o, const std::string& home,
                                            const Policy& policy, const MountPlan& plan,
                                            const std::vector<PathRule>& still_protected);

}  // namespace sbx
