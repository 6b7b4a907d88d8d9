#include "fs/path_set.hpp"

#include <catch2/catch.hpp>

#include "fs/path.hpp"

using sbx::PathSet;

TEST_CASE("PathSet covers members and what lies beneath them, lexically", "[fs][path_set]") {
    PathSet s({"/w/p1", "/w/deep/x/", "relative", "/t"});
    CHECK(s.size() == 3);  // the relative one is within nothing
    CHECK(s.covers("/w/p1"));
    CHECK(s.covers("/w/p1/a/b"));
    CHECK(s.covers("/w/deep/x"));  // a member given with a trailing slash
    CHECK(s.covers("/w/deep/x/y"));
    CHECK(s.covers("/t//u/./v"));  // not normalised: normalised first
    CHECK_FALSE(s.covers("/w"));
    CHECK_FALSE(s.covers("/w/p10"));  // a prefix of the string, not of the path
    CHECK_FALSE(s.covers("/w/deep"));
    CHECK_FALSE(s.covers("/w/p1/../p2"));  // lexically not beneath /w/p1
    CHECK_FALSE(s.covers("w/p1"));
    CHECK_FALSE(s.covers(""));
    CHECK_FALSE(PathSet().covers("/w/p1"));
}

TEST_CASE("PathSet with / covers every absolute path", "[fs][path_set]") {
    PathSet s;
    s.insert("/");
    CHECK(s.covers("/"));
    CHECK(s.covers("/a/b"));
    CHECK_FALSE(s.covers("a"));
}

TEST_CASE("PathSet agrees with path_is_within", "[fs][path_set]") {
    const std::vector<std::string> members = {"/a", "/a/b", "/c/d/e", "/x/y"};
    const std::vector<std::string> probes = {"/",        "/a",      "/ab", "/a/b/c",  "/c/d",
                                             "/c/d/e/f", "/c/d/ef", "/x",  "/x/y/..", "/x/./y/z"};
    PathSet s(members);
    for (const auto& p : probes) {
        bool any = false;
        for (const auto& m : members) any = any || sbx::path_is_within(p, m);
        CAPTURE(p);
        CHECK(s.covers(p) == any);
    }
}
