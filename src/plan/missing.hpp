// Missing paths that must stay missing: the block_missing op that keeps the sandbox from
// creating a protected or denied path that does not exist (or stands only as another run's
// placeholder).
#pragma once

#include <string>

#include "plan/draft.hpp"

namespace sbx::planning {

struct MissingBlock {
    enum class Outcome {
        blocked,       // a block_missing op was added for `name`
        ignored,       // filesystem.missing_protected = "ignore"
        not_writable,  // its parent is not writable in the sandbox: nothing to block
    };
    Outcome outcome = Outcome::not_writable;
    std::string name;  // blocked: the first missing component, the one that cannot be created
};

// The first missing component of `r` is what the sandbox could create, so it gets a
// block_missing op when its parent is writable and missing_protected = "block". `r` must come
// from resolve(); its descriptor (the deepest existing directory) is kept for the op, except
// for a `placeholder`, which the run joins through its parent directory.
[[nodiscard]] Result<MissingBlock> block_missing(Draft& d, Resolved& r, bool placeholder,
                                                 const RuleRef& rule, int rank,
                                                 const std::string& why);

}  // namespace sbx::planning
