// The command's environment from the policy's [process] table (pure).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "policy/policy.hpp"

namespace sbx {

// What the run adds to the policy's [process] table.
struct EnvironmentExtras {
    // network.unix_sockets = "block": the variables that only name a host service's socket
    // (socket_variables()) are dropped, unless env_set sets them: the command could not
    // connect anyway, and a tool that finds SSH_AUTH_SOCK tries it and fails with a confusing
    // error instead of going on without the agent.
    bool no_unix_sockets = false;
    // network.mode = "none": the package managers that retry a failed download for a minute
    // or more are told not to (no_network_defaults()), unless the host's environment or
    // env_set already says how often: with no network a retry can only fail again, and
    // `npm install` would say nothing for 70 seconds.
    bool no_network = false;
    // filesystem.caches (app/caches.hpp): set over the host's values, which name the host's
    // own caches (read-only in the sandbox), but not over env_set's.
    std::vector<std::pair<std::string, std::string>> caches;
};

// Order of application: env_clear keeps only env_keep; then env_unset (names or fnmatch globs)
// removes; then the extras; then env_set sets (and wins over all). Entries without '=' are
// dropped.
[[nodiscard]] std::vector<std::string> sandbox_environment(const ProcessPolicy& p,
                                                           const std::vector<std::string>& host,
                                                           const EnvironmentExtras& extras = {});

// network.mode = "allowlist": HTTP_PROXY, HTTPS_PROXY, http_proxy and https_proxy set to
// `proxy_url`, ALL_PROXY and all_proxy to `socks_url` (socks5h://: the proxy resolves names),
// whatever `env` (the caller's, process.env_set) said, and NO_PROXY and no_proxy removed: a
// tool told to go around the proxy (NO_PROXY=localhost, an allowed host) or to a proxy of the
// host would reach nothing inside the sandbox.
[[nodiscard]] std::vector<std::string> with_proxy_environment(std::vector<std::string> env,
                                                              const std::string& proxy_url,
                                                              const std::string& socks_url);

// The variables with_proxy_environment() sets to proxy_url, in order.
[[nodiscard]] const std::vector<std::string>& proxy_variables();

// npm_config_fetch_retries=0, PIP_RETRIES=0, ...: see sbxrun-policy(5), network.mode.
[[nodiscard]] const std::vector<std::string>& no_network_defaults();

// SSH_AUTH_SOCK, DBUS_SESSION_BUS_ADDRESS, ...: see sbxrun-policy(5), network.unix_sockets.
[[nodiscard]] const std::vector<std::string>& socket_variables();

}  // namespace sbx
