// network.mode = "allowlist" with network.allow / network.deny / network.ports (issue 13): what
// loads, what is refused with the line, what layers do, and the round trip through TOML/JSON.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

namespace {

std::string error_of(const std::string& text, const std::string& name = "n.toml") {
    auto p = load_text(text, name);
    if (p) FAIL("accepted:\n" + text);
    return p.error().render();
}

void check_round_trip(const Policy& p) {
    auto ctx = sample_context();
    for (const auto& [text, name] :
         {std::pair{policy_to_toml(p), "rt.toml"}, std::pair{policy_to_json(p), "rt.json"}}) {
        INFO(text);
        auto back = apply_policy_text(default_policy(ctx), text, name, ctx);
        if (!back) FAIL(back.error().render());
        CHECK(same_policy(p, *back));
    }
}

const char* kExample = R"(version = 1
[network]
mode  = "allowlist"
allow = ["registry.npmjs.org", "**.PyPI.org", "files.pythonhosted.org.", "*.githubusercontent.com",
         "127.0.0.1", "[::1]"]
deny  = ["gist.github.com"]
)";

}  // namespace

TEST_CASE("allowlist: the issue's example loads, normalised, with origins", "[policy][allowlist]") {
    auto p = load_text(kExample, "a.toml");
    if (!p) FAIL(p.error().render());
    const auto& n = p->network;
    CHECK(n.mode.value == NetworkMode::allowlist);
    CHECK(std::string(to_string(n.mode.value)) == "allowlist");
    REQUIRE(n.allow.size() == 6);
    CHECK(n.allow[1].pattern.text() == "**.pypi.org");
    CHECK(n.allow[1].pattern.kind == net::PatternKind::apex_and_subdomains);
    CHECK(n.allow[2].pattern.text() == "files.pythonhosted.org");
    CHECK(n.allow[3].pattern.kind == net::PatternKind::subdomains);
    CHECK(n.allow[4].pattern.host.kind == net::HostKind::ipv4);
    CHECK(n.allow[5].pattern.text() == "::1");
    CHECK(n.allow[1].origin.to_string() == "a.toml:4: network.allow[1]");
    REQUIRE(n.deny.size() == 1);
    CHECK(n.deny[0].origin.to_string() == "a.toml:6: network.deny[0]");
    // Unset ports: the default, from the built-in policy.
    CHECK(n.ports.value == std::vector<std::uint16_t>{443, 80});
    CHECK(n.ports.origin.file.empty());
    // The command never gets socket(AF_UNIX) from an allowlist (only "full" implies allow).
    CHECK(effective_unix_sockets(n).value == UnixSockets::block);
}

TEST_CASE("allowlist: defaults are empty lists and ports 443, 80", "[policy][allowlist]") {
    auto p = default_policy(sample_context());
    CHECK(p.network.allow.empty());
    CHECK(p.network.deny.empty());
    CHECK(p.network.ports.value == std::vector<std::uint16_t>{443, 80});
}

TEST_CASE("allowlist: ports are set whole, and checked", "[policy][allowlist]") {
    auto p = load_text("version = 1\n[network]\nmode = \"allowlist\"\nports = [8443]\n", "p.toml");
    REQUIRE(p.ok());
    CHECK(p->network.ports.value == std::vector<std::uint16_t>{8443});
    CHECK(p->network.ports.origin.to_string() == "p.toml:4: network.ports");
    using Catch::Contains;
    CHECK_THAT(error_of("version = 1\n[network]\nports = []\n"),
               Contains("n.toml:3: network.ports"));
    CHECK_THAT(error_of("version = 1\n[network]\nports = [0]\n"),
               Contains("network.ports[0]: port 0 is not in 1..65535"));
    CHECK_THAT(error_of("version = 1\n[network]\nports = [65536]\n"), Contains("1..65535"));
    CHECK_THAT(error_of("version = 1\n[network]\nports = [443, 443]\n"),
               Contains("network.ports[1]: port 443 is listed twice"));
    CHECK_THAT(error_of("version = 1\n[network]\nports = [\"443\"]\n"),
               Contains("expected an integer"));
    CHECK_THAT(error_of("{\"version\": 1, \"network\": {\"ports\": [-1]}}", "n.json"),
               Contains("n.json: network.ports[0]"));
}

TEST_CASE("allowlist: bad patterns are policy errors naming the line", "[policy][allowlist]") {
    using Catch::Contains;
    auto bad = [](const std::string& list, const std::string& entry) {
        return error_of("version = 1\n[network]\nmode = \"allowlist\"\n" + list +
                        " = [\n  \"ok.example\",\n  \"" + entry + "\",\n]\n");
    };
    CHECK_THAT(bad("allow", "*"), Contains("n.toml:6: network.allow[1]: \"*\" allows every host"));
    CHECK_THAT(bad("allow", "**"), Contains("mode = \"full\""));
    CHECK_THAT(bad("allow", "*.com"), Contains("n.toml:6: network.allow[1]"));
    CHECK_THAT(bad("allow", "*.com"), Contains("whole suffix"));
    CHECK_THAT(bad("deny", "https://gist.github.com/"), Contains("n.toml:6: network.deny[1]"));
    CHECK_THAT(bad("deny", "https://gist.github.com/"), Contains("URL"));
    CHECK_THAT(bad("allow", "example.com:443"), Contains("network.ports"));
    CHECK_THAT(bad("allow", "*.10.0.0.1"), Contains("address cannot have a wildcard"));
    CHECK_THAT(bad("allow", "10.0.0.*"), Contains("whole first label"));
    CHECK_THAT(bad("allow", "10.0.0.0/8"), Contains("CIDR"));
    CHECK_THAT(bad("allow", "bücher.example"), Contains("punycode"));
    CHECK_THAT(bad("allow", ""), Contains("n.toml:6: network.allow[1]: an empty pattern"));
    CHECK_THAT(bad("allow", "OK.example."),
               Contains("\"ok.example\" is listed twice (first at n.toml:5"));
    CHECK_THAT(error_of("version = 1\n[network]\nallow = [1]\n"), Contains("expected a string"));
    CHECK_THAT(error_of("version = 1\n[network]\nallow = \"a.com\"\n"),
               Contains("expected an array"));
    CHECK_THAT(error_of("version = 1\n[network]\nmode = \"proxy\"\n"),
               Contains("none, full, allowlist"));
}

TEST_CASE("allowlist: a later layer replaces a list whole and keeps the others",
          "[policy][allowlist]") {
    auto ctx = sample_context();
    auto base = load_text(kExample, "a.toml");
    REQUIRE(base.ok());
    auto p = apply_policy_text(*base, "version = 1\n[network]\nallow = [\"example.org\"]\n",
                               "b.toml", ctx);
    REQUIRE(p.ok());
    REQUIRE(p->network.allow.size() == 1);
    CHECK(p->network.allow[0].origin.to_string() == "b.toml:3: network.allow[0]");
    CHECK(p->network.deny.size() == 1);
    CHECK(p->network.mode.value == NetworkMode::allowlist);
}

TEST_CASE("allowlist: round-trips through TOML and JSON", "[policy][allowlist]") {
    auto p = load_text(std::string(kExample) + "ports = [443, 8080]\n", "a.toml");
    REQUIRE(p.ok());
    check_round_trip(*p);
    const std::string toml = policy_to_toml(*p);
    CHECK_THAT(toml, Catch::Contains("mode = \"allowlist\"  # a.toml:3\n"));
    CHECK_THAT(toml, Catch::Contains("    \"**.pypi.org\",  # a.toml:4\n"));
    CHECK_THAT(toml, Catch::Contains("deny = [\n    \"gist.github.com\",  # a.toml:6\n]\n"));
    CHECK_THAT(toml, Catch::Contains("ports = [443, 8080]  # a.toml:7\n"));
    const std::string json = policy_to_json(*p);
    CHECK_THAT(json, Catch::Contains("\"allow\": [\n      \"registry.npmjs.org\""));
    CHECK_THAT(json, Catch::Contains("\"ports\": [\n      443,\n      8080\n    ]"));
    // And the default (empty lists, default ports).
    check_round_trip(default_policy(sample_context()));
}
