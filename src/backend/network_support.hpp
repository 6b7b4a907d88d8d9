// Which network modes each backend enforces. network.mode = "allowlist" (issue 13) puts
// sbxrun's filtering proxy in front of the command: under bwrap in the sandbox's own network
// namespace; under Landlock, which has no namespace, through TCP rules that confine connect(2) to
// the proxy's port, which need Landlock ABI 4. Refused here, at compile, rather than run with
// the network on or off.
#pragma once

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// ErrorKind::unenforceable (final: no fallback to another backend, exit 122) for a mode this
// backend cannot enforce; success otherwise. landlock_abi: the ABI the Landlock backend would
// use (ignored for bwrap).
[[nodiscard]] Status check_network_supported(NetworkMode mode, BackendKind backend,
                                             int landlock_abi = 0);

}  // namespace sbx
