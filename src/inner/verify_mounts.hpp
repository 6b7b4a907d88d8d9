// Checking, inside the sandbox, that bwrap mounted what the plan checked (see VerifyMount).
#pragma once

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// Errors name the path and what differs; the caller refuses the run (nothing executes).
[[nodiscard]] Status verify_mount(const VerifyMount& v);

}  // namespace sbx
