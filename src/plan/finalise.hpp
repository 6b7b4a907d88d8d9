// The last step of plan making: from candidate ops to MountPlan::ops in application order.
#pragma once

#include <vector>

#include "plan/draft.hpp"

namespace sbx::planning {

// One op per destination (deepest wins; at equal depth deny > protect > write > read),
// parents before children, and no bind that repeats what its parent already gives
// (systemd's drop_duplicates/drop_nop); one pin per link. Moves the ops out of `candidates`.
void finalise_plan(std::vector<Candidate>& candidates, MountPlan& plan);

}  // namespace sbx::planning
