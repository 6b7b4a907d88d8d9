// What makes a git directory one the host's git would run code from: the config keys git init
// and git clone do not write (case-insensitive section and key names, subsections kept as
// written), and the entries as written, by which the host's own are told from the run's.
#include "run/git_danger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

namespace {

std::vector<std::string> keys(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& e : sbx::unusual_config_entries(text)) out.push_back(e.key);
    return out;
}

}  // namespace

TEST_CASE("what git init and git clone write is plain", "[run][git]") {
    CHECK(keys("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"
               "\tlogallrefupdates = true\n[remote \"origin\"]\n\turl = https://x/y\n"
               "\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n"
               "\tremote = origin\n\tmerge = refs/heads/main\n")
              .empty());
    CHECK(keys("[Core]\n\tBare = false\n[submodule \"libs/foo\"]\n\turl = ../foo\n"
               "\tactive = true\n")
              .empty());
}

TEST_CASE("preferences a user sets in a clone are plain", "[run][git]") {
    // Review 50: `git config pull.rebase false` (which git suggests), core.autocrlf, gc.auto.
    CHECK(keys("[pull]\n\trebase = false\n[core]\n\tautocrlf = input\n[gc]\n\tauto = 0\n"
               "[color \"diff\"]\n\tmeta = blue\n[advice]\n\tdetachedHead = false\n"
               "[branch \"main\"]\n\trebase = true\n")
              .empty());
    // ... but not the keys beside them that name a command or a file.
    CHECK(keys("[core]\n\tautocrlf = input\n\tattributesFile = x\n[pull]\n\ttwohead = x/y\n") ==
          std::vector<std::string>{"core.attributesfile", "pull.twohead"});
    // git's own fsmonitor daemon is a boolean; a command is not.
    CHECK(keys("[core]\n\tfsmonitor = true\n").empty());
    CHECK(keys("[core]\n\tfsmonitor = tools/f.sh\n") == std::vector<std::string>{"core.fsmonitor"});
}

TEST_CASE("a key that can run code is named, with its subsection", "[run][git]") {
    CHECK(keys("[core]\n\tfsmonitor = touch /tmp/x\n") ==
          std::vector<std::string>{"core.fsmonitor"});
    CHECK(keys("[CORE]\n\tFsMonitor = x\n") == std::vector<std::string>{"core.fsmonitor"});
    CHECK(keys("[alias \"x\"]\n\tco = !sh\n") == std::vector<std::string>{"alias.x.co"});
    // A plain key under another section is not plain there.
    CHECK(keys("[remote]\n\turl = x\n") == std::vector<std::string>{"remote.url"});
    // An entry on its header's line is read as git reads it.
    CHECK(keys("[core] fsmonitor = x\n") == std::vector<std::string>{"core.fsmonitor"});
    // A value continued onto the next line is one value (git reads user.name = "a fsmonitor =
    // x"), and a comment after a value is no part of it.
    CHECK(keys("[user]\n\tname = a\\\n\tfsmonitor = x\n").empty());
    CHECK(keys("[core]\n\tbare = false ; fsmonitor = x\n").empty());
    // Text git would refuse is named as written.
    CHECK(keys("[core]\n\tpager = \"open\n") == std::vector<std::string>{"pager = \"open"});
}

TEST_CASE("an entry as written carries its section header", "[run][git]") {
    const auto e = sbx::unusual_config_entries("[alias]\n\tst = status\n[core]\n\tpager = less\n");
    REQUIRE(e.size() == 2);
    CHECK(e[0].written == "[alias]\nst = status");
    CHECK(e[1].written == "[core]\npager = less");
}

TEST_CASE("core.worktree as git takes it: the last one, quoted or not, in [core] only",
          "[run][git]") {
    char tmpl[] = "/tmp/sbx-git-danger.XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    auto with_config = [&](const std::string& text) {
        std::ofstream(dir + "/config") << text;
        const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        auto wt = sbx::config_core_worktree(fd);
        ::close(fd);
        return wt;
    };
    CHECK(with_config("[core]\n\tbare = false\n") == std::nullopt);
    CHECK(with_config("[core]\n\tworktree = ../x\n") == std::optional<std::string>("../x"));
    CHECK(with_config("[Core]\n\tWorkTree = \"/a b\"\n[core]\n\tworktree = /c\n") ==
          std::optional<std::string>("/c"));
    CHECK(with_config("[remote \"core\"]\n\tworktree = /x\n") == std::nullopt);
    ::unlink((dir + "/config").c_str());
    CHECK(with_config("") == std::nullopt);
    ::unlink((dir + "/config").c_str());
    ::rmdir(dir.c_str());
}
