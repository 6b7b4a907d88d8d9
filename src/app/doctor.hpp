// sbxrun --doctor: which backends work on this host, why not, and how to fix it.
#pragma once

#include "app/context.hpp"
#include "cli/cli.hpp"
#include "policy/policy.hpp"

namespace sbx {

// Prints the report on stdout; exits 0 when it could report (spec section 2).
[[nodiscard]] int run_doctor(const Invocation& inv, const HostContext& host, const Policy& policy);

}  // namespace sbx
