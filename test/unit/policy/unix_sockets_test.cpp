// network.unix_sockets: unset follows network.mode ("block" with none, "allow" with full); a
// value a layer sets stays set whatever a later layer does to mode.
#include <catch2/catch.hpp>

#include "policy/import.hpp"
#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

TEST_CASE("unix_sockets: unset by default, blocked because the network is none",
          "[policy][unix_sockets]") {
    auto p = default_policy(sample_context());
    CHECK_FALSE(p.network.unix_sockets.has_value());
    auto u = effective_unix_sockets(p.network);
    CHECK(u.value == UnixSockets::block);
    CHECK(u.origin.file.empty());
    CHECK(u.origin.key == "network.unix_sockets");
    CHECK(std::string(to_string(UnixSockets::allow)) == "allow");
    CHECK(std::string(to_string(UnixSockets::block)) == "block");
}

TEST_CASE("unix_sockets: mode = full implies allow, with mode's origin", "[policy][unix_sockets]") {
    auto p = load_text("version = 1\n[network]\nmode = \"full\"\n", "f.toml");
    REQUIRE(p.ok());
    CHECK_FALSE(p->network.unix_sockets.has_value());
    auto u = effective_unix_sockets(p->network);
    CHECK(u.value == UnixSockets::allow);
    CHECK(u.origin.to_string() == "f.toml:3: network.mode");
}

TEST_CASE("unix_sockets: an explicit value wins over mode, in both directions",
          "[policy][unix_sockets]") {
    for (auto mode : {NetworkMode::none, NetworkMode::full}) {
        for (auto want : {UnixSockets::allow, UnixSockets::block}) {
            INFO(to_string(mode) << " " << to_string(want));
            auto p = load_text(std::string("{\"version\": 1, \"network\": {\"mode\": \"") +
                                   to_string(mode) + "\", \"unix_sockets\": \"" + to_string(want) +
                                   "\"}}",
                               "e.json");
            REQUIRE(p.ok());
            REQUIRE(p->network.unix_sockets.has_value());
            CHECK(p->network.unix_sockets->value == want);
            CHECK(p->network.unix_sockets->origin.key == "network.unix_sockets");
            CHECK(effective_unix_sockets(p->network).value == want);
        }
    }
}

TEST_CASE("unix_sockets: a set value survives a later layer that changes mode",
          "[policy][unix_sockets]") {
    auto ctx = sample_context();
    auto a = apply_policy_text(default_policy(ctx),
                               "version = 1\n[network]\nunix_sockets = \"block\"\n", "a.toml", ctx);
    REQUIRE(a.ok());
    auto b = apply_policy_text(*a, "version = 1\n[network]\nmode = \"full\"\n", "b.toml", ctx);
    REQUIRE(b.ok());
    CHECK(b->network.mode.value == NetworkMode::full);
    auto u = effective_unix_sockets(b->network);
    CHECK(u.value == UnixSockets::block);
    CHECK(u.origin.to_string() == "a.toml:3: network.unix_sockets");
    // And an unset one follows the later mode.
    auto c = apply_policy_text(default_policy(ctx), "version = 1\n[network]\nmode = \"full\"\n",
                               "c.toml", ctx);
    REQUIRE(c.ok());
    auto d = apply_policy_text(*c, "version = 1\nnetwork.mode = \"none\"\n", "d.toml", ctx);
    REQUIRE(d.ok());
    CHECK(effective_unix_sockets(d->network).value == UnixSockets::block);
}

TEST_CASE("unix_sockets: written back only when set", "[policy][unix_sockets][serialize]") {
    auto unset = default_policy(sample_context());
    const std::string t = policy_to_toml(unset);
    CHECK(t.find("\n# unix_sockets = \"block\"  # not set: follows mode") != std::string::npos);
    CHECK(policy_to_json(unset).find("unix_sockets") == std::string::npos);

    auto full = load_text("version = 1\nnetwork.mode = \"full\"\n", "f.toml");
    REQUIRE(full.ok());
    CHECK(policy_to_toml(*full).find("# unix_sockets = \"allow\"  # not set") != std::string::npos);

    auto set = load_text("version = 1\n[network]\nunix_sockets = \"allow\"\n", "s.toml");
    REQUIRE(set.ok());
    CHECK(policy_to_toml(*set).find("\nunix_sockets = \"allow\"  # s.toml:3\n") !=
          std::string::npos);
    CHECK(policy_to_json(*set).find("\"unix_sockets\": \"allow\"") != std::string::npos);
    // Read back, the set value is set again (so it still outlives a later mode = "full").
    auto ctx = sample_context();
    auto back = apply_policy_text(default_policy(ctx), policy_to_json(*set), "rt.json", ctx);
    REQUIRE(back.ok());
    REQUIRE(back->network.unix_sockets.has_value());
    CHECK(back->network.unix_sockets->value == UnixSockets::allow);
}

TEST_CASE("unix_sockets from srt: allowAllUnixSockets, else srt's Linux default (block)",
          "[policy][unix_sockets][import]") {
    auto ctx = sample_context();
    auto all = import_srt_text(
        R"({"network": {"allowedDomains": [], "allowAllUnixSockets": true}})", "s.json", ctx);
    REQUIRE(all.ok());
    REQUIRE(all->policy.network.unix_sockets.has_value());
    CHECK(all->policy.network.unix_sockets->value == UnixSockets::allow);
    CHECK(all->policy.network.unix_sockets->origin.key == "network.allowAllUnixSockets");

    auto off = import_srt_text(
        R"({"network": {"allowAllUnixSockets": false, "allowUnixSockets": ["/run/x.sock"]}})",
        "s.json", ctx);
    REQUIRE(off.ok());
    REQUIRE(off->policy.network.unix_sockets.has_value());
    CHECK(off->policy.network.unix_sockets->value == UnixSockets::block);
    // srt ignores the path list on Linux; the import says so rather than pretending.
    bool said = false;
    for (const auto& line : off->unmapped)
        said = said || line.find("network.allowUnixSockets: macOS-only") == 0;
    CHECK(said);

    auto unset = import_srt_text("{}", "s.json", ctx);
    REQUIRE(unset.ok());
    REQUIRE(unset->policy.network.unix_sockets.has_value());
    CHECK(unset->policy.network.unix_sockets->value == UnixSockets::block);
    bool assumed = false;
    for (const auto& line : unset->assumed)
        assumed = assumed || line.find("network.allowAllUnixSockets: not set") == 0;
    CHECK(assumed);
}

TEST_CASE("unix_sockets from srt stays block when allowedDomains opens the network",
          "[policy][unix_sockets][import]") {
    // srt blocks AF_UNIX whatever the domains: set explicitly, so that a later layer that
    // widens network.mode to "full" does not silently allow it through "full implies allow".
    auto ctx = sample_context();
    auto r = import_srt_text(R"({"network": {"allowedDomains": ["github.com"]}})", "s.json", ctx);
    REQUIRE(r.ok());
    Policy p = r->policy;
    CHECK(p.network.mode.value == NetworkMode::allowlist);
    p.network.mode.value = NetworkMode::full;
    CHECK(effective_unix_sockets(p.network).value == UnixSockets::block);
}

TEST_CASE("unix_sockets from Codex: follows the network, as Codex's own filter does",
          "[policy][unix_sockets][import]") {
    // Codex refuses connect/bind for every family when the network is off, and nothing when on.
    auto ctx = sample_context();
    auto off = import_codex_text("sandbox_mode = \"workspace-write\"\n", "c.toml", "/etc", ctx);
    REQUIRE(off.ok());
    CHECK_FALSE(off->policy.network.unix_sockets.has_value());
    CHECK(effective_unix_sockets(off->policy.network).value == UnixSockets::block);
    auto on = import_codex_text(
        "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nnetwork_access = true\n",
        "c.toml", "/etc", ctx);
    REQUIRE(on.ok());
    CHECK(effective_unix_sockets(on->policy.network).value == UnixSockets::allow);
}
