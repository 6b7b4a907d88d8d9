// A git config read as git reads it (plan/git_config.hpp): what the plan protects and what the
// git check judges must be what git uses (forty-eighth review: an inline comment kept in a
// hooks path, a continued line not joined).
#include "plan/git_config.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

namespace {

std::string value_of(std::string_view text, const std::string& section, const std::string& key) {
    std::string out = "<none>";
    for (const auto& e : sbx::parse_git_config(text).entries)
        if (e.section == section && e.key == key) out = e.value;
    return out;
}

}  // namespace

TEST_CASE("git config values: comments, quotes, escapes and continued lines", "[git_config]") {
    CHECK(value_of("[core]\n\thooksPath = .githooks ; shared hooks\n", "core", "hookspath") ==
          ".githooks");
    CHECK(value_of("[core]\n\thooksPath = .githooks # shared\n", "core", "hookspath") ==
          ".githooks");
    CHECK(value_of("[core]\n\thooksPath = \"a ; b\" # c\n", "core", "hookspath") == "a ; b");
    CHECK(value_of("[include]\n\tpath = ../v3\\\n.cfg\n", "include", "path") == "../v3.cfg");
    CHECK(value_of("[core]\n\tpager = a\\tb\\\\c\\\"d\n", "core", "pager") == "a\tb\\c\"d");
    CHECK(value_of("[core]\n\tpager =   spaced   out  \n", "core", "pager") == "spaced   out");
    CHECK(value_of("[core]\r\n\tbare = false\r\n", "core", "bare") == "false");
    CHECK(value_of("\xef\xbb\xbf[core]\n\tbare = true\n", "core", "bare") == "true");
    // An entry on the header's line, and keys and sections in any case.
    CHECK(value_of("[CORE]FsMonitor=x\n", "core", "fsmonitor") == "x");
}

TEST_CASE("git config sections and subsections", "[git_config]") {
    const auto c = sbx::parse_git_config(
        "[remote \"Origin\"]\n\turl = u\n[branch.Main]\n\tremote = o\n[alias]\n\tst\n");
    REQUIRE(c.valid);
    REQUIRE(c.entries.size() == 3);
    CHECK(c.entries[0].subsection == "Origin");
    CHECK(c.entries[0].has_subsection);
    CHECK(c.entries[1].section == "branch");
    CHECK(c.entries[1].subsection == "main");  // the old dotted form: lower-cased
    CHECK(c.entries[2].key == "st");
    CHECK_FALSE(c.entries[2].has_value);
    CHECK(c.entries[2].written == "[alias]\nst");
    CHECK(c.entries[0].written == "[remote \"Origin\"]\nurl = u");
}

TEST_CASE("git config text git would refuse", "[git_config]") {
    for (const char* bad : {"[core\n", "[core] = x\n", "key = v\n", "[core]\n\tpager = \"open\n",
                            "[core]\n\tpager = a\\qb\n", "[core]\n\t9x = y\n",
                            "[core]\n\tpager # c\n", "[a.b \"c\"]\n"}) {
        INFO(bad);
        CHECK_FALSE(sbx::parse_git_config(bad).valid);
    }
}

TEST_CASE("config_code_paths: hooksPath and includes, as git reads them", "[git_config]") {
    const auto p = sbx::config_code_paths(
        "[core]\n\thooksPath = .githooks ; team\n[include]\n\tpath = a.cfg\n"
        "[includeIf \"gitdir:~/w/\"]\n\tpath = ../b\\\n.cfg\n[include \"x\"]\n\tpath = no\n");
    REQUIRE(p.size() == 3);
    CHECK(p[0].kind == sbx::ConfigPathKind::hooks_path);
    CHECK(p[0].value == ".githooks");
    CHECK(p[1].value == "a.cfg");
    CHECK(p[2].kind == sbx::ConfigPathKind::include_if);
    CHECK(p[2].value == "../b.cfg");
}

TEST_CASE("config_code_paths: the program of a command, when a path names it", "[git_config]") {
    const auto p = sbx::config_code_paths(
        "[core]\n\tfsmonitor = tools/fsmon.sh\n\tpager = less -R\n[alias]\n"
        "\tx = \"!scripts/run.sh --fast\"\n\ty = log --oneline\n[diff \"bin\"]\n"
        "\ttextconv = ./conv\n[filter \"lfs\"]\n\tclean = git-lfs clean -- %f\n"
        "[credential]\n\thelper = '/opt/x y/helper' get\n[core]\n\tfsmonitor = true\n");
    std::vector<std::string> programs;
    for (const auto& e : p) {
        if (e.kind == sbx::ConfigPathKind::mentioned)
            continue;  // the other words (command_words_test.cpp)
        CHECK(e.kind == sbx::ConfigPathKind::command);
        programs.push_back(e.value);
    }
    CHECK(programs == std::vector<std::string>{"tools/fsmon.sh", "scripts/run.sh", "./conv",
                                               "/opt/x y/helper"});
}

TEST_CASE("config_code_paths: an interpreter's script, env and shell constructs", "[git_config]") {
    const auto p = sbx::config_code_paths(
        "[diff \"py\"]\n\ttextconv = python3 tools/conv.py\n[alias]\n"
        "\ta = !bash -e scripts/a.sh arg/x\n\tb = !env A=1 B=2 tools/b.sh\n"
        "\tc = !cd sub/dir && make\n\td = !sh $HOME/x.sh\n\te = !/usr/bin/node ./bin/e.js\n");
    std::vector<std::string> paths;
    for (const auto& e : p)
        if (e.kind != sbx::ConfigPathKind::mentioned) paths.push_back(e.value);
    // Only the script an interpreter runs, never its other arguments or a directory cd'd into.
    CHECK(paths == std::vector<std::string>{"tools/conv.py", "scripts/a.sh", "tools/b.sh",
                                            "/usr/bin/node", "./bin/e.js"});
}

TEST_CASE("config_code_paths: every simple command's program, and more command keys",
          "[git_config]") {
    // An expansion names nothing known; a redirection's file is no program (only mentioned:
    // protected if it is a file).
    for (const auto& e : sbx::config_code_paths("[alias]\n\tt = !$HOME/x.sh >logs/out.txt\n"))
        CHECK(e.kind == sbx::ConfigPathKind::mentioned);
    const auto keys = sbx::config_code_paths(
        "[diff]\n\texternal = tools/d.sh\n[gpg \"ssh\"]\n\tdefaultKeyCommand = tools/k.sh\n"
        "[remote \"origin\"]\n\tuploadpack = tools/u.sh\n[core]\n\tgitProxy = tools/p.sh\n"
        "[trailer \"x\"]\n\tcommand = tools/tr.sh\n[submodule \"s\"]\n\tupdate = !tools/s.sh\n");
    std::vector<std::string> paths;
    for (const auto& e : keys)
        if (e.kind != sbx::ConfigPathKind::mentioned) paths.push_back(e.value);
    CHECK(paths == std::vector<std::string>{"tools/d.sh", "tools/k.sh", "tools/u.sh", "tools/p.sh",
                                            "tools/tr.sh", "tools/s.sh"});
}

TEST_CASE("local_remote_paths: rewrites, push defaults, and what is not local", "[git_config]") {
    const auto entries = sbx::parse_git_config(
                             "[remote \"origin\"]\n\turl = https://example.invalid/p.git\n"
                             "[remote \"fork\"]\n\turl = git@host:p.git\n\tpushurl = ../fork.git\n"
                             "[url \"/srv/mirror/\"]\n\tinsteadOf = https://example.invalid/\n"
                             "[remote]\n\tpushDefault = file:///srv/push.git\n"
                             "[branch \"main\"]\n\tremote = origin\n\tpushRemote = ./up\n")
                             .entries;
    // Names are read after the URLs; each URL as written and rewritten.
    CHECK(
        sbx::local_remote_paths(entries, "/w/ws", "/h").paths ==
        std::vector<std::string>{"/srv/mirror/p.git", "/w/fork.git", "/srv/push.git", "/w/ws/up"});
}

TEST_CASE("local_remote_paths: review 53's spellings of a local remote", "[git_config]") {
    auto paths = [](const char* text) {
        return sbx::local_remote_paths(sbx::parse_git_config(text).entries, "/w/ws", "/h").paths;
    };
    // file:// URLs are percent-decoded; ~/ is $HOME; a bare word is a path.
    CHECK(paths("[remote \"o\"]\n\turl = file:///srv/my%20repos/o%2egit\n") ==
          std::vector<std::string>{"/srv/my repos/o.git"});
    CHECK(paths("[remote \"o\"]\n\turl = ~/tmp/o.git\n") ==
          std::vector<std::string>{"/h/tmp/o.git"});
    CHECK(paths("[remote \"o\"]\n\tpushurl = upx\n") == std::vector<std::string>{"/w/ws/upx"});
    // A remote's name no remote has is a path too; one that is a remote is not.
    CHECK(paths("[branch \"main\"]\n\tpushRemote = backup\n[remote \"origin\"]\n\turl = x:y\n"
                "[remote]\n\tpushDefault = origin\n") == std::vector<std::string>{"/w/ws/backup"});
    // insteadOf and pushInsteadOf both matching: both targets (git pushes to the second).
    CHECK(paths("[url \"/a/\"]\n\tinsteadOf = h:\n[url \"/b/\"]\n\tpushInsteadOf = h:\n"
                "[remote \"o\"]\n\turl = h:r.git\n") ==
          std::vector<std::string>{"/a/r.git", "/b/r.git"});
    CHECK(sbx::local_repository_candidates("/srv/o") ==
          std::vector<std::string>{"/srv/o/.git", "/srv/o", "/srv/o.git/.git", "/srv/o.git"});
}

TEST_CASE("legacy_remote_entries: remotes/<name> and branches/<name>", "[git_config]") {
    const auto r =
        sbx::legacy_remote_entries("remotes", "o", "URL: /srv/a.git\r\nPush: x\nURL:  ../b\n");
    REQUIRE(r.size() == 2);
    CHECK(r[0].section == "remote");
    CHECK(r[0].subsection == "o");
    CHECK(r[0].key == "url");
    CHECK(r[0].value == "/srv/a.git");
    CHECK(r[1].value == "../b");
    const auto b = sbx::legacy_remote_entries("branches", "up", "/srv/up.git#main\nignored\n");
    REQUIRE(b.size() == 1);
    CHECK(b[0].value == "/srv/up.git");
    // They are read as remotes like the config's (local_remote_paths).
    CHECK(sbx::local_remote_paths(b, "/w/ws", "/h").paths ==
          std::vector<std::string>{"/srv/up.git"});
    CHECK(sbx::legacy_remote_entries("remotes", "o", "Pull: x\n").empty());
}
