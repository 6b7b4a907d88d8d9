#include "run/environment.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace sbx {
namespace {

bool matches_any(const std::string& name, const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pat) {
        return ::fnmatch(pat.c_str(), name.c_str(), 0) == 0;
    });
}

}  // namespace

const std::vector<std::string>& socket_variables() {
    // Each names a unix socket of a host service and nothing else.
    static const std::vector<std::string> names = {
        "SSH_AUTH_SOCK",           "GPG_AGENT_INFO",  "DBUS_SESSION_BUS_ADDRESS",
        "DBUS_SYSTEM_BUS_ADDRESS", "WAYLAND_DISPLAY", "PULSE_SERVER"};
    return names;
}

const std::vector<std::string>& no_network_defaults() {
    // Each makes one package manager fail at its first network error instead of retrying:
    // npm waits 10 s then 60 s between its two retries, pip backs off over five, cargo and
    // uv retry three times.
    static const std::vector<std::string> entries = {"npm_config_fetch_retries=0", "PIP_RETRIES=0",
                                                     "CARGO_NET_RETRY=0", "UV_HTTP_RETRIES=0"};
    return entries;
}

const std::vector<std::string>& proxy_variables() {
    static const std::vector<std::string> names = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                                                   "https_proxy"};
    return names;
}

std::vector<std::string> with_proxy_environment(std::vector<std::string> env,
                                                const std::string& proxy_url,
                                                const std::string& socks_url) {
    static const std::vector<std::string> dropped = {"NO_PROXY", "no_proxy", "ALL_PROXY",
                                                     "all_proxy"};
    env.erase(std::remove_if(
                  env.begin(), env.end(),
                  [](const std::string& e) {
                      const std::string name = e.substr(0, e.find('='));
                      return std::find(dropped.begin(), dropped.end(), name) != dropped.end() ||
                             std::find(proxy_variables().begin(), proxy_variables().end(), name) !=
                                 proxy_variables().end();
                  }),
              env.end());
    for (const auto& name : proxy_variables()) env.push_back(name + "=" + proxy_url);
    env.push_back("ALL_PROXY=" + socks_url);
    env.push_back("all_proxy=" + socks_url);
    return env;
}

std::vector<std::string> sandbox_environment(const ProcessPolicy& p,
                                             const std::vector<std::string>& host,
                                             const EnvironmentExtras& extras) {
    std::vector<std::string> out;
    out.reserve(host.size() + p.env_set.size());
    for (const auto& entry : host) {
        auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        std::string name = entry.substr(0, eq);
        if (p.env_clear && !matches_any(name, p.env_keep)) continue;
        if (matches_any(name, p.env_unset)) continue;
        if (extras.no_unix_sockets &&
            std::find(socket_variables().begin(), socket_variables().end(), name) !=
                socket_variables().end())
            continue;
        auto named = [&](const auto& kv) { return kv.first == name; };
        const bool overridden = std::any_of(p.env_set.begin(), p.env_set.end(), named) ||
                                std::any_of(extras.caches.begin(), extras.caches.end(), named);
        if (!overridden) out.push_back(entry);
    }
    for (const auto& cache : extras.caches) {
        // Not a structured binding: clang 14 (the sanitizer build) cannot capture one.
        const std::string& name = cache.first;
        const bool set_by_policy = std::any_of(p.env_set.begin(), p.env_set.end(),
                                               [&](const auto& kv) { return kv.first == name; });
        if (!set_by_policy) out.push_back(name + "=" + cache.second);
    }
    for (const auto& [name, value] : p.env_set) {
        // Later entries of env_set win: drop an earlier one of the same name.
        std::string prefix = name + "=";
        out.erase(std::remove_if(out.begin(), out.end(),
                                 [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }),
                  out.end());
        out.push_back(prefix + value);
    }
    if (extras.no_network) {
        for (const auto& entry : no_network_defaults()) {
            const std::string prefix = entry.substr(0, entry.find('=') + 1);
            if (std::none_of(out.begin(), out.end(),
                             [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }))
                out.push_back(entry);
        }
    }
    return out;
}

}  // namespace sbx
