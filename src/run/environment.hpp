// The command's environment from the policy's [process] table (pure).
#pragma once

#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace sbx {

// Order of application: env_clear keeps only env_keep; then env_unset (names or fnmatch globs)
// removes; then env_set sets (and wins over both). Entries without '=' are dropped.
// no_unix_sockets (network.unix_sockets = "block"): the variables that only name a host
// service's socket (kSocketVariables) are dropped too, unless env_set sets them: the command
// could not connect anyway, and a tool that finds SSH_AUTH_SOCK tries it and fails with a
// confusing error instead of going on without the agent.
[[nodiscard]] std::vector<std::string> sandbox_environment(const ProcessPolicy& p,
                                                           const std::vector<std::string>& host,
                                                           bool no_unix_sockets = false);

// SSH_AUTH_SOCK, DBUS_SESSION_BUS_ADDRESS, ...: see sbxrun-policy(5), network.unix_sockets.
[[nodiscard]] const std::vector<std::string>& socket_variables();

}  // namespace sbx
