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
        REQUIRE(::fstat(fast->descriptor(), &a) == 0);
        REQUIRE(::fstat(slow->fd.get(), &b) == 0);
        CHECK(a.st_ino == b.st_ino);
    }
}

TEST_CASE("the missing names of one top share one kept descriptor", "[plan][draft]") {
    TempTree t({{Entry::dir, "ws", ""}, {Entry::dir, "ws/d", ""}});
    sbx::Policy policy;
    sbx::PlanOptions opts;
    sbx::planning::Draft d(policy, opts);
    d.writable_roots.push_back(t / "ws");
    auto a = d.resolve_path(t / "ws/.kiro");
    auto b = d.resolve_path(t / "ws/.cursor/x");
    auto c = d.resolve_path(t / "ws/d");  // exists: a descriptor of its own
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(c.ok());
    CHECK_FALSE(a->fd);  // borrowed from the listing, not duplicated
    const auto before = d.plan.fds.size();
    auto ka = d.keep_fd(*a);
    auto kb = d.keep_fd(*b);
    auto kc = d.keep_fd(*c);
    REQUIRE(ka.ok());
    REQUIRE(kb.ok());
    REQUIRE(kc.ok());
    CHECK(*ka == *kb);
    CHECK(*kc != *ka);
    CHECK(d.plan.fds.size() == before + 2);
    struct stat kept {
    }, top{};
    REQUIRE(::fstat(d.plan.fds[static_cast<std::size_t>(*ka)].get(), &kept) == 0);
    REQUIRE(::stat((t / "ws").c_str(), &top) == 0);
    CHECK(kept.st_ino == top.st_ino);
}

TEST_CASE("a top reached through a link is not listed", "[plan][draft]") {
    TempTree t({{Entry::dir, "ws", ""}, {Entry::link, "toplink", "ws"}});
    sbx::Policy policy;
    sbx::PlanOptions opts;
    sbx::planning::Draft d(policy, opts);
    d.writable_roots.push_back(t / "toplink");
    CHECK_FALSE(d.surely_missing(t / "toplink/.kiro"));
}
