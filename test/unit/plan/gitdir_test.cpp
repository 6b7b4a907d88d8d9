// Parsing of `.git` files and `commondir`, as git does it (setup.c), and reading one through
// an already resolved descriptor. Pure: no plan, no privileges.
#include "plan/gitdir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

using sbx::gitdir_path;
using sbx::parse_commondir;
using sbx::parse_gitfile;

TEST_CASE("gitfile: absolute and relative paths, line endings", "[gitdir]") {
    auto abs = parse_gitfile("gitdir: /w/.auxiliary/gitdir\n");
    REQUIRE(abs.ok());
    REQUIRE(abs->has_value());
    CHECK(**abs == "/w/.auxiliary/gitdir");
    CHECK(*gitdir_path("/w", **abs) == "/w/.auxiliary/gitdir");

    auto rel = parse_gitfile("gitdir: ../.git/modules/x\n");
    REQUIRE(rel.ok());
    CHECK(**rel == "../.git/modules/x");
    CHECK(*gitdir_path("/super/x", **rel) == "/super/.git/modules/x");

    auto crlf = parse_gitfile("gitdir: /w/g\r\n\r\n");
    REQUIRE(crlf.ok());
    CHECK(**crlf == "/w/g");
    auto none = parse_gitfile("gitdir: /w/g");
    CHECK(**none == "/w/g");
    // git trims line endings only: a trailing blank belongs to the path.
    CHECK(**parse_gitfile("gitdir: /w/g \n") == "/w/g ");
}

TEST_CASE("gitfile: what git would not use is not followed", "[gitdir]") {
    for (const char* text : {"", "gitdir:/w/g\n", "GITDIR: /w/g\n", "  gitdir: /w/g\n",
                             "ref: refs/heads/main\n", "gitdir: \n", "gitdir: \r\n"}) {
        auto r = parse_gitfile(text);
        INFO(text);
        REQUIRE(r.ok());
        CHECK_FALSE(r->has_value());
    }
}

TEST_CASE("gitfile: NUL and oversize are refused (exit 122), not cut", "[gitdir]") {
    using namespace std::string_literals;
    auto nul = parse_gitfile("gitdir: /w/g\0/../evil\n"s);
    REQUIRE_FALSE(nul.ok());
    CHECK(nul.error().kind == sbx::ErrorKind::unenforceable);

    auto big = parse_gitfile("gitdir: /" + std::string(sbx::kGitfileMax, 'a'));
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().kind == sbx::ErrorKind::unenforceable);
    CHECK(parse_gitfile("gitdir: /" + std::string(sbx::kGitfileMax - 9, 'a')).ok());
}

TEST_CASE("gitfile_target reads what the run wrote as git does: a NUL ends the path", "[gitdir]") {
    using namespace std::string_literals;
    CHECK(*sbx::gitfile_target("gitdir: /w/g\0/../evil\n"s) == "/w/g");
    // Line ends are taken off the whole file first: one before the NUL stays in the path.
    CHECK(*sbx::gitfile_target("gitdir: x\n\0y"s) == "x\n");
    CHECK(*sbx::gitfile_target("gitdir: x \r\n") == "x ");
    CHECK_FALSE(sbx::gitfile_target("gitdir: \0x"s));
    CHECK_FALSE(sbx::gitfile_target(" gitdir: x"));
}

TEST_CASE("commondir: relative to the gitdir, line endings trimmed", "[gitdir]") {
    auto c = parse_commondir("../..\n");
    REQUIRE(c.ok());
    CHECK(*gitdir_path("/m/.git/worktrees/wt", *c) == "/m/.git");
    CHECK(*gitdir_path("/m/.git/worktrees/wt", *parse_commondir("/abs/.git\r\n")) == "/abs/.git");
    CHECK(*gitdir_path("/g", *parse_commondir("\n")) == "/g");
    CHECK_FALSE(parse_commondir(std::string("..\0x", 4)).ok());
}

TEST_CASE("gitdir_path: a '..' after a named component is refused", "[gitdir]") {
    // git takes such a path through realpath; a lexical join could name another directory.
    CHECK_FALSE(gitdir_path("/w", "link/../x").has_value());
    CHECK_FALSE(gitdir_path("/w", "/a/b/../c").has_value());
    CHECK(*gitdir_path("/a/b/c", "../../x/./y") == "/a/x/y");
    CHECK_FALSE(gitdir_path("/w", "").has_value());
}

TEST_CASE("read_small_file: reads the descriptor's file, bounded", "[gitdir]") {
    char dir[] = "/tmp/gitdir_test.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string file = std::string(dir) + "/.git";
    FILE* f = std::fopen(file.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("gitdir: /x\n", f);
    std::fclose(f);
    int fd = ::open(file.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    REQUIRE(fd >= 0);
    // The name now leads elsewhere: what is read is still the inode resolved.
    const std::string moved = file + ".old";
    REQUIRE(::rename(file.c_str(), moved.c_str()) == 0);
    f = std::fopen(file.c_str(), "w");
    std::fputs("gitdir: /evil\n", f);
    std::fclose(f);
    auto text = sbx::read_small_file(fd, file);
    REQUIRE(text.ok());
    CHECK(*text == "gitdir: /x\n");
    auto small = sbx::read_small_file(fd, file, 4);
    REQUIRE_FALSE(small.ok());
    CHECK(small.error().kind == sbx::ErrorKind::unenforceable);
    ::close(fd);
    int dfd = ::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    CHECK_FALSE(sbx::read_small_file(dfd, dir).ok());  // not a regular file
    ::close(dfd);
    std::remove(file.c_str());
    std::remove(moved.c_str());
    ::rmdir(dir);
}

namespace {

// An index written by git itself: `setup` runs in a fresh repository (sh -c), then the index is
// read back. Gitlinks are added with update-index --cacheinfo (no submodule repository needed).
std::string git_index(const std::string& init, const std::string& setup) {
    char tmpl[] = "/tmp/sbx-gitindex.XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string cmd = "cd '" + dir +
                            "' && GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null " +
                            "git init -q " + init + " . && " + setup + " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(dir + "/.git/index", std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::system(("rm -rf '" + dir + "'").c_str());
    return data;
}

}  // namespace

TEST_CASE("gitlink_paths: the submodules of an index, every version and hash", "[gitdir]") {
    using sbx::gitlink_paths;
    const std::string sha1 = "1111111111111111111111111111111111111111";
    const std::string links =
        "echo x >f && git add f && mkdir -p d && echo y >d/long-file-name && git add d && "
        "git update-index --add --cacheinfo 160000,SHA,sub && "
        "git update-index --add --cacheinfo 160000,SHA,libs/deep/mod && "
        "echo z >zz && git add -N zz";  // intent-to-add: an extended-flags entry (v3)
    auto with = [&](const std::string& sha) {
        std::string s = links;
        for (std::size_t at; (at = s.find("SHA")) != std::string::npos;) s.replace(at, 3, sha);
        return s;
    };
    const std::vector<std::string> want{"libs/deep/mod", "sub"};
    for (const char* version : {"2", "3", "4"}) {
        INFO("index version " << version);
        auto idx = git_index("", with(sha1) + " && git update-index --index-version " + version);
        auto p = gitlink_paths(idx);
        REQUIRE(p.ok());
        CHECK(*p == want);
    }
    const std::string sha256(64, '2');
    auto idx = git_index("--object-format=sha256", with(sha256));
    auto p = gitlink_paths(idx);
    REQUIRE(p.ok());
    CHECK(*p == want);
    // No gitlink at all, and an empty index.
    CHECK(gitlink_paths(git_index("", "echo x >f && git add f")).value().empty());
    // Not an index, a truncated one: refused (122), never read as "no submodules".
    CHECK_FALSE(gitlink_paths("").ok());
    CHECK_FALSE(gitlink_paths(std::string_view("DIRC\0\0\0\x02\0\0\0\x05", 12)).ok());
    auto cut = git_index("", with(sha1));
    CHECK_FALSE(gitlink_paths(std::string_view(cut).substr(0, cut.size() - 30)).ok());
    CHECK(gitlink_paths(cut).ok());
    CHECK(gitlink_paths("").error().kind == sbx::ErrorKind::unenforceable);
}

TEST_CASE("index_gitlinks: a split index names its shared index; the plan refuses it", "[gitdir]") {
    const std::string sha1 = "1111111111111111111111111111111111111111";
    // Split, then one gitlink more in the split part: the first lies in the shared index.
    const std::string idx = git_index(
        "", "git update-index --add --cacheinfo 160000," + sha1 +
                ",a && git update-index --split-index && git -c splitIndex.maxPercentChange=100 "
                "update-index --add --cacheinfo 160000," +
                sha1 + ",b");
    const auto links = sbx::index_gitlinks(idx, sbx::kGitlinksMax);
    REQUIRE(links.ok());
    CHECK(links->paths == std::vector<std::string>{"b"});
    CHECK(links->shared_index.rfind("sharedindex.", 0) == 0);
    CHECK(links->shared_index.size() == 12 + 40);
    CHECK_FALSE(links->unnamed_gitlinks);
    const auto plan = sbx::gitlink_paths(idx);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("split") != std::string::npos);
    // At most `max`.
    CHECK_FALSE(
        sbx::index_gitlinks(git_index("", "git update-index --add --cacheinfo 160000," + sha1 +
                                              ",a && git update-index --add "
                                              "--cacheinfo 160000," +
                                              sha1 + ",b"),
                            1)
            .ok());
}
