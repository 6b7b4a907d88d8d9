#include "backend/landlock_compile.hpp"

#include <catch2/catch.hpp>

#include "fake_tree.hpp"
#include "inner/landlock_apply.hpp"

using namespace sbx;
using sbx::test::FakeTree;

namespace {

constexpr std::uint64_t kR = ll::kReadFile | ll::kReadDir | ll::kExecute | ll::kIoctlDev;

struct Fixture {
    FakeTree tree;
    MountPlan plan;

    void op(OpKind kind, const std::string& dest, bool is_dir = true) {
        MountOp o;
        o.kind = kind;
        o.dest = dest;
        o.is_dir = is_dir;
        o.rule = sbx::RuleRef(kind == OpKind::bind_rw   ? "filesystem.write"
                              : kind == OpKind::bind_ro ? "filesystem.read"
                                                        : "filesystem.deny",
                              {}, {});
        if (kind == OpKind::bind_ro || kind == OpKind::bind_rw) {
            o.fd = static_cast<int>(plan.fds.size());
            plan.fds.push_back(tree.fd_for(dest));
        }
        plan.ops.push_back(std::move(o));
    }

    LandlockCompiled compile(int abi, OnUnenforceable m = OnUnenforceable::approximate) {
        auto r = compile_landlock(plan, abi, m, tree);
        REQUIRE(r.ok());
        return std::move(r).value();
    }
};

bool mentions(const std::vector<std::string>& lines, const std::string& needle) {
    for (const auto& l : lines) {
        if (l.find(needle) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("handled masks per ABI 1..7", "[landlock]") {
    const std::uint64_t expected_fs[8] = {0,
                                          ll::kFsAbi1,
                                          ll::kFsAbi1 | ll::kRefer,
                                          ll::kFsAbi1 | ll::kRefer | ll::kTruncate,
                                          ll::kFsAbi1 | ll::kRefer | ll::kTruncate,
                                          ll::kFsAbi1 | ll::kRefer | ll::kTruncate | ll::kIoctlDev,
                                          ll::kFsAbi1 | ll::kRefer | ll::kTruncate | ll::kIoctlDev,
                                          ll::kFsAbi1 | ll::kRefer | ll::kTruncate | ll::kIoctlDev};
    CHECK(ll::kFsAbi1 == 0x1fff);
    for (int abi = 1; abi <= 7; ++abi) {
        INFO("abi " << abi);
        Fixture f;
        f.op(OpKind::bind_ro, "/");
        f.plan.network = NetworkMode::none;
        auto c = f.compile(abi);
        // below ABI 3, approximate asks apply_landlock for the truncate stand-in
        const std::uint64_t fs = expected_fs[abi] | (abi < 3 ? ll::kTruncate : 0);
        CHECK(c.spec.abi == abi);
        CHECK(c.spec.handled_fs == fs);
        CHECK(c.spec.handled_net == (abi >= 4 ? (ll::kNetBindTcp | ll::kNetConnectTcp) : 0u));
        const std::uint64_t scoped =
            abi >= 6 ? (ll::kScopeAbstractUnix | ll::kScopeSignal) : ll::kScopeAbstractUnix;
        CHECK(c.spec.scoped == scoped);
        CHECK(f.tree.rules(c.spec) == std::map<std::string, std::uint64_t>{{"/", kR & fs}});
        CHECK(mentions(c.approximated, "ABI 1:") == (abi == 1));
        CHECK(mentions(c.approximated, "truncate(2)") == (abi < 3));
        CHECK(mentions(c.approximated, "no TCP rules") == (abi < 4));
        CHECK(mentions(c.approximated, "socket(AF_UNIX) is refused") == (abi < 6));
        CHECK(mentions(c.weakened, "signals") == (abi < 6));
    }
}

TEST_CASE("an ABI above the newest known is treated as the newest", "[landlock]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/");
    auto c = f.compile(9);
    CHECK(c.spec.abi == 7);
    auto none = compile_landlock(f.plan, 0, OnUnenforceable::approximate, f.tree);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::unsupported);
}

TEST_CASE("network allowlist: TCP rules by port, an approximation; refused below ABI 4",
          "[landlock]") {
    Fixture f;
    f.plan.network = NetworkMode::allowlist;
    for (auto m :
         {OnUnenforceable::approximate, OnUnenforceable::escalate, OnUnenforceable::weaken}) {
        auto r = compile_landlock(f.plan, 3, m, f.tree);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::unenforceable);
        CHECK_THAT(r.error().message, Catch::Contains("needs Landlock ABI 4"));
    }
    auto a = compile_landlock(f.plan, 6, OnUnenforceable::approximate, f.tree);
    REQUIRE(a.ok());
    CHECK(a->spec.handled_net == (ll::kNetBindTcp | ll::kNetConnectTcp));
    CHECK(a->spec.connect_ports.empty());  // run_landlock adds the proxy's port
    // With unix sockets refused sbxrun makes every connection (run/connect_guard.hpp): no gap.
    bool listed = false;
    for (const auto& s : a->approximated)
        listed = listed || s.find("by port, not address") != std::string::npos;
    CHECK_FALSE(listed);
    CHECK(compile_landlock(f.plan, 6, OnUnenforceable::escalate, f.tree).ok());
    // With unix sockets allowed, a descriptor swapped during connect(2) reopens it.
    f.plan.unix_sockets = true;
    a = compile_landlock(f.plan, 6, OnUnenforceable::approximate, f.tree);
    REQUIRE(a.ok());
    for (const auto& s : a->approximated)
        listed = listed || s.find("by port, not address") != std::string::npos;
    CHECK(listed);
    auto e = compile_landlock(f.plan, 6, OnUnenforceable::escalate, f.tree);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::unenforceable);
    auto w = compile_landlock(f.plan, 6, OnUnenforceable::weaken, f.tree);
    REQUIRE(w.ok());
    listed = false;
    for (const auto& s : w->weakened)
        listed = listed || s.find("by port, not address") != std::string::npos;
    CHECK(listed);
}

TEST_CASE("network full handles no network and no scopes", "[landlock]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/");
    f.plan.network = NetworkMode::full;
    auto c = f.compile(7);
    CHECK(c.spec.handled_net == 0);
    CHECK(c.spec.scoped == 0);
    CHECK(c.weakened.empty());
}

TEST_CASE("protected name in a writable root: write beneath every other child", "[landlock]") {
    Fixture f;
    f.tree.add("/w/src", FakeTree::dir);
    f.tree.add("/w/README", FakeTree::file);
    f.tree.add("/w/link", FakeTree::symlink);
    f.tree.add("/w/.git", FakeTree::dir);
    f.op(OpKind::bind_rw, "/w");
    f.op(OpKind::bind_ro, "/w/.git");
    const std::uint64_t all = ll::fs_rights_for_abi(7);
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK(rules.at("/w") == kR);                            // the root itself: read only
    CHECK(rules.at("/w/src") == all);                       // each child: everything
    CHECK(rules.at("/w/README") == (all & ll::kFileOnly));  // files: file rights only
    CHECK(rules.at("/w/.git") == kR);                       // the protected one: read only
    CHECK(rules.count("/w/link") == 0);                     // a symlink child: no rule
    CHECK(mentions(c.approximated, "/w: new entries, removals and renames at its top are made by sbxrun"));
    CHECK(mentions(c.approximated, "/w/.git"));
    // The root is handed to the supervisor's entry broker, with what leads to the hole.
    REQUIRE(c.restricted.size() == 1);
    CHECK(c.restricted[0].path == "/w");
    CHECK(c.restricted[0].want == all);
    CHECK(c.restricted[0].self == kR);
    CHECK(c.restricted[0].towards == std::vector<std::string>{".git"});
}

TEST_CASE("a sibling that vanishes between listing and opening is skipped", "[landlock]") {
    // Another program's temp file in a shared /tmp: it needs no rule, and must not fail the run.
    Fixture f;
    f.tree.add("/w/src", FakeTree::dir);
    f.tree.add("/w/tmp.XXXX", FakeTree::file);
    f.tree.add("/w/.git", FakeTree::dir);
    f.tree.vanished.insert("/w/tmp.XXXX");
    f.op(OpKind::bind_rw, "/w");
    f.op(OpKind::bind_ro, "/w/.git");
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK(rules.count("/w/src") == 1);
    CHECK(rules.count("/w/tmp.XXXX") == 0);
}

TEST_CASE("deny under a read root: read on each sibling along the way", "[landlock]") {
    Fixture f;
    f.tree.add("/etc", FakeTree::dir);
    f.tree.add("/home/u/.ssh", FakeTree::dir);
    f.tree.add("/home/u/notes.txt", FakeTree::file);
    f.tree.add("/home/v", FakeTree::dir);
    f.op(OpKind::bind_ro, "/");
    f.op(OpKind::hide_dir, "/home/u/.ssh");
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK(rules.count("/") == 0);  // nothing can be granted on "/" itself
    CHECK(rules.at("/etc") == kR);
    CHECK(rules.at("/home/v") == kR);
    CHECK(rules.at("/home/u/notes.txt") == (kR & ll::kFileOnly));
    CHECK(rules.count("/home") == 0);
    CHECK(rules.count("/home/u") == 0);
    CHECK(rules.count("/home/u/.ssh") == 0);
    CHECK(mentions(c.approximated, "/home/u: cannot be listed"));
    CHECK(mentions(c.approximated, "/home/u/.ssh: denied content is unreadable"));
}

TEST_CASE("pinned symlink and missing protected name withhold entry rights only", "[landlock]") {
    Fixture f;
    f.tree.add("/w/.codex", FakeTree::symlink);
    f.tree.add("/w/.aux/cfg/codex", FakeTree::dir);
    f.tree.add("/w/.aux/other", FakeTree::dir);
    f.tree.add("/w/src", FakeTree::dir);
    f.op(OpKind::bind_rw, "/w");
    f.op(OpKind::bind_ro, "/w/.aux/cfg/codex");
    f.op(OpKind::block_missing, "/w/.agents");
    f.plan.pins.push_back({"/w/.codex", ".aux/cfg/codex", "/w/.aux/cfg/codex", {}});
    const std::uint64_t all = ll::fs_rights_for_abi(7);
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK((rules.at("/w") & ll::kEntry) == 0);
    CHECK((rules.at("/w/.aux") & ll::kEntry) == 0);
    CHECK((rules.at("/w/.aux/cfg") & ll::kEntry) == 0);
    CHECK(rules.at("/w/.aux/other") == all);
    CHECK(rules.at("/w/src") == all);
    CHECK(rules.at("/w/.aux/cfg/codex") == kR);
    CHECK(rules.count("/w/.codex") == 0);
}

TEST_CASE("only a missing protected name: the root keeps read and write-file rights",
          "[landlock]") {
    Fixture f;
    f.tree.add("/w/src", FakeTree::dir);
    f.op(OpKind::bind_rw, "/w");
    f.op(OpKind::block_missing, "/w/.agents");
    const std::uint64_t all = ll::fs_rights_for_abi(7);
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK(rules.at("/w") == (all & ~ll::kEntry));
    CHECK(rules.at("/w/src") == all);
}

TEST_CASE("bind_rw inside a hidden area gets its own rule", "[landlock]") {
    Fixture f;
    f.tree.add("/s/ws/a", FakeTree::dir);
    f.tree.add("/s/secret", FakeTree::file);
    f.op(OpKind::bind_ro, "/");
    f.op(OpKind::hide_dir, "/s");
    f.op(OpKind::bind_rw, "/s/ws");
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK(rules.at("/s/ws") == ll::fs_rights_for_abi(7));
    CHECK(rules.count("/s") == 0);
    CHECK(rules.count("/s/secret") == 0);
    // "/" was walked, but "/s" (a hole) was not listed
    CHECK(std::find(f.tree.listed.begin(), f.tree.listed.end(), "/s") == f.tree.listed.end());
}

TEST_CASE("escalate refuses a hole, weaken drops it", "[landlock]") {
    Fixture f;
    f.tree.add("/w/.git", FakeTree::dir);
    f.tree.add("/w/src", FakeTree::dir);
    f.op(OpKind::bind_rw, "/w");
    f.op(OpKind::bind_ro, "/w/.git");
    f.plan.network = NetworkMode::full;

    auto e = compile_landlock(f.plan, 7, OnUnenforceable::escalate, f.tree);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::unenforceable);
    CHECK(e.error().message.find("sandbox") != std::string::npos);
    CHECK(e.error().message.find("/w/.git") != std::string::npos);

    auto w = f.compile(7, OnUnenforceable::weaken);
    auto rules = f.tree.rules(w.spec);
    CHECK(rules.at("/w") == ll::fs_rights_for_abi(7));
    CHECK(rules.count("/w/src") == 0);
    CHECK(mentions(w.weakened, "/w/.git"));
    CHECK(w.approximated.empty());
}

TEST_CASE("escalate with nothing to approximate at ABI 7 succeeds", "[landlock]") {
    Fixture f;
    f.tree.add("/w/src", FakeTree::dir);
    f.op(OpKind::bind_ro, "/");
    f.op(OpKind::bind_rw, "/w");
    f.plan.network = NetworkMode::none;
    auto c = compile_landlock(f.plan, 7, OnUnenforceable::escalate, f.tree);
    REQUIRE(c.ok());
    CHECK(c->approximated.empty());
    CHECK(c->weakened.empty());
    // ...but the same policy at ABI 5 cannot scope signals or abstract sockets
    auto old = compile_landlock(f.plan, 5, OnUnenforceable::escalate, f.tree);
    REQUIRE_FALSE(old.ok());
    CHECK(old.error().kind == ErrorKind::unenforceable);
    // and at ABI 2, truncate is a gap too
    auto w = compile_landlock(f.plan, 2, OnUnenforceable::weaken, f.tree);
    REQUIRE(w.ok());
    CHECK(mentions(w->weakened, "truncate"));
    CHECK((w->spec.handled_fs & ll::kTruncate) == 0);
    CHECK((w->spec.scoped & ll::kScopeAbstractUnix) == 0);
}

TEST_CASE("tmpfs: approximate hides, escalate refuses, weaken leaves surroundings", "[landlock]") {
    Fixture f;
    f.tree.add("/w/cache/x", FakeTree::file);
    f.tree.add("/w/src", FakeTree::dir);
    f.op(OpKind::bind_rw, "/w");
    MountOp t;
    t.kind = OpKind::tmpfs;
    t.dest = "/w/cache";
    f.plan.ops.push_back(t);
    f.plan.network = NetworkMode::full;

    auto a = f.compile(7);
    auto rules = f.tree.rules(a.spec);
    CHECK(rules.count("/w/cache") == 0);
    CHECK(rules.at("/w/src") == ll::fs_rights_for_abi(7));
    CHECK(mentions(a.approximated, "/w/cache: no fresh tmpfs"));

    CHECK_FALSE(compile_landlock(f.plan, 7, OnUnenforceable::escalate, f.tree).ok());
    auto w = f.compile(7, OnUnenforceable::weaken);
    CHECK(f.tree.rules(w.spec).at("/w") == ll::fs_rights_for_abi(7));
    CHECK(mentions(w.weakened, "/w/cache"));
}

TEST_CASE("built-in devices are writable when /dev is visible", "[landlock]") {
    Fixture f;
    f.tree.add("/dev/null", FakeTree::file);
    f.tree.add("/dev/pts", FakeTree::dir);
    f.op(OpKind::bind_ro, "/");
    auto c = f.compile(7);
    auto rules = f.tree.rules(c.spec);
    CHECK((rules.at("/dev/null") & ll::kWriteFile) != 0);
    CHECK((rules.at("/dev/null") & ll::kTruncate) != 0);
    CHECK((rules.at("/dev/pts") & ll::kReadDir) != 0);
    CHECK(rules.count("/dev/zero") == 0);  // absent from the fake tree

    Fixture hidden;
    hidden.tree.add("/dev/null", FakeTree::file);
    hidden.op(OpKind::bind_ro, "/");
    hidden.op(OpKind::hide_dir, "/dev");
    auto h = hidden.compile(7);
    CHECK(hidden.tree.rules(h.spec).count("/dev/null") == 0);
}
