// The command's environment (run/environment.hpp): with the network off, the package managers
// are told not to retry, unless the caller or the policy already said how often.
#include "run/environment.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using sbx::ProcessPolicy;
using sbx::sandbox_environment;

namespace {

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}

std::size_t count_named(const std::vector<std::string>& env, const std::string& name) {
    return static_cast<std::size_t>(std::count_if(
        env.begin(), env.end(), [&](const auto& e) { return e.rfind(name + "=", 0) == 0; }));
}

sbx::EnvironmentExtras no_network() {
    sbx::EnvironmentExtras e;
    e.no_network = true;
    return e;
}

}  // namespace

TEST_CASE("network off: package managers do not retry, unless told otherwise") {
    const ProcessPolicy p;
    const std::vector<std::string> host = {"PATH=/usr/bin", "PIP_RETRIES=4"};
    const auto off = sandbox_environment(p, host, no_network());
    CHECK(has(off, "npm_config_fetch_retries=0"));
    CHECK(has(off, "CARGO_NET_RETRY=0"));
    CHECK(has(off, "UV_HTTP_RETRIES=0"));
    // The caller's own setting is kept, and only once.
    CHECK(has(off, "PIP_RETRIES=4"));
    CHECK(count_named(off, "PIP_RETRIES") == 1);
    CHECK(has(off, "PATH=/usr/bin"));

    // So is the policy's.
    ProcessPolicy set;
    set.env_set = {{"npm_config_fetch_retries", "2"}};
    const auto policy = sandbox_environment(set, {}, no_network());
    CHECK(has(policy, "npm_config_fetch_retries=2"));
    CHECK(count_named(policy, "npm_config_fetch_retries") == 1);

    // With the network on, nothing is added.
    const auto on = sandbox_environment(p, host, {});
    CHECK(on == host);
    for (const auto& entry : sbx::no_network_defaults())
        CHECK(std::find(on.begin(), on.end(), entry) == on.end());
}

TEST_CASE("network allowlist: the proxy variables name the proxy, nothing goes around it") {
    const std::vector<std::string> env = {"PATH=/usr/bin",
                                          "HTTP_PROXY=http://corp:8080",
                                          "https_proxy=http://corp:8080",
                                          "NO_PROXY=localhost,.a",
                                          "no_proxy=127.0.0.1",
                                          "ALL_PROXY=socks5://corp:1080",
                                          "all_proxy=socks5h://x",
                                          "NO_PROXYISH=kept"};
    const auto out =
        sbx::with_proxy_environment(env, "http://127.0.0.1:3128", "socks5h://127.0.0.1:1080");
    for (const char* name : {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"}) {
        CHECK(has(out, std::string(name) + "=http://127.0.0.1:3128"));
        CHECK(count_named(out, name) == 1);
    }
    for (const char* name : {"NO_PROXY", "no_proxy"}) CHECK(count_named(out, name) == 0);
    for (const char* name : {"ALL_PROXY", "all_proxy"}) {
        CHECK(has(out, std::string(name) + "=socks5h://127.0.0.1:1080"));
        CHECK(count_named(out, name) == 1);
    }
    CHECK(has(out, "PATH=/usr/bin"));
    CHECK(has(out, "NO_PROXYISH=kept"));
}

TEST_CASE("filesystem.caches: the variables win over the host's, env_set over them") {
    ProcessPolicy p;
    const std::vector<std::string> host = {"PATH=/usr/bin", "PIP_CACHE_DIR=/home/u/.cache/pip"};
    sbx::EnvironmentExtras extras;
    extras.caches = {{"PIP_CACHE_DIR", "/c/pip"}, {"GOCACHE", "/c/go/build"}};
    const auto env = sandbox_environment(p, host, extras);
    CHECK(has(env, "PIP_CACHE_DIR=/c/pip"));
    CHECK(count_named(env, "PIP_CACHE_DIR") == 1);
    CHECK(has(env, "GOCACHE=/c/go/build"));
    CHECK(has(env, "PATH=/usr/bin"));

    p.env_set = {{"GOCACHE", "/mine"}};
    const auto mine = sandbox_environment(p, host, extras);
    CHECK(has(mine, "GOCACHE=/mine"));
    CHECK(count_named(mine, "GOCACHE") == 1);
}
