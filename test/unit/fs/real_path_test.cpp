// resolved_path() and environment_path(): places as the kernel reaches them, for comparing
// spellings of HOME, TMPDIR and XDG_* (fourteenth outside review).
#include "fs/real_path.hpp"

#include <catch2/catch.hpp>

#include "tree.hpp"

using sbx::environment_path;
using sbx::resolved_path;
using sbx::test::Entry;
using sbx::test::TempTree;

TEST_CASE("resolved_path follows links in the existing part and keeps the rest",
          "[fs][real_path]") {
    TempTree t({{Entry::dir, "a", ""}, {Entry::dir, "a/b", ""}, {Entry::link, "l", "a/b"}});
    CHECK(resolved_path(t / "l") == t / "a/b");
    CHECK(resolved_path(t / "l/missing/x") == t / "a/b/missing/x");
    CHECK(resolved_path(t / "a") == t / "a");
    CHECK(sbx::existing_real_path(t / "l") == t / "a/b");
    CHECK(sbx::existing_real_path(t / "l/missing").empty());
    CHECK(sbx::existing_real_path("").empty());
}

TEST_CASE("resolved_through_links also follows a final link that leads nowhere yet",
          "[fs][real_path]") {
    TempTree t({{Entry::dir, "a", ""},
                {Entry::link, "x", ".envrc"},
                {Entry::link, "y", "x"},
                {Entry::link, "z", "a/../a/new"},
                {Entry::link, "loop", "loop"}});
    CHECK(sbx::resolved_through_links(t / "x") == t / ".envrc");
    CHECK(sbx::resolved_through_links(t / "y") == t / ".envrc");
    CHECK(sbx::resolved_through_links(t / "z") == t / "a/new");
    CHECK(sbx::resolved_through_links(t / "a") == t / "a");
    CHECK_FALSE(sbx::resolved_through_links(t / "loop").empty());  // gives up, never hangs
}

TEST_CASE("environment_path takes '..' where the kernel does", "[fs][real_path]") {
    TempTree t({{Entry::dir, "a", ""},
                {Entry::dir, "a/b", ""},
                {Entry::link, "l", "a/b"},
                {Entry::link, "k", "a"}});
    // After a link, '..' is the parent of where the link leads, not of its name.
    CHECK(environment_path(t / "l/../cfg") == t / "a/cfg");
    CHECK(environment_path(t / "l/../home/") == t / "a/home");
    // Links after the last '..' are kept as spelled; without '..' nothing is resolved.
    CHECK(environment_path(t / "a/../k/b") == t / "k/b");
    CHECK(environment_path(t / "l//x/./y") == t / "l/x/y");
    // A name that merely starts with dots is not '..'.
    CHECK(environment_path(t / "l/..x") == t / "l/..x");
    // What the kernel could not reach either is normalised as text.
    CHECK(environment_path(t / "missing/../x") == t / "x");
}

TEST_CASE("ResolvedPathCache answers as resolved_path does, each directory once",
          "[fs][real_path]") {
    TempTree t({{Entry::dir, "a", ""},
                {Entry::dir, "a/b", ""},
                {Entry::file, "a/f", "x"},
                {Entry::link, "l", "a/b"},
                {Entry::link, "up", "../"},
                {Entry::link, "chain", "l"},
                {Entry::link, "dangling", "nowhere/x"},
                {Entry::link, "a/b/back", "../../l"}});
    sbx::ResolvedPathCache cache;
    for (const char* rel :
         {"", "a", "a/b", "a/f", "a/f/x", "l", "l/x/y", "chain/z", "up", "up/a", "dangling",
          "dangling/y", "a/b/back", "a/b/back/back/q", "missing", "missing/l"}) {
        const std::string path = std::string(rel).empty() ? t / "" : t / rel;
        INFO(path);
        // Asked twice: the second answer comes from the cache.
        CHECK(cache.resolve(path) == resolved_path(path));
        CHECK(cache.resolve(path) == resolved_path(path));
    }
    // Not absolute and normal: handed to resolved_path() as it is.
    CHECK(cache.resolve(t / "l/../a") == resolved_path(t / "l/../a"));
    CHECK(cache.resolve("relative/x") == resolved_path("relative/x"));
}
