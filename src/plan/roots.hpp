// The roots of the plan: filesystem.read, filesystem.write and filesystem.tmpfs resolved into
// bind and tmpfs ops. With the deny ops (deny.hpp), they decide where the sandbox can write.
#pragma once

#include <vector>

#include "plan/draft.hpp"

namespace sbx::planning {

// Whether a writable root gets the relative protect and deny names inside it. Private ones
// (the sandbox's own caches, PlanOptions::private_roots) do not: no host program reads them.
enum class RootNames { apply, skip };

// One bind op of `kind` per existing rule path; a missing one is a warning, not an error.
// bind_rw roots are also recorded in Draft::writable_roots, unless `names` is skip.
[[nodiscard]] Status add_roots(Draft& d, const std::vector<PathRule>& rules, const char* list,
                               int rank, OpKind kind, RootNames names = RootNames::apply);

[[nodiscard]] Status add_tmpfs(Draft& d, const std::vector<PathRule>& rules);

}  // namespace sbx::planning
