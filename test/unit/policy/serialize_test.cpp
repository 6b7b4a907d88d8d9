// The effective policy written as TOML and JSON reads back as the same policy.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

namespace {

void check_round_trip(const Policy& p) {
    auto ctx = sample_context();
    // Reading back needs no context: every path is written expanded.
    ExpandContext other;
    other.workspace = "/elsewhere";
    other.home = "/nobody";
    const std::string toml = policy_to_toml(p);
    INFO("TOML:\n" << toml);
    auto t = apply_policy_text(default_policy(ctx), toml, "rt.toml", other);
    if (!t) FAIL(t.error().render());
    CHECK(same_policy(p, *t));
    const std::string json = policy_to_json(p);
    INFO("JSON:\n" << json);
    auto j = apply_policy_text(default_policy(ctx), json, "rt.json", other);
    if (!j) FAIL(j.error().render());
    CHECK(same_policy(p, *j));
}

}  // namespace

TEST_CASE("the built-in default round-trips", "[policy][serialize]") {
    check_round_trip(default_policy(sample_context()));
}

TEST_CASE("every valid sample round-trips", "[policy][serialize]") {
    for (const auto& e : std::filesystem::directory_iterator(data_dir() / "valid")) {
        INFO(e.path().filename().string());
        auto p = load_text(read_text(e.path()), e.path().filename().string());
        REQUIRE(p.ok());
        check_round_trip(*p);
    }
}

TEST_CASE("awkward values round-trip", "[policy][serialize]") {
    auto ctx = sample_context();
    ctx.env.emplace_back("ODD", "/we\"ird\\dir/${x}/~/tab\there");
    auto p = apply_policy_text(default_policy(ctx), R"(version = 1
[filesystem]
write = ["${env:ODD}", "/opt/$$HOME"]
protect = ["./~backup", "ünïcode/名前"]
deny = []
[process]
env_set = { "WITH SPACE" = "a\nb", "dotted.name" = "", Q = "\"" }
env_unset = ["*_TOKEN"]
)",
                               "odd.toml", ctx);
    if (!p) FAIL(p.error().render());
    CHECK(p->filesystem.write[0].path == "/we\"ird\\dir/${x}/~/tab\there");
    CHECK(p->filesystem.write[1].path == "/opt/$HOME");
    CHECK(p->filesystem.protect[0].path == "~backup");
    check_round_trip(*p);
}

TEST_CASE("TOML output notes where each value came from", "[policy][serialize]") {
    auto p = load_text("version = 1\n\n[filesystem]\nsymlinks = \"follow\"\n", "mine.toml");
    REQUIRE(p.ok());
    const std::string toml = policy_to_toml(*p);
    CHECK(toml.find("symlinks = \"follow\"  # mine.toml:4\n") != std::string::npos);
    CHECK(toml.find("missing_protected = \"block\"  # built-in\n") != std::string::npos);
    CHECK(toml.find("# Effective sbxrun policy, from: <built-in> mine.toml\n") == 0);
    const std::string json = policy_to_json(*p);
    CHECK(json.find("\"symlinks\": \"follow\"") != std::string::npos);
}

TEST_CASE("filesystem.git round-trips and is written with its origin", "[policy][serialize][git]") {
    auto p = load_text("version = 1\n[filesystem]\ngit = \"commit\"\n", "git.toml");
    REQUIRE(p.ok());
    check_round_trip(*p);
    CHECK(policy_to_toml(*p).find("git = \"commit\"  # git.toml:3\n") != std::string::npos);
    CHECK(policy_to_json(*p).find("\"git\": \"commit\"") != std::string::npos);
    auto d = load_text("version = 1\n", "d.toml");
    REQUIRE(d.ok());
    CHECK(policy_to_toml(*d).find("git = \"protect\"  # built-in\n") != std::string::npos);
}
