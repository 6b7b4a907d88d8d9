// Draft::surely_missing and the resolution it shortens: a path below a top whose first
// component is not among the top's entries resolves, without a lookup, exactly as resolve()
// resolves it.
#include "plan/draft.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "../fs/tree.hpp"
#include "policy/policy.hpp"

using sbx::test::Entry;
using sbx::test::TempTree;

TEST_CASE("a path whose first component is absent from its top resolves as resolve() says",
          "[plan][draft]") {
    TempTree t({{Entry::dir, "ws", ""},
                {Entry::dir, "ws/.config", ""},
                {Entry::file, "ws/f", "x"},
                {Entry::link, "ws/dangling", "nowhere"},
                {Entry::link, "toplink", "ws"}});
    sbx::Policy policy;
    sbx::PlanOptions opts;
    sbx::planning::Draft d(policy, opts);
    d.writable_roots.push_back(t / "ws");

    CHECK(d.surely_missing(t / "ws/.kiro"));
    CHECK(d.surely_missing(t / "ws/.cargo/config.toml"));
    CHECK_FALSE(d.surely_missing(t / "ws/.config/fish"));  // .config is there: look
    CHECK_FALSE(d.surely_missing(t / "ws/f"));
    CHECK_FALSE(d.surely_missing(t / "ws/dangling"));  // a link is an entry too
    CHECK_FALSE(d.surely_missing(t / "ws"));           // the top itself
    CHECK_FALSE(d.surely_missing(t / "other"));        // beneath no top

    for (const char* rel :
         {"ws/.kiro", "ws/.cargo/config.toml", "ws/.config/fish", "ws/dangling"}) {
        CAPTURE(rel);
        auto fast = d.resolve_path(t / rel);
        auto slow = sbx::resolve(t / rel);
        REQUIRE(fast.ok());
        REQUIRE(slow.ok());
        CHECK(fast->exists == slow->exists);
        CHECK(fast->requested == slow->requested);
        CHECK(fast->real == slow->real);
        CHECK(fast->missing_tail == slow->missing_tail);
        CHECK(fast->dangling == slow->dangling);
        CHECK(fast->chain.size() == slow->chain.size());
        CHECK(fast->st.st_ino == slow->st.st_ino);
        struct stat a {
        }, b{};
        REQUIRE(::fstat(fast->fd.get(), &a) == 0);
        REQUIRE(::fstat(slow->fd.get(), &b) == 0);
        CHECK(a.st_ino == b.st_ino);
    }
}

TEST_CASE("a top reached through a link is not listed", "[plan][draft]") {
    TempTree t({{Entry::dir, "ws", ""}, {Entry::link, "toplink", "ws"}});
    sbx::Policy policy;
    sbx::PlanOptions opts;
    sbx::planning::Draft d(policy, opts);
    d.writable_roots.push_back(t / "toplink");
    CHECK_FALSE(d.surely_missing(t / "toplink/.kiro"));
}
