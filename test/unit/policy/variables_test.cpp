// Variable expansion and path rules (spec section 3: ~, ${workspace}, ${home}, ${tmpdir},
// ${env:NAME}).
#include <catch2/catch.hpp>

#include "policy/expand.hpp"
#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

namespace {

std::string expand(const std::string& text, const ExpandContext& ctx = sample_context()) {
    auto r = expand_variables(text, ctx);
    if (!r) return "ERROR: " + r.error().message;
    return *r;
}

}  // namespace

TEST_CASE("each variable expands", "[policy][variables]") {
    CHECK(expand("~") == "/home/u");
    CHECK(expand("~/x") == "/home/u/x");
    CHECK(expand("${home}/x") == "/home/u/x");
    CHECK(expand("${workspace}") == "/ws");
    CHECK(expand("${workspace}/a/${tmpdir}") == "/ws/a//tmp");
    CHECK(expand("${tmpdir}/t") == "/tmp/t");
    CHECK(expand("${env:PROJ}/data") == "/srv/proj/data");
    CHECK(expand("${env:EMPTY}") == "");
    CHECK(expand("/a/~/b") == "/a/~/b");  // ~ only at the start
    CHECK(expand("/a$b/$") == "/a$b/$");  // a $ not followed by { or $ is literal
    CHECK(expand("/a/$${workspace}") == "/a/${workspace}");
    CHECK(expand("$$$$") == "$$");
}

TEST_CASE("variable errors name the variable", "[policy][variables]") {
    CHECK(expand("${env:NOPE}") ==
          "ERROR: environment variable NOPE is not set (used as ${env:NOPE})");
    CHECK(expand("${Workspace}").find("ERROR: unknown variable ${Workspace}") == 0);
    CHECK(expand("${}").find("ERROR: unknown variable ${}") == 0);
    CHECK(expand("${env:}") == "ERROR: ${env:} needs a variable name");
    CHECK(expand("/x/${home").find("ERROR: unterminated ${") == 0);
    CHECK(expand("~root/x").find("ERROR: ~user is not supported") == 0);
}

TEST_CASE("tmpdir defaults to /tmp, other variables must be known", "[policy][variables]") {
    ExpandContext ctx;
    CHECK(expand("${tmpdir}", ctx) == "/tmp");
    CHECK(expand("${workspace}", ctx) == "ERROR: ${workspace} is not known in this context");
    CHECK(expand("~/x", ctx) == "ERROR: ${home} is not known in this context");
    ctx.env = {{"A", "1"}, {"A", "2"}};
    CHECK(expand("${env:A}", ctx) == "2");  // later entries win, like a later putenv
}

TEST_CASE("path rules: absolute paths are normalised, relative ones are names",
          "[policy][variables]") {
    auto ctx = sample_context();
    Origin o{"p.toml", 3, "filesystem.protect[0]"};
    auto rule = [&](const std::string& text, PathListKind kind) {
        return make_path_rule(text, o, kind, ctx, PolicyLimits{});
    };
    auto a = rule("${workspace}/./a//b/../c/", PathListKind::absolute_only);
    REQUIRE(a.ok());
    CHECK(a->path == "/ws/a/c");
    CHECK(a->text == "${workspace}/./a//b/../c/");
    CHECK_FALSE(a->relative_name);
    CHECK(a->origin.to_string() == "p.toml:3: filesystem.protect[0]");

    auto n = rule("./.codex//sub/", PathListKind::names_allowed);
    REQUIRE(n.ok());
    CHECK(n->path == ".codex/sub");
    CHECK(n->relative_name);
    auto env_name = rule("${env:NAME}", PathListKind::names_allowed);
    REQUIRE(env_name.ok());
    CHECK(env_name->path == ".config/app");
    CHECK(env_name->relative_name);

    auto rel = rule(".codex", PathListKind::absolute_only);
    REQUIRE_FALSE(rel.ok());
    CHECK(rel.error().kind == ErrorKind::schema);
    CHECK(rel.error().path == ".codex");
    CHECK(rel.error().render().find("p.toml:3: filesystem.protect[0]: path must be absolute") == 0);
    for (const char* bad : {"..", "a/..", "../a", "a/../../b", ".", "./", "${env:EMPTY}", ""}) {
        INFO(bad);
        auto r = rule(bad, PathListKind::names_allowed);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::schema);
        CHECK(r.error().origin.key == "filesystem.protect[0]");
    }
    auto tilde_name = rule("./~backup", PathListKind::names_allowed);
    REQUIRE(tilde_name.ok());
    CHECK(tilde_name->path == "~backup");
    CHECK(rule(std::string("/a\0b", 4), PathListKind::absolute_only).error().message ==
          "path contains a NUL byte");
}
