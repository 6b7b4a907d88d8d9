// filesystem.protect's named set @agent-config: expansion, refusals, and the way back out.
#include "policy/agent_config.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "policy/load.hpp"
#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

namespace {

const PathRule* find_rule(const std::vector<PathRule>& rules, const std::string& path) {
    for (const auto& r : rules)
        if (r.path == path) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("@agent-config names each agent's state and the host tools' code files once",
          "[policy][agent-config]") {
    std::set<std::string_view> seen;
    for (const auto& n : agent_config_names()) {
        CHECK(seen.insert(n.name).second);
        CHECK(n.name.find("..") == std::string_view::npos);
        CHECK(n.name.front() != '/');
        CHECK_FALSE(n.reader.empty());
    }
    for (const char* name : {".git",         ".codex",
                             ".agents",      ".claude",
                             ".claude.json", ".mcp.json",
                             ".gemini",      ".opencode",
                             ".cursor",      ".aider.conf.yml",
                             ".continue",    ".windsurf",
                             ".gitconfig",   ".gitmodules",
                             ".envrc",       ".vscode",
                             ".idea",        ".ripgreprc",
                             ".bashrc",      ".bash_profile",
                             ".zshrc",       ".zprofile",
                             ".profile",     ".npmrc",
                             ".yarnrc.yml",  ".pre-commit-config.yaml"})
        CHECK(seen.count(name) == 1);
    // Instructions the user asks agents to edit: left writable on purpose (sbxrun-policy(5)).
    CHECK(seen.count("AGENTS.md") == 0);
    CHECK(seen.count("CLAUDE.md") == 0);
}

TEST_CASE("a missing name is blocked in every root only where host programs look upwards",
          "[policy][agent-config]") {
    for (const auto& n : agent_config_names()) {
        // git, direnv, cargo and Yarn 1 look in every directory above the one they start in
        // (the fourteenth review planted a .cargo/config.toml at the workspace's top).
        // So do Mercurial, Jujutsu, mise, rustup and uv (seventeenth review).
        const bool upward =
            n.name == ".git" || n.name == ".hg" || n.name == ".envrc" ||
            n.name == ".cargo/config.toml" || n.name == ".cargo/config" || n.name == ".yarnrc" ||
            n.name == ".yarnrc.yml" || n.name == ".jj" || n.name == "mise.toml" ||
            n.name == ".mise.toml" || n.name == "mise.local.toml" || n.name == ".mise.local.toml" ||
            n.name == "rust-toolchain.toml" || n.name == "rust-toolchain" || n.name == "uv.toml";
        // Maven, pnpm, go, ESLint and pytest take the nearest one above where they start:
        // blocked above the workspace only, the project's own being its business (twenty-first
        // review: ../.mvn/jvm.config in ${tmpdir}).
        const bool nearest_above =
            n.name == ".mvn" || n.name == "pnpm-workspace.yaml" || n.name == ".pnpmfile.cjs" ||
            n.name == "go.work" || n.name == ".eslintrc.js" || n.name == ".eslintrc.cjs" ||
            n.name == "eslint.config.js" || n.name == "eslint.config.mjs" ||
            n.name == "eslint.config.cjs" || n.name == "pytest.ini" || n.name == "conftest.py" ||
            // twenty-second review
            n.name == ".pytest.ini" || n.name == "tox.ini" || n.name == "setup.cfg" ||
            n.name == "pyproject.toml" || n.name == "eslint.config.ts" ||
            n.name == "eslint.config.mts" || n.name == "eslint.config.cts" ||
            n.name == ".eslintrc" || n.name == ".eslintrc.json" || n.name == ".eslintrc.yaml" ||
            n.name == ".eslintrc.yml" || n.name == "package.json" || n.name == "Cargo.toml" ||
            n.name == "settings.gradle" || n.name == "settings.gradle.kts" ||
            n.name == ".prettierrc.js" || n.name == ".prettierrc.cjs" ||
            n.name == ".prettierrc.mjs" || n.name == "prettier.config.js" ||
            n.name == "prettier.config.cjs" || n.name == "prettier.config.mjs" ||
            n.name == "deno.json" || n.name == "deno.jsonc";
        CAPTURE(n.name);
        CHECK((n.missing == MissingScope::every_root) == upward);
        CHECK((n.missing == MissingScope::parents) == nearest_above);
        // What lives under .config, .local or .ssh is read from $HOME alone, but for mise's
        // project file, which a project keeps in its own .config.
        if ((n.name.starts_with(".config/") && n.name != ".config/mise.toml") ||
            n.name.starts_with(".local/") || n.name == ".ssh")
            CHECK(n.missing == MissingScope::home);
    }
}

TEST_CASE("protect = [\"@agent-config\", ...] expands in place, with the entry's origin",
          "[policy][agent-config]") {
    auto p = load_text(
        "version = 1\n[filesystem]\nprotect = [\"build/secret\", \"@agent-config\", \".git\"]\n",
        "p.toml");
    REQUIRE(p.ok());
    const auto& protect = p->filesystem.protect;
    REQUIRE(protect.size() == agent_config_names().size() + 2);
    CHECK(protect.front().path == "build/secret");
    CHECK(protect.front().set.empty());
    CHECK(protect.front().missing == MissingScope::every_root);
    const PathRule* claude = find_rule(protect, ".claude");
    REQUIRE(claude != nullptr);
    CHECK(claude->relative_name);
    CHECK(claude->set == "@agent-config");
    CHECK(claude->missing == MissingScope::project);
    CHECK(claude->origin.file == "p.toml");
    CHECK(claude->origin.line == 3);
    CHECK(claude->origin.key == "filesystem.protect[1] (@agent-config)");
    // ".git" written on its own still means exactly that.
    CHECK(protect.back().path == ".git");
    CHECK(protect.back().set.empty());
    CHECK(protect.back().missing == MissingScope::every_root);
}

TEST_CASE("protect = [\".git\"] replaces the set: only .git", "[policy][agent-config]") {
    auto p = load_text("version = 1\n[filesystem]\nprotect = [\".git\"]\n", "p.toml");
    REQUIRE(p.ok());
    REQUIRE(p->filesystem.protect.size() == 1);
    CHECK(p->filesystem.protect[0].path == ".git");
}

TEST_CASE("unknown sets and sets outside protect are policy errors naming the entry",
          "[policy][agent-config]") {
    auto unknown =
        load_text("version = 1\n[filesystem]\nprotect = [\"@agent-configs\"]\n", "p.toml");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == ErrorKind::schema);
    CHECK(unknown.error().render().find("p.toml:3") != std::string::npos);
    CHECK(unknown.error().render().find("unknown set") != std::string::npos);
    CHECK(unknown.error().render().find("./@agent-configs") != std::string::npos);

    auto in_deny = load_text("version = 1\n[filesystem]\ndeny = [\"@agent-config\"]\n", "p.toml");
    REQUIRE_FALSE(in_deny.ok());
    CHECK(in_deny.error().kind == ErrorKind::schema);
    CHECK(in_deny.error().render().find("filesystem.deny[0]") != std::string::npos);
    CHECK(in_deny.error().render().find("only be used in filesystem.protect") != std::string::npos);

    // A file whose name starts with @ is still protectable, written as ./@name.
    auto literal = load_text("version = 1\n[filesystem]\nprotect = [\"./@x\"]\n", "p.toml");
    REQUIRE(literal.ok());
    REQUIRE(literal->filesystem.protect.size() == 1);
    CHECK(literal->filesystem.protect[0].path == "@x");
}

TEST_CASE("a set is written back once and reads back as the same rules",
          "[policy][agent-config][serialize]") {
    auto p = load_text(
        "version = 1\n[filesystem]\nprotect = [\"@agent-config\", \"./@x\", \"secret\"]\n",
        "p.toml");
    REQUIRE(p.ok());
    const std::string toml = policy_to_toml(*p);
    CHECK(toml.find("\"@agent-config\",") != std::string::npos);
    CHECK(toml.find("\".claude\"") == std::string::npos);
    CHECK(toml.find("\"./@x\"") != std::string::npos);
    auto back = load_text(toml, "back.toml");
    REQUIRE(back.ok());
    CHECK(same_policy(*p, *back));
    auto json_back = load_text(policy_to_json(*p), "back.json");
    REQUIRE(json_back.ok());
    CHECK(same_policy(*p, *json_back));
}

TEST_CASE("sbxrun-policy(5) lists every name of @agent-config and says what reads it",
          "[policy][agent-config][man]") {
    const char* root = std::getenv("SBXRUN_SOURCE_ROOT");
    REQUIRE(root != nullptr);
    const std::string page = read_text(std::filesystem::path(root) / "man" / "sbxrun-policy.5");
    const auto start = page.find(".Sh AGENT CONFIGURATION");
    REQUIRE(start != std::string::npos);
    const std::string section = page.substr(start, page.find("\n.Sh ", start + 1) - start);
    std::size_t listed = 0;
    for (std::size_t at = section.find("\n.It Pa "); at != std::string::npos;
         at = section.find("\n.It Pa ", at + 1))
        ++listed;
    CHECK(listed == agent_config_names().size());
    for (const auto& n : agent_config_names()) {
        INFO(n.name);
        CHECK(section.find("\n.It Pa " + std::string(n.name) + "\n") != std::string::npos);
    }
    CHECK(page.find("protect = [\"@agent-config\"]") != std::string::npos);
}
