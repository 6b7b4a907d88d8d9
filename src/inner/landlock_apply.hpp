// Applying a Landlock ruleset to the calling thread (inner stage, after no_new_privs).
#pragma once

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// The Landlock ABI the running kernel offers (0 when Landlock is absent or disabled).
[[nodiscard]] int landlock_kernel_abi();

// Create the ruleset described by spec, add each rule through its fd, restrict self.
// Requires no_new_privs (or CAP_SYS_ADMIN). No allocation after fork-sensitive points is
// needed by callers: this runs in a freshly exec'ed inner stage, not between fork and exec.
[[nodiscard]] Status apply_landlock(const LandlockSpec& spec);

}  // namespace sbx
