// The host's git configuration as git in sbxrun's environment reads it (plan/host_git_config):
// the files the environment names besides the defaults, and the entries it gives git
// (forty-ninth review: a hooks path in $GIT_CONFIG_GLOBAL or $GIT_CONFIG_COUNT went unprotected).
#include "plan/host_git_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

namespace {

sbx::EnvLookup env_of(const std::map<std::string, std::string, std::less<>>& m) {
    return [&m](std::string_view name) -> const std::string* {
        const auto it = m.find(name);
        return it == m.end() ? nullptr : &it->second;
    };
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("config_entry_from_key splits as git does", "[host_git_config]") {
    const auto e = sbx::config_entry_from_key("includeIf.gitdir:~/w/.Path", std::string("x"));
    REQUIRE(e);
    CHECK(e->section == "includeif");
    CHECK(e->has_subsection);
    CHECK(e->subsection == "gitdir:~/w/");
    CHECK(e->key == "path");
    CHECK(e->value == "x");
    const auto b = sbx::config_entry_from_key("Core.HooksPath", std::nullopt);
    REQUIRE(b);
    CHECK(b->section == "core");
    CHECK_FALSE(b->has_subsection);
    CHECK_FALSE(b->has_value);
    CHECK_FALSE(sbx::config_entry_from_key("nodot", std::string("x")));
    CHECK_FALSE(sbx::config_entry_from_key(".key", std::string("x")));
    CHECK_FALSE(sbx::config_entry_from_key("core.", std::string("x")));
}

TEST_CASE("GIT_CONFIG_PARAMETERS in both of git's forms", "[host_git_config]") {
    const auto e = sbx::parse_config_parameters(
        "'core.hooksPath'='.githooks' 'core.fsmonitor=tools/f.sh' 'alias.x'='!it'\\''s' "
        "'core.bare'");
    REQUIRE(e.size() == 4);
    CHECK(e[0].key == "hookspath");
    CHECK(e[0].value == ".githooks");
    CHECK(e[1].key == "fsmonitor");
    CHECK(e[1].value == "tools/f.sh");
    CHECK(e[2].value == "!it's");
    CHECK_FALSE(e[3].has_value);
    // An unclosed quote ends what git reads.
    CHECK(sbx::parse_config_parameters("'core.a'='x' 'core.b'='y").size() == 1);
}

TEST_CASE("host_git_config: the defaults and what the environment adds", "[host_git_config]") {
    const std::map<std::string, std::string, std::less<>> env{
        {"GIT_CONFIG_GLOBAL", "team.cfg"},
        {"GIT_CONFIG_SYSTEM", "/dev/null"},
        {"XDG_CONFIG_HOME", "/x"},
        {"GIT_CONFIG_COUNT", "2"},
        {"GIT_CONFIG_KEY_0", "core.hooksPath"},
        {"GIT_CONFIG_VALUE_0", ".h"},
        {"GIT_CONFIG_KEY_1", "core.fsmonitor"},
        {"GIT_CONFIG_VALUE_1", "f.sh"},
        {"GIT_CONFIG_PARAMETERS", "'alias.t'='!t/t.sh'"}};
    const auto h = sbx::host_git_config(env_of(env), "/h", "/p", "/cwd");
    // The defaults stay: the user's next shell need not have this environment.
    for (const char* f : {"/h/.gitconfig", "/h/.config/git/config", "/p/.gitconfig",
                          "/x/git/config", "/cwd/team.cfg", "/etc/gitconfig"})
        CHECK(has(h.files, f));
    CHECK_FALSE(has(h.files, "/dev/null"));
    REQUIRE(h.entries.size() == 3);
    CHECK(h.entries[2].section == "alias");
    // A count git cannot read gives nothing.
    const std::map<std::string, std::string, std::less<>> bad{
        {"GIT_CONFIG_COUNT", "1x"}, {"GIT_CONFIG_KEY_0", "core.a"}, {"GIT_CONFIG_VALUE_0", "b"}};
    CHECK(sbx::host_git_config(env_of(bad), "/h", "", "/").entries.empty());
}

TEST_CASE("host_worktree_code: relative names from files, their includes and entries",
          "[host_git_config]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("sbx-hgc-" + std::to_string(::getpid()));
    fs::create_directories(dir / "inc");
    std::ofstream(dir / "main.cfg") << "[core]\n\thooksPath = .githooks\n\tpager = /usr/bin/less\n"
                                       "[include]\n\tpath = inc/more.cfg\n";
    std::ofstream(dir / "inc/more.cfg") << "[core]\n\tfsmonitor = tools/fsm.sh\n";
    sbx::HostGitConfig h;
    h.files = {(dir / "main.cfg").string(), (dir / "missing.cfg").string()};
    h.entries = sbx::parse_config_parameters("'core.editor'='./ed.sh' 'core.hooksPath'='/abs'");
    sbx::read_host_git_files(h, "/h");
    const auto code = sbx::host_worktree_code(h, "/h");
    CHECK(code == std::vector<std::string>{".githooks", "tools/fsm.sh", "./ed.sh"});
    fs::remove_all(dir);
}

TEST_CASE("host_template_dirs: init.templateDir in an included file too", "[host_git_config]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("sbx-hgt-" + std::to_string(::getpid()));
    fs::create_directories(dir / "inc");
    std::ofstream(dir / "main.cfg") << "[include]\n\tpath = inc/more.cfg\n";
    std::ofstream(dir / "inc/more.cfg") << "[init]\n\ttemplateDir = ~/tpl\n";
    sbx::HostGitConfig h;
    h.files = {(dir / "main.cfg").string()};
    h.template_env = "/env/tpl";
    sbx::read_host_git_files(h, "/h");
    CHECK(sbx::host_template_dirs(h, "/h", {}) == std::vector<std::string>{"/env/tpl", "/h/tpl"});
    // A relative one is taken where git runs: the command's directory and the workspace.
    h.entries = sbx::parse_config_parameters("'init.templateDir'='tpl'");
    CHECK(sbx::host_template_dirs(h, "/h", {"/w/sub", "/w"}) ==
          std::vector<std::string>{"/env/tpl", "/h/tpl", "/w/sub/tpl", "/w/tpl"});
    fs::remove_all(dir);
}
