// glob_paths(): the plan and the after-run check read a command word's pattern the same way,
// sorted and to one bound, so that a match is new only when the run made it.
#include "fs/glob_paths.hpp"

#include <catch2/catch.hpp>

#include "tree.hpp"

using sbx::glob_paths;
using sbx::kMaxGlobMatches;
using sbx::test::Entry;
using sbx::test::TempTree;

TEST_CASE("glob_paths lists matches sorted, backslashes literal", "[fs][glob]") {
    TempTree t({{Entry::dir, "tools", ""},
                {Entry::file, "tools/b.sh", ""},
                {Entry::file, "tools/a.sh", ""},
                {Entry::file, "tools/a.py", ""},
                {Entry::file, "tools/x\\y", ""}});
    const auto m = glob_paths(t / "tools/*.sh");
    CHECK_FALSE(m.truncated);
    CHECK(m.paths == std::vector<std::string>{t / "tools/a.sh", t / "tools/b.sh"});
    CHECK(glob_paths(t / "tools/a.s[h]").paths == std::vector<std::string>{t / "tools/a.sh"});
    CHECK(glob_paths(t / "tools/x\\y").paths == std::vector<std::string>{t / "tools/x\\y"});
    CHECK(glob_paths(t / "none/*").paths.empty());
}

TEST_CASE("glob_paths says when more matched than it lists", "[fs][glob]") {
    TempTree t({{Entry::dir, "d", ""}});
    for (std::size_t i = 0; i <= kMaxGlobMatches; ++i)
        t.add({Entry::file, "d/f" + std::to_string(i), ""});
    const auto m = glob_paths(t / "d/f*");
    CHECK(m.truncated);
    CHECK(m.paths.size() == kMaxGlobMatches);
    CHECK(std::is_sorted(m.paths.begin(), m.paths.end()));
}
