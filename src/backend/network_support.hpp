// Which network modes the backends enforce. network.mode = "allowlist" (issue 13) is in the
// policy schema before any backend enforces it: until the proxy is wired in, both backends
// refuse such a policy here, at compile, rather than run with the network on or off.
#pragma once

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// ErrorKind::unenforceable (final: no fallback to another backend, exit 122) for a mode this
// build cannot enforce; success for "none" and "full".
[[nodiscard]] Status check_network_supported(NetworkMode mode);

}  // namespace sbx
