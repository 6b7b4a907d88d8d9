// Discovery with no --policy: $SBXRUN_POLICY, <workspace>/.sbxrun.toml,
// $XDG_CONFIG_HOME/sbxrun/policy.toml or $HOME/.config/sbxrun/policy.toml, else built-in.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

namespace {

// The path discovery settles on, or nullopt for the built-in default.
std::optional<std::string> found(const ExpandContext& ctx) {
    auto d = discover_policy(ctx);
    if (!d) return std::nullopt;
    return d->path;
}

}  // namespace

TEST_CASE("discovery order", "[policy][discovery]") {
    TempDir dir;
    const auto root = dir.path();
    ExpandContext ctx;
    ctx.workspace = (root / "ws").string();
    ctx.home = (root / "home").string();
    ctx.tmpdir = "/tmp";
    std::filesystem::create_directories(root / "ws");
    std::filesystem::create_directories(root / "home");
    const auto ws_file = (root / "ws" / ".sbxrun.toml").string();
    const auto xdg_file = (root / "xdg" / "sbxrun" / "policy.toml").string();
    const auto home_file = (root / "home" / ".config" / "sbxrun" / "policy.toml").string();
    const auto env_file = (root / "explicit.json").string();

    // Nothing anywhere: the built-in default.
    CHECK_FALSE(found(ctx).has_value());

    // ~/.config is used when $XDG_CONFIG_HOME is unset; ctx.home stands in for an unset $HOME.
    write_text(home_file, "version = 1\n");
    CHECK(found(ctx) == home_file);
    ctx.env = {{"HOME", (root / "elsewhere").string()}};
    CHECK_FALSE(found(ctx).has_value());  // $HOME from the environment wins
    ctx.env = {{"HOME", ctx.home}};
    CHECK(found(ctx) == home_file);

    // $XDG_CONFIG_HOME replaces ~/.config, even when its file is missing...
    ctx.env.emplace_back("XDG_CONFIG_HOME", (root / "xdg").string());
    CHECK_FALSE(found(ctx).has_value());
    write_text(xdg_file, "version = 1\n");
    CHECK(found(ctx) == xdg_file);
    CHECK(discover_policy(ctx)->source == PolicySource::user);
    // ...but a relative one is ignored, as the XDG spec says.
    ctx.env.back().second = "relative/xdg";
    CHECK(found(ctx) == home_file);
    ctx.env.back().second = (root / "xdg").string();

    // The workspace's file comes before the user's.
    write_text(ws_file, "version = 1\n");
    CHECK(found(ctx) == ws_file);
    // ...and says so: a workspace policy applies only once trusted (trust_test.cpp).
    CHECK(discover_policy(ctx)->source == PolicySource::workspace);

    // $SBXRUN_POLICY comes first, even when it does not exist (loading then says so).
    ctx.env.emplace_back("SBXRUN_POLICY", env_file);
    CHECK(found(ctx) == env_file);
    CHECK(discover_policy(ctx)->source == PolicySource::environment);
    auto missing = load_policy_files({*found(ctx)}, ctx);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::not_found);
    // An empty $SBXRUN_POLICY counts as unset.
    ctx.env.back().second = "";
    CHECK(found(ctx) == ws_file);
}
