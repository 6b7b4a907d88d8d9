// The built-in default policy and the enum names.
#include <catch2/catch.hpp>

#include "policy/agent_config.hpp"
#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

TEST_CASE("built-in default policy", "[policy][defaults]") {
    auto p = default_policy(sample_context());
    CHECK(p.version == 1);
    const auto& fs = p.filesystem;
    REQUIRE(fs.read.size() == 1);
    CHECK(fs.read[0].path == "/");
    REQUIRE(fs.write.size() == 2);
    CHECK(fs.write[0].path == "/ws");
    CHECK(fs.write[0].text == "${workspace}");
    CHECK(fs.write[1].path == "/tmp");
    // The default is exactly protect = ["@agent-config"].
    auto set = expand_protect_set("@agent-config", {});
    REQUIRE(set.ok());
    REQUIRE(fs.protect.size() == set->size());
    for (std::size_t i = 0; i < fs.protect.size(); ++i) {
        CHECK(fs.protect[i].relative_name);
        CHECK(fs.protect[i].path == (*set)[i].path);
        CHECK(fs.protect[i].set == "@agent-config");
        CHECK(fs.protect[i].origin.file.empty());
        CHECK(fs.protect[i].origin.key == "filesystem.protect[0] (@agent-config)");
    }
    CHECK(fs.protect[0].path == ".git");
    CHECK(fs.protect[1].path == ".codex");
    CHECK(fs.protect[2].path == ".agents");
    CHECK(fs.deny.empty());
    CHECK(fs.tmpfs.empty());
    CHECK(fs.symlinks.value == SymlinkMode::pin);
    CHECK(fs.symlinks.origin.file.empty());
    CHECK(fs.missing_protected.value == MissingProtected::block);
    CHECK(p.network.mode.value == NetworkMode::none);
    CHECK_FALSE(p.process.env_clear);
    CHECK(p.process.env_keep == std::vector<std::string>{"PATH", "HOME", "TERM", "LANG"});
    CHECK(p.process.env_unset.empty());
    CHECK(p.process.env_set == std::vector<std::pair<std::string, std::string>>{{"SBXRUN", "1"}});
    CHECK(p.process.new_session);
    CHECK(p.backend.order == std::vector<BackendKind>{BackendKind::bwrap, BackendKind::landlock});
    CHECK(p.backend.bwrap == "bwrap");
    CHECK(p.backend.on_unenforceable.value == OnUnenforceable::approximate);
    CHECK(p.sources == std::vector<std::string>{"<built-in>"});
}

TEST_CASE("default policy follows the context and never widens an unknown workspace",
          "[policy][defaults]") {
    ExpandContext ctx;
    ctx.workspace = "/home/me/proj/./sub/";
    ctx.tmpdir = "/var/tmp/";
    auto p = default_policy(ctx);
    REQUIRE(p.filesystem.write.size() == 2);
    CHECK(p.filesystem.write[0].path == "/home/me/proj/sub");
    CHECK(p.filesystem.write[1].path == "/var/tmp");
    ExpandContext empty;
    auto q = default_policy(empty);
    REQUIRE(q.filesystem.write.size() == 1);  // no workspace rule, and certainly not "/"
    CHECK(q.filesystem.write[0].path == "/tmp");
}

TEST_CASE("enum names are the policy's spelling", "[policy][enums]") {
    CHECK(std::string(to_string(SymlinkMode::pin)) == "pin");
    CHECK(std::string(to_string(SymlinkMode::escalate)) == "escalate");
    CHECK(std::string(to_string(SymlinkMode::follow)) == "follow");
    CHECK(std::string(to_string(MissingProtected::block)) == "block");
    CHECK(std::string(to_string(MissingProtected::ignore)) == "ignore");
    CHECK(std::string(to_string(GitMode::protect)) == "protect");
    CHECK(std::string(to_string(GitMode::commit)) == "commit");
    CHECK(std::string(to_string(NetworkMode::none)) == "none");
    CHECK(std::string(to_string(NetworkMode::full)) == "full");
    CHECK(std::string(to_string(BackendKind::bwrap)) == "bwrap");
    CHECK(std::string(to_string(BackendKind::landlock)) == "landlock");
    CHECK(std::string(to_string(OnUnenforceable::approximate)) == "approximate");
    CHECK(std::string(to_string(OnUnenforceable::escalate)) == "escalate");
    CHECK(std::string(to_string(OnUnenforceable::weaken)) == "weaken");
}

TEST_CASE("each enum value is accepted from a file", "[policy][enums]") {
    for (auto m : {SymlinkMode::pin, SymlinkMode::escalate, SymlinkMode::follow}) {
        auto p = load_text(
            std::string("version = 1\nfilesystem.symlinks = \"") + to_string(m) + "\"\n", "e.toml");
        REQUIRE(p.ok());
        CHECK(p->filesystem.symlinks.value == m);
    }
    for (auto m : {MissingProtected::block, MissingProtected::ignore}) {
        auto p = load_text(
            std::string("version = 1\nfilesystem.missing_protected = \"") + to_string(m) + "\"\n",
            "e.toml");
        REQUIRE(p.ok());
        CHECK(p->filesystem.missing_protected.value == m);
    }
    for (auto m : {GitMode::protect, GitMode::commit}) {
        auto t = load_text(std::string("version = 1\nfilesystem.git = \"") + to_string(m) + "\"\n",
                           "g.toml");
        REQUIRE(t.ok());
        CHECK(t->filesystem.git.value == m);
        CHECK(t->filesystem.git.origin.file == "g.toml");
        CHECK(t->filesystem.git.origin.line == 2);
        CHECK(t->filesystem.git.origin.key == "filesystem.git");
        auto j = load_text(
            std::string("{\"version\": 1, \"filesystem\": {\"git\": \"") + to_string(m) + "\"}}",
            "g.json");
        REQUIRE(j.ok());
        CHECK(j->filesystem.git.value == m);
    }
    for (auto m : {NetworkMode::none, NetworkMode::full}) {
        auto p = load_text(
            std::string("{\"version\": 1, \"network\": {\"mode\": \"") + to_string(m) + "\"}}",
            "e.json");
        REQUIRE(p.ok());
        CHECK(p->network.mode.value == m);
    }
    for (auto m :
         {OnUnenforceable::approximate, OnUnenforceable::escalate, OnUnenforceable::weaken}) {
        auto p = load_text(
            std::string("version = 1\nbackend.on_unenforceable = \"") + to_string(m) + "\"\n",
            "e.toml");
        REQUIRE(p.ok());
        CHECK(p->backend.on_unenforceable.value == m);
    }
    auto o = load_text("version = 1\nbackend.order = [\"landlock\"]\n", "e.toml");
    REQUIRE(o.ok());
    CHECK(o->backend.order == std::vector<BackendKind>{BackendKind::landlock});
}

TEST_CASE("filesystem.git: protect by default; an unknown value is a policy error naming the key",
          "[policy][git]") {
    auto d = load_text("version = 1\n", "d.toml");
    REQUIRE(d.ok());
    CHECK(d->filesystem.git.value == GitMode::protect);
    CHECK(d->filesystem.git.origin.file.empty());
    for (const char* bad : {"\"write\"", "\"\"", "\"Commit\"", "true", "[\"commit\"]"}) {
        auto p = load_text(std::string("version = 1\n[filesystem]\ngit = ") + bad + "\n", "b.toml");
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().kind == ErrorKind::schema);
        CHECK(p.error().origin.key == "filesystem.git");
        CHECK(p.error().origin.line == 3);
    }
    auto j = load_text("{\"version\": 1, \"filesystem\": {\"git\": \"rw\"}}", "b.json");
    REQUIRE_FALSE(j.ok());
    CHECK(j.error().origin.key == "filesystem.git");
    CHECK(j.error().render().find("protect, commit") != std::string::npos);
}

TEST_CASE("filesystem.caches: every known tool by default, per workspace; names checked",
          "[policy][caches]") {
    auto d = load_text("version = 1\n", "d.toml");
    REQUIRE(d.ok());
    std::vector<std::string> tools;
    for (const auto& c : d->filesystem.caches) tools.push_back(c.tool);
    CHECK(tools == std::vector<std::string>{"npm", "pip", "uv", "go", "yarn", "pnpm", "ccache"});
    CHECK(d->filesystem.cache_scope.value == CacheScope::workspace);

    auto some =
        load_text("version = 1\n[filesystem]\ncaches = [\"go\", \"pip\"]\ncache_scope = \"user\"\n",
                  "s.toml");
    REQUIRE(some.ok());
    REQUIRE(some->filesystem.caches.size() == 2);
    CHECK(some->filesystem.caches[0].tool == "go");
    CHECK(some->filesystem.caches[1].origin.key == "filesystem.caches[1]");
    CHECK(some->filesystem.cache_scope.value == CacheScope::user);
    auto none = load_text("{\"version\": 1, \"filesystem\": {\"caches\": []}}", "n.json");
    REQUIRE(none.ok());
    CHECK(none->filesystem.caches.empty());

    for (const char* bad :
         {"[\"rust\"]", "[\"~/.cache/x\"]", "[\"pip\", \"pip\"]", "[\"\"]", "\"pip\"", "[1]"}) {
        auto p =
            load_text(std::string("version = 1\n[filesystem]\ncaches = ") + bad + "\n", "b.toml");
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().kind == ErrorKind::schema);
        CHECK(p.error().origin.line == 3);
    }
    auto unknown = load_text("version = 1\n[filesystem]\ncaches = [\"cargo\"]\n", "c.toml");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().render().find("known: npm, pip") != std::string::npos);
    auto scope = load_text("version = 1\n[filesystem]\ncache_scope = \"host\"\n", "c.toml");
    REQUIRE_FALSE(scope.ok());
    CHECK(scope.error().origin.key == "filesystem.cache_scope");
}
