// The last step of plan making: from candidate ops to MountPlan::ops in application order.
#pragma once

#include <vector>

#include "plan/draft.hpp"

namespace sbx::planning {

// One op per destination (deepest wins; at equal depth deny > protect > write > read),
// parents before children, and no bind that repeats what its parent already gives
// (systemd's drop_duplicates/drop_nop); one pin per link. Moves the ops out of `candidates`.
void finalise_plan(std::vector<Candidate>& candidates, MountPlan& plan);

// What a denied directory holds is hidden with it: an op that would give something there (a
// read-only bind of a protected path, a blocked name, an anchor, a private cache) and a pin
// there are left out, unless a writable root of the policy's own inside the denied directory
// holds them (it protects in that root). Every backend, because a grant inside a directory that
// has none is a grant: under Landlock a protected ~/.aws/credentials inside a denied ~/.aws was
// readable (thirty-eighth review). Denied paths inside stay (they grant nothing).
void leave_out_what_denial_hides(MountPlan& plan);

}  // namespace sbx::planning
