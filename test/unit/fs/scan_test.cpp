#include "fs/scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fs/resolve.hpp"
#include "tree.hpp"

using sbx::scan_symlinks;
using sbx::test::Entry;
using sbx::test::TempTree;

namespace {

sbx::UniqueFd open_path(const std::string& p) {
    sbx::UniqueFd fd(::open(p.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd.valid());
    return fd;
}

std::vector<std::string> paths(const sbx::ScanResult& r) {
    std::vector<std::string> out;
    for (const auto& l : r.links) out.push_back(l.path);
    return out;
}

}  // namespace

TEST_CASE("scan: links inside a protected directory, nothing followed", "[scan]") {
    TempTree t{
        {Entry::dir, "codex", ""},
        {Entry::link, "codex/config.toml", "../.auxiliary/codex.toml"},
        {Entry::file, "codex/plain", ""},
        {Entry::dir, "codex/sub", ""},
        {Entry::link, "codex/sub/deep", "/etc/passwd"},
        {Entry::dir, "codex/sub/more", ""},
        {Entry::link, "codex/sub/more/deeper", "x"},
        {Entry::link, "codex/dirlink", "../outside"},
        {Entry::dir, "outside", ""},
        {Entry::link, "outside/hidden", "never seen"},
    };
    auto fd = open_path(t / "codex");  // O_PATH, as resolve() hands it over

    SECTION("unbounded enough") {
        auto r = scan_symlinks(fd.get(), t / "codex", 8, 1000);
        REQUIRE(r.ok());
        CHECK_FALSE(r->truncated);
        CHECK(r->entries_seen == 7);
        CHECK(r->unreadable.empty());
        CHECK(paths(*r) == std::vector<std::string>{t / "codex/config.toml", t / "codex/dirlink",
                                                    t / "codex/sub/deep",
                                                    t / "codex/sub/more/deeper"});
        CHECK(r->links[0].link_text == "../.auxiliary/codex.toml");
        CHECK(r->links[2].link_text == "/etc/passwd");
    }
    SECTION("depth bound") {
        auto r = scan_symlinks(fd.get(), t / "codex", 2, 1000);
        REQUIRE(r.ok());
        CHECK(r->truncated);
        CHECK(paths(*r) == std::vector<std::string>{t / "codex/config.toml", t / "codex/dirlink",
                                                    t / "codex/sub/deep"});
        auto top = scan_symlinks(fd.get(), t / "codex", 1, 1000);
        REQUIRE(top.ok());
        CHECK(top->truncated);
        CHECK(top->links.size() == 2);
        auto none = scan_symlinks(fd.get(), t / "codex", 0, 1000);
        REQUIRE(none.ok());
        CHECK(none->truncated);
        CHECK(none->links.empty());
    }
    SECTION("entry bound") {
        auto r = scan_symlinks(fd.get(), t / "codex", 8, 3);
        REQUIRE(r.ok());
        CHECK(r->truncated);
        CHECK(r->entries_seen == 3);
        auto exact = scan_symlinks(fd.get(), t / "codex", 8, 7);
        REQUIRE(exact.ok());
        CHECK_FALSE(exact->truncated);
        CHECK(exact->links.size() == 4);
    }
}

TEST_CASE("scan: a top directory that cannot be read is an error, an empty one is no link",
          "[scan]") {
    TempTree t{{Entry::dir, "d", ""}, {Entry::file, "f", ""}};
    sbx::UniqueFd file(::open((t / "f").c_str(), O_PATH | O_CLOEXEC));
    REQUIRE(file.valid());
    auto r = scan_symlinks(file.get(), t / "f", 4, 100);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == sbx::ErrorKind::os);
    CHECK(r.error().path == t / "f");

    auto ok = scan_symlinks(open_path(t / "d").get(), t / "d", 4, 100);
    REQUIRE(ok.ok());
    CHECK(ok->links.empty());
    CHECK(ok->entries_seen == 0);
    CHECK_FALSE(ok->truncated);
}

TEST_CASE("scan: a readable descriptor is read in place, with the same result", "[scan]") {
    TempTree t{
        {Entry::dir, "codex", ""},        {Entry::link, "codex/config.toml", "../x.toml"},
        {Entry::dir, "codex/sub", ""},    {Entry::link, "codex/sub/deep", "/etc/passwd"},
        {Entry::file, "codex/plain", ""},
    };
    auto via_path = scan_symlinks(open_path(t / "codex").get(), t / "codex", 8, 1000);
    REQUIRE(via_path.ok());
    sbx::UniqueFd rd(::open((t / "codex").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(rd.valid());
    auto in_place = scan_symlinks(rd.get(), t / "codex", 8, 1000, true);
    REQUIRE(in_place.ok());
    CHECK(paths(*in_place) == paths(*via_path));
    CHECK(paths(*in_place) ==
          std::vector<std::string>{t / "codex/config.toml", t / "codex/sub/deep"});
    CHECK(in_place->entries_seen == via_path->entries_seen);
    CHECK(in_place->entries_seen == 4);
    // Read in place: the caller's descriptor is left at its end, and stays open.
    char buf[256];
    CHECK(::getdents64(rd.get(), buf, sizeof buf) == 0);
}
