#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "run/integrity.hpp"

namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/sbx-integrity.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

sbx::MountPlan plan_with_link(const fs::path& link, const std::string& text, bool pinned) {
    sbx::MountPlan plan;
    sbx::Pin pin{link.string(), text, "", {}};
    (pinned ? plan.pins : plan.watched).push_back(pin);
    return plan;
}

}  // namespace

TEST_CASE("an unchanged link is clean", "[integrity]") {
    TempDir t;
    fs::create_symlink("target", t.path / "l");
    auto links = sbx::record_links(plan_with_link(t.path / "l", "target", true));
    REQUIRE(links.size() == 1);
    CHECK(sbx::check_and_restore(links).clean());
}

TEST_CASE("a retargeted link is reported and restored", "[integrity]") {
    TempDir t;
    fs::create_symlink("target", t.path / "l");
    auto links = sbx::record_links(plan_with_link(t.path / "l", "target", false));
    fs::remove(t.path / "l");
    fs::create_symlink("/etc", t.path / "l");
    auto r = sbx::check_and_restore(links);
    REQUIRE(r.changed.size() == 1);
    CHECK(r.changed[0].find("now points to '/etc'") != std::string::npos);
    REQUIRE(r.restored.size() == 1);
    CHECK(fs::read_symlink(t.path / "l") == "target");
}

TEST_CASE("a removed link is recreated", "[integrity]") {
    TempDir t;
    fs::create_symlink("target", t.path / "l");
    auto links = sbx::record_links(plan_with_link(t.path / "l", "target", true));
    fs::remove(t.path / "l");
    auto r = sbx::check_and_restore(links);
    CHECK(r.changed.size() == 1);
    CHECK(fs::read_symlink(t.path / "l") == "target");
}

TEST_CASE("a directory in the link's place is moved aside, never deleted", "[integrity]") {
    TempDir t;
    fs::create_symlink("target", t.path / "l");
    auto links = sbx::record_links(plan_with_link(t.path / "l", "target", false));
    fs::remove(t.path / "l");
    fs::create_directory(t.path / "l");
    std::ofstream(t.path / "l" / "config.toml") << "evil";
    auto r = sbx::check_and_restore(links);
    REQUIRE(r.changed.size() == 1);
    CHECK(fs::is_symlink(t.path / "l"));
    int aside = 0;
    for (const auto& e : fs::directory_iterator(t.path)) {
        if (e.path().filename().string().rfind("l.sbxrun-replaced.", 0) == 0) {
            ++aside;
            CHECK(fs::exists(e.path() / "config.toml"));
        }
    }
    CHECK(aside == 1);
}

TEST_CASE("a replaced parent directory is reported, not restored", "[integrity]") {
    TempDir t;
    fs::create_directory(t.path / "d");
    fs::create_symlink("target", t.path / "d" / "l");
    auto links = sbx::record_links(plan_with_link(t.path / "d" / "l", "target", true));
    fs::rename(t.path / "d", t.path / "d.old");
    fs::create_directory(t.path / "d");
    auto r = sbx::check_and_restore(links);
    REQUIRE(r.changed.size() == 1);
    CHECK(r.restored.empty());
    CHECK(!fs::exists(fs::symlink_status(t.path / "d" / "l")));
}
