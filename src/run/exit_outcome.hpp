// How the sandbox ended -> the outcome sbxrun reports (spec section 5).
#pragma once

#include <string>

#include "run/outcome.hpp"
#include "run/spawn.hpp"

namespace sbx {

// setup_failed maps to `unavailable`, but callers normally fall back to the next backend first.
[[nodiscard]] Outcome outcome_from_exit(const SandboxExit& e, const std::string& command);

}  // namespace sbx
