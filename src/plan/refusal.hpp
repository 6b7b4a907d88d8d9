// Why the sandbox refused a change to a path: the plan's answer for the status document's
// denials.filesystem (issue 15). The brokers only see *that* a call was refused
// (inner/denial_log.hpp); the rule behind it is the plan's, found here by path alone, so that
// both backends give the same answer for the same policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plan/mount_plan.hpp"

namespace sbx {

struct RefusalCause {
    enum class Kind {
        protected_path,  // a protected path, or a missing protected name, is the target
        denied,          // a filesystem.deny rule hides it
        outside,         // it is outside every writable root
    };
    Kind kind = Kind::outside;
    const RuleRef* rule = nullptr;  // the plan's rule (protected, denied); null for outside
};

[[nodiscard]] const char* to_string(RefusalCause::Kind k);

// The cause for `path` (absolute, as the sandbox saw it): the deepest operation of the plan
// at or above it decides; a writable one with nothing protected at or above the path within it
// means the refusal came from elsewhere (reported as outside: the only other thing that makes
// a path read-only is its not being in a writable root).
[[nodiscard]] RefusalCause refusal_cause(const MountPlan& plan, std::string_view path);

// Whether a command in the sandbox can change `path` on the host (write it, or replace it in
// its directory): the deepest operation at or above it is a writable bind of a host directory.
// For what sbxrun itself runs outside the sandbox (the bwrap binary: a command could plant one
// for the next run; fourteenth review).
[[nodiscard]] bool sandbox_may_change(const MountPlan& plan, std::string_view path);

// A rule as the status document names it: `filesystem.protect ".git" (file:line)`.
[[nodiscard]] std::string rule_name(const RuleRef& r);

}  // namespace sbx
