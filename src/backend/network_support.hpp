// Which network modes each backend enforces. network.mode = "allowlist" (issue 13) needs a
// network namespace to put sbxrun's filtering proxy in front of: bwrap has one (the proxy is
// wired in by app/run_bwrap.cpp), the Landlock backend has none and refuses such a policy here,
// at compile, rather than run with the network on or off.
#pragma once

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// ErrorKind::unenforceable (final: no fallback to another backend, exit 122) for a mode this
// backend cannot enforce; success otherwise.
[[nodiscard]] Status check_network_supported(NetworkMode mode, BackendKind backend);

}  // namespace sbx
