// Plan decisions for symlinked layouts, without privileges: small trees in a temp dir, a
// Policy built in code, and the MountPlan's ops, pins and decisions checked.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <vector>

#include "../fs/tree.hpp"
#include "plan/make_plan.hpp"

namespace {

using sbx::test::Entry;
using sbx::test::TempTree;

sbx::PathRule rule(const std::string& path, int index, const char* list) {
    sbx::PathRule r;
    r.text = path;
    r.path = path;
    r.relative_name = !path.empty() && path[0] != '/';
    r.origin.key = std::string(list) + "[" + std::to_string(index) + "]";
    return r;
}

// read ["/"], write `writable`, protect `protect` (relative names allowed), deny `deny`.
sbx::Policy policy(const std::vector<std::string>& writable,
                   const std::vector<std::string>& protect,
                   const std::vector<std::string>& deny = {},
                   sbx::SymlinkMode mode = sbx::SymlinkMode::pin) {
    sbx::Policy p;
    p.filesystem.read.push_back(rule("/", 0, "filesystem.read"));
    for (std::size_t i = 0; i < writable.size(); ++i)
        p.filesystem.write.push_back(rule(writable[i], int(i), "filesystem.write"));
    for (std::size_t i = 0; i < protect.size(); ++i)
        p.filesystem.protect.push_back(rule(protect[i], int(i), "filesystem.protect"));
    for (std::size_t i = 0; i < deny.size(); ++i)
        p.filesystem.deny.push_back(rule(deny[i], int(i), "filesystem.deny"));
    p.filesystem.symlinks.value = mode;
    return p;
}

const sbx::MountOp* op_at(const sbx::MountPlan& plan, const std::string& dest) {
    for (const auto& op : plan.ops)
        if (op.dest == dest) return &op;
    return nullptr;
}

bool pinned(const sbx::MountPlan& plan, const std::string& link) {
    return std::any_of(plan.pins.begin(), plan.pins.end(),
                       [&](const sbx::Pin& p) { return p.link == link; });
}

const sbx::ProtectDecision* decision(const sbx::MountPlan& plan, const std::string& path) {
    for (const auto& d : plan.protected_paths)
        if (d.path == path) return &d;
    return nullptr;
}

// Add entries to a tree, creating the directories above each one first.
void fill(const TempTree& t, std::initializer_list<Entry> entries) {
    for (const auto& e : entries) {
        std::string parent;
        for (std::size_t slash = e.path.find('/'); slash != std::string::npos;
             slash = e.path.find('/', slash + 1)) {
            parent = e.path.substr(0, slash);
            struct stat st {};
            if (::lstat((t / parent).c_str(), &st) != 0) t.add({Entry::dir, parent, ""});
        }
        struct stat st {};
        if (e.kind == Entry::dir && ::lstat((t / e.path).c_str(), &st) == 0) continue;
        t.add(e);
    }
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a chain of links in the workspace: every link pinned, the end read-only") {
    TempTree t;
    fill(t, {{Entry::dir, "ws/.c2real", ""},
             {Entry::link, "ws/.codex", ".c1"},
             {Entry::link, "ws/.c1", ".c2"},
             {Entry::link, "ws/.c2", ".c2real"}});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".codex"}));
    REQUIRE(plan.ok());
    CHECK(pinned(*plan, t / "ws/.codex"));
    CHECK(pinned(*plan, t / "ws/.c1"));
    CHECK(pinned(*plan, t / "ws/.c2"));
    const auto* op = op_at(*plan, t / "ws/.c2real");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::bind_ro);
    const auto* d = decision(*plan, t / "ws/.codex");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::pinned);
    REQUIRE(d->chain.size() == 3);
    CHECK(d->chain[0] == t / "ws/.codex -> .c1");
    CHECK(d->chain[2] == t / "ws/.c2 -> .c2real");
    CHECK(contains(d->detail, "writable place"));
}

// The policy is fine, the tree is odd: 122 (ask the user), never 125 "invalid policy".
TEST_CASE("protected symlink loops are a refusal naming the path and the chain") {
    SECTION("a link to itself") {
        TempTree t;
        fill(t, {{Entry::link, "ws/.codex", ".codex"}});
        auto plan = sbx::make_plan(policy({t / "ws"}, {".codex"}));
        REQUIRE_FALSE(plan.ok());
        CHECK(plan.error().kind == sbx::ErrorKind::symlink_refused);
        CHECK(plan.error().path == t / "ws/.codex");
        CHECK(plan.error().symlink == t / "ws/.codex");
        CHECK_FALSE(plan.error().suggestion.empty());
        CHECK(contains(plan.error().render(), t / "ws/.codex -> " + t / "ws/.codex"));
        CHECK(plan.error().origin.key == "filesystem.protect[0]");
    }
    SECTION("a -> b -> a") {
        TempTree t;
        fill(t, {{Entry::link, "ws/a", "b"}, {Entry::link, "ws/b", "a"}});
        auto plan = sbx::make_plan(policy({t / "ws"}, {"a"}));
        REQUIRE_FALSE(plan.ok());
        CHECK(plan.error().kind == sbx::ErrorKind::symlink_refused);
        CHECK(contains(plan.error().render(), t / "ws/a -> " + t / "ws/b -> " + t / "ws/a"));
    }
    SECTION("a loop inside a protected directory is skipped, not an error") {
        TempTree t;
        fill(t, {{Entry::dir, "ws/.codex", ""}, {Entry::link, "ws/.codex/self", "self"}});
        auto plan = sbx::make_plan(policy({t / "ws"}, {".codex"}));
        REQUIRE(plan.ok());
        CHECK(plan->pins.empty());
    }
}

TEST_CASE("a link leading out of the workspace is pinned; one into another root too") {
    TempTree t;
    fill(t, {{Entry::dir, "ws", ""}, {Entry::dir, "outside/dir", ""}, {Entry::dir, "w2/cfg", ""}});
    t.add({Entry::link, "ws/.codex2", t / "outside/dir"});
    t.add({Entry::link, "ws/.claude2", t / "w2/cfg"});
    auto plan = sbx::make_plan(policy({t / "ws", t / "w2"}, {".codex2", ".claude2"}));
    REQUIRE(plan.ok());
    CHECK(pinned(*plan, t / "ws/.codex2"));
    CHECK(pinned(*plan, t / "ws/.claude2"));
    // Inside another writable root the target needs its own read-only bind; outside every
    // writable root "/" already makes it read-only.
    const auto* op = op_at(*plan, t / "w2/cfg");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::bind_ro);
    const auto* d = decision(*plan, t / "ws/.codex2");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::pinned);
}

TEST_CASE("a writable root given through a symlink: the grant goes to the real directory") {
    TempTree t;
    fill(t, {{Entry::dir, "real-ws/.git", ""},
             {Entry::link, "ws-link", "real-ws"},
             {Entry::dir, "realanc/proj/.git", ""},
             {Entry::link, "anc", "realanc"}});
    for (const auto& given : {t / "ws-link", t / "anc/proj"}) {
        auto plan = sbx::make_plan(policy({given}, {".git", ".agents"}));
        REQUIRE(plan.ok());
        std::string real = given == t / "ws-link" ? t / "real-ws" : t / "realanc/proj";
        const auto* root = op_at(*plan, real);
        REQUIRE(root != nullptr);
        CHECK(root->kind == sbx::OpKind::bind_rw);
        CHECK(contains(root->rule.why, "given as " + given));
        CHECK(op_at(*plan, given) == nullptr);
        const auto* git = op_at(*plan, real + "/.git");
        REQUIRE(git != nullptr);
        CHECK(git->kind == sbx::OpKind::bind_ro);
        const auto* agents = op_at(*plan, real + "/.agents");
        REQUIRE(agents != nullptr);
        CHECK(agents->kind == sbx::OpKind::block_missing);
        CHECK(plan->pins.empty());  // the root's own link is not the sandbox's to change
    }
}

TEST_CASE("a worktree .git file is protected as a file; its gitdir grants nothing") {
    TempTree t;
    fill(t, {{Entry::dir, "elsewhere/.git/worktrees/w", ""}, {Entry::dir, "ws", ""}});
    t.add({Entry::file, "ws/.git", "gitdir: " + t / "elsewhere/.git/worktrees/w\n"});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".git"}));
    REQUIRE(plan.ok());
    const auto* op = op_at(*plan, t / "ws/.git");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::bind_ro);
    CHECK_FALSE(op->is_dir);
    for (const auto& o : plan->ops) CHECK_FALSE(contains(o.dest, t / "elsewhere"));
    CHECK(plan->pins.empty());
    const auto* d = decision(*plan, t / "ws/.git");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::read_only);
}

TEST_CASE("a .git symlink (Android repo) is pinned, its target read-only") {
    TempTree t;
    fill(t, {{Entry::dir, "top/.repo/projects/x.git", ""},
             {Entry::link, "top/x/.git", "../.repo/projects/x.git"}});
    SECTION("workspace is the project: the target is outside it") {
        auto plan = sbx::make_plan(policy({t / "top/x"}, {".git"}));
        REQUIRE(plan.ok());
        CHECK(pinned(*plan, t / "top/x/.git"));
        CHECK(decision(*plan, t / "top/x/.git")->decision == sbx::Decision::pinned);
    }
    SECTION("workspace is the checkout's top: the target is inside it") {
        auto plan = sbx::make_plan(policy({t / "top"}, {t / "top/x/.git"}));
        REQUIRE(plan.ok());
        CHECK(pinned(*plan, t / "top/x/.git"));
        const auto* op = op_at(*plan, t / "top/.repo/projects/x.git");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::bind_ro);
        // The directories on the way to the link and to the target cannot be moved away.
        REQUIRE(op_at(*plan, t / "top/x") != nullptr);
        CHECK(op_at(*plan, t / "top/x")->kind == sbx::OpKind::anchor);
        REQUIRE(op_at(*plan, t / "top/.repo/projects") != nullptr);
        CHECK(op_at(*plan, t / "top/.repo/projects")->kind == sbx::OpKind::anchor);
    }
}

TEST_CASE("links inside a real protected directory: targets protected, links pinned, scan noted") {
    TempTree t;
    fill(t, {{Entry::dir, "ws/.codex", ""},
             {Entry::file, "ws/.auxiliary/codex.toml", "m = 1\n"},
             {Entry::dir, "ws/.auxiliary/deep/er", ""},
             {Entry::link, "ws/.codex/config.toml", "../.auxiliary/codex.toml"},
             {Entry::link, "ws/.codex/prompts", "../.auxiliary/deep/er"},
             {Entry::link, "ws/.codex/usr", "/usr"}});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".codex"}));
    REQUIRE(plan.ok());
    REQUIRE(op_at(*plan, t / "ws/.codex") != nullptr);
    CHECK(op_at(*plan, t / "ws/.codex")->kind == sbx::OpKind::bind_ro);
    REQUIRE(op_at(*plan, t / "ws/.auxiliary/codex.toml") != nullptr);
    CHECK(op_at(*plan, t / "ws/.auxiliary/codex.toml")->kind == sbx::OpKind::bind_ro);
    REQUIRE(op_at(*plan, t / "ws/.auxiliary/deep/er") != nullptr);
    CHECK(op_at(*plan, t / "ws/.auxiliary/deep/er")->kind == sbx::OpKind::bind_ro);
    CHECK(op_at(*plan, t / "ws/.auxiliary/deep")->kind == sbx::OpKind::anchor);
    CHECK(pinned(*plan, t / "ws/.codex/config.toml"));
    CHECK(pinned(*plan, t / "ws/.codex/prompts"));
    // A link to a place the sandbox cannot change needs nothing.
    CHECK_FALSE(pinned(*plan, t / "ws/.codex/usr"));
    CHECK(decision(*plan, t / "ws/.codex/usr") == nullptr);
    const auto* d = decision(*plan, t / "ws/.codex/config.toml");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::pinned);
    CHECK(contains(d->detail, "found by the scan of protected " + t / "ws/.codex"));
    CHECK(std::any_of(plan->notes.begin(), plan->notes.end(), [&](const std::string& n) {
        return contains(n, "scanned protected directory '" + t / "ws/.codex") &&
               contains(n, "3 entries, 3 symlinks");
    }));
}

TEST_CASE("a denied link: the target hidden, the link kept as symlinks says") {
    TempTree t;
    fill(t, {{Entry::dir, "ws", ""}, {Entry::file, "secret/key", "k\n"}});
    t.add({Entry::link, "ws/sec", t / "secret"});
    SECTION("pin") {
        auto plan = sbx::make_plan(policy({t / "ws"}, {}, {t / "ws/sec"}));
        REQUIRE(plan.ok());
        const auto* op = op_at(*plan, t / "secret");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::hide_dir);
        CHECK(pinned(*plan, t / "ws/sec"));
    }
    SECTION("follow: watched, with a warning") {
        auto plan =
            sbx::make_plan(policy({t / "ws"}, {}, {t / "ws/sec"}, sbx::SymlinkMode::follow));
        REQUIRE(plan.ok());
        CHECK(plan->pins.empty());
        REQUIRE(plan->watched.size() == 1);
        CHECK(plan->watched[0].link == t / "ws/sec");
        CHECK_FALSE(plan->warnings.empty());
    }
    SECTION("escalate: refused, naming the link") {
        auto plan =
            sbx::make_plan(policy({t / "ws"}, {}, {t / "ws/sec"}, sbx::SymlinkMode::escalate));
        REQUIRE_FALSE(plan.ok());
        CHECK(plan.error().kind == sbx::ErrorKind::symlink_refused);
        CHECK(plan.error().symlink == t / "ws/sec");
        CHECK(plan.error().target == t / "secret");
    }
    SECTION("a denied link outside every writable root needs no pin") {
        TempTree u;
        fill(u, {{Entry::dir, "ro", ""}, {Entry::dir, "ws", ""}, {Entry::dir, "s", ""}});
        u.add({Entry::link, "ro/sec", u / "s"});
        auto plan = sbx::make_plan(policy({u / "ws"}, {}, {u / "ro/sec"}));
        REQUIRE(plan.ok());
        CHECK(plan->pins.empty());
        CHECK(op_at(*plan, u / "s")->kind == sbx::OpKind::hide_dir);
    }
}

TEST_CASE("protected links under escalate and follow") {
    TempTree t;
    fill(t, {{Entry::dir, "ws/.aux/codex", ""}, {Entry::link, "ws/.codex", ".aux/codex"}});
    SECTION("escalate refuses with the path, the link and the target") {
        auto plan = sbx::make_plan(policy({t / "ws"}, {".codex"}, {}, sbx::SymlinkMode::escalate));
        REQUIRE_FALSE(plan.ok());
        CHECK(plan.error().kind == sbx::ErrorKind::symlink_refused);
        CHECK(plan.error().symlink == t / "ws/.codex");
        CHECK(plan.error().target == t / "ws/.aux/codex");
        CHECK(contains(plan.error().message, "sandbox"));
    }
    SECTION("follow protects the target and watches the link") {
        auto plan = sbx::make_plan(policy({t / "ws"}, {".codex"}, {}, sbx::SymlinkMode::follow));
        REQUIRE(plan.ok());
        CHECK(plan->pins.empty());
        REQUIRE(plan->watched.size() == 1);
        CHECK(op_at(*plan, t / "ws/.aux/codex")->kind == sbx::OpKind::bind_ro);
        const auto* d = decision(*plan, t / "ws/.codex");
        REQUIRE(d != nullptr);
        CHECK(d->decision == sbx::Decision::target_protected);
        CHECK(contains(d->detail, "not pinned"));
    }
}

TEST_CASE("missing protected names are blocked in every writable root; dangling targets too") {
    TempTree t;
    fill(t, {{Entry::dir, "a", ""},
             {Entry::dir, "b", ""},
             {Entry::dir, "c", ""},
             {Entry::link, "a/.codex", ".aux/codex"}});
    auto plan = sbx::make_plan(policy({t / "a", t / "b", t / "c"}, {".agents", ".codex"}));
    REQUIRE(plan.ok());
    for (const auto* root : {"a", "b", "c"}) {
        const auto* op = op_at(*plan, t / std::string(root) + "/.agents");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::block_missing);
    }
    // The dangling link: pinned, and the first missing component of its target blocked.
    CHECK(pinned(*plan, t / "a/.codex"));
    const auto* op = op_at(*plan, t / "a/.aux");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::block_missing);
    const auto* d = decision(*plan, t / "a/.codex");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::pinned_target_blocked);
    CHECK(op_at(*plan, t / "b/.codex")->kind == sbx::OpKind::block_missing);
}

TEST_CASE("one op per destination, the highest rank; parents first; repeats of a parent dropped") {
    TempTree t;
    fill(t, {{Entry::dir, "ws/a/deep", ""}, {Entry::dir, "ws/b", ""}, {Entry::dir, "ro/sub", ""}});
    sbx::Policy p = policy({t / "ws"}, {"a", t / "ws/a", t / "ws/b", t / "ws/a/deep"}, {"b"});
    p.filesystem.read.push_back(rule(t / "ro/sub", 1, "filesystem.read"));
    auto plan = sbx::make_plan(p);
    REQUIRE(plan.ok());
    // Protected twice (a name and a path): one op, the first rule's.
    const auto* a = op_at(*plan, t / "ws/a");
    REQUIRE(a != nullptr);
    CHECK(a->kind == sbx::OpKind::bind_ro);
    CHECK(a->rule.text() == "a");
    CHECK(std::count_if(plan->ops.begin(), plan->ops.end(),
                        [&](const sbx::MountOp& op) { return op.dest == t / "ws/a"; }) == 1);
    // Denied and protected: deny ranks higher.
    const auto* b = op_at(*plan, t / "ws/b");
    REQUIRE(b != nullptr);
    CHECK(b->kind == sbx::OpKind::hide_dir);
    // A read-only bind under a read-only parent repeats it: dropped from the ops (the
    // decision for a protected path stays); one under a read-only parent of another kind stays.
    CHECK(op_at(*plan, t / "ro/sub") == nullptr);
    CHECK(op_at(*plan, t / "ws/a/deep") == nullptr);
    CHECK(decision(*plan, t / "ws/a/deep") != nullptr);
    // Application order: by depth, then by path; every descriptor index is valid.
    for (std::size_t i = 1; i < plan->ops.size(); ++i) {
        const auto& x = plan->ops[i - 1];
        const auto& y = plan->ops[i];
        auto depth = [](const std::string& s) { return std::count(s.begin(), s.end(), '/'); };
        const auto dx = x.dest == "/" ? 0 : depth(x.dest);
        const auto dy = y.dest == "/" ? 0 : depth(y.dest);
        INFO(x.dest << " before " << y.dest);
        CHECK((dx < dy || (dx == dy && x.dest < y.dest)));
    }
    for (const auto& op : plan->ops) {
        if (op.fd >= 0) CHECK(static_cast<std::size_t>(op.fd) < plan->fds.size());
    }
}

TEST_CASE("a missing denied path is blocked where the sandbox could create it") {
    TempTree t;
    fill(t, {{Entry::dir, "ws", ""}, {Entry::dir, "home", ""}, {Entry::dir, "ro", ""}});
    SECTION("in a writable root: blocked, with the deny rule and a decision") {
        auto plan = sbx::make_plan(policy({t / "ws"}, {}, {t / "ws/.env", t / "ro/.aws"}));
        REQUIRE(plan.ok());
        const auto* op = op_at(*plan, t / "ws/.env");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::block_missing);
        CHECK(op->rule.list() == "filesystem.deny");
        const auto* d = decision(*plan, t / "ws/.env");
        REQUIRE(d != nullptr);
        CHECK(d->decision == sbx::Decision::blocked);
        // Under a read-only place nothing can create it: no op, no decision.
        CHECK(op_at(*plan, t / "ro/.aws") == nullptr);
        CHECK(decision(*plan, t / "ro/.aws") == nullptr);
    }
    SECTION("a missing parent: the first missing component is blocked") {
        auto plan = sbx::make_plan(policy({t / "ws"}, {}, {t / "ws/.config/gcloud"}));
        REQUIRE(plan.ok());
        const auto* op = op_at(*plan, t / "ws/.config");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::block_missing);
    }
    SECTION("a dangling denied link into the workspace: its target blocked") {
        t.add({Entry::link, "home/.ssh", t / "ws/keys"});
        auto plan = sbx::make_plan(policy({t / "ws"}, {}, {t / "home/.ssh"}));
        REQUIRE(plan.ok());
        const auto* op = op_at(*plan, t / "ws/keys");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::block_missing);
        CHECK(contains(op->rule.why, "dangling"));
        CHECK(plan->pins.empty());  // the link itself lives in a read-only place
    }
    SECTION("missing_protected = ignore leaves it creatable") {
        auto p = policy({t / "ws"}, {}, {t / "ws/.env"});
        p.filesystem.missing_protected.value = sbx::MissingProtected::ignore;
        auto plan = sbx::make_plan(p);
        REQUIRE(plan.ok());
        CHECK(op_at(*plan, t / "ws/.env") == nullptr);
    }
}

TEST_CASE("a .git file: its gitdir and commondir are protected like .git") {
    TempTree t;
    fill(t, {{Entry::dir, "ws/.auxiliary/main/.git/worktrees/wt/x", ""},
             {Entry::file, "ws/.auxiliary/main/.git/worktrees/wt/commondir", "../..\n"},
             {Entry::file, "ws/.git", "gitdir: .auxiliary/main/.git/worktrees/wt\r\n"}});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".git"}));
    REQUIRE(plan.ok());
    const auto* file = op_at(*plan, t / "ws/.git");
    REQUIRE(file != nullptr);
    CHECK(file->kind == sbx::OpKind::bind_ro);
    const auto* common = op_at(*plan, t / "ws/.auxiliary/main/.git");
    REQUIRE(common != nullptr);
    CHECK(common->kind == sbx::OpKind::bind_ro);
    CHECK(contains(common->rule.why, "commondir of gitdir"));
    CHECK(common->rule.origin().key == "filesystem.protect[0]");
    // The worktree's gitdir lies inside the common dir: covered by its read-only bind.
    const auto* d = decision(*plan, t / "ws/.auxiliary/main/.git/worktrees/wt");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::read_only);
    CHECK(contains(d->detail, "gitdir of " + t / "ws/.git"));
    // The directories on the way cannot be renamed to build a fake gitdir in their place.
    const auto* anchor = op_at(*plan, t / "ws/.auxiliary/main");
    REQUIRE(anchor != nullptr);
    CHECK(anchor->kind == sbx::OpKind::anchor);
}

TEST_CASE("a .git file whose gitdir is outside every writable root adds nothing") {
    TempTree t;
    fill(t, {{Entry::dir, "ro/gitdir", ""}, {Entry::dir, "ws", ""}});
    t.add({Entry::file, "ws/.git", "gitdir: " + t / "ro/gitdir" + "\n"});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".git"}));
    REQUIRE(plan.ok());
    CHECK(op_at(*plan, t / "ro/gitdir") == nullptr);
    const auto* d = decision(*plan, t / "ro/gitdir");
    REQUIRE(d != nullptr);
    CHECK(contains(d->detail, "already read-only, nothing to add"));
}

TEST_CASE("a .git file: a missing gitdir in the workspace cannot be created") {
    TempTree t;
    fill(t, {{Entry::file, "ws/.git", "gitdir: .auxiliary/gitdir\n"}});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".git"}));
    REQUIRE(plan.ok());
    const auto* op = op_at(*plan, t / "ws/.auxiliary");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::block_missing);
}

TEST_CASE("a .git file: a gitdir reached through a workspace link is pinned or refused") {
    TempTree t;
    fill(t, {{Entry::dir, "ws/real", ""},
             {Entry::link, "ws/gd", "real"},
             {Entry::file, "ws/.git", "gitdir: gd\n"}});
    auto pin = sbx::make_plan(policy({t / "ws"}, {".git"}));
    REQUIRE(pin.ok());
    CHECK(pinned(*pin, t / "ws/gd"));
    REQUIRE(op_at(*pin, t / "ws/real") != nullptr);
    CHECK(op_at(*pin, t / "ws/real")->kind == sbx::OpKind::bind_ro);
    auto esc = sbx::make_plan(policy({t / "ws"}, {".git"}, {}, sbx::SymlinkMode::escalate));
    REQUIRE_FALSE(esc.ok());
    CHECK(esc.error().kind == sbx::ErrorKind::symlink_refused);
}

TEST_CASE("a .git file git would not read is refused when it cannot be parsed like git") {
    TempTree t;
    fill(t, {{Entry::file, "ws/.git", "gitdir: a/../b\n"}});
    auto plan = sbx::make_plan(policy({t / "ws"}, {".git"}));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().kind == sbx::ErrorKind::unenforceable);
    CHECK(plan.error().path == t / "ws/.git");
}

// filesystem.caches: the private root is writable, and the relative names do not apply in it
// (no host program reads it); absolute protected paths inside it still do.
TEST_CASE("a private root is writable without the relative protected names inside it") {
    TempTree t;
    fill(t,
         {{Entry::dir, "ws", ""}, {Entry::dir, "cache/pip", ""}, {Entry::file, "cache/keep", "x"}});
    sbx::PlanOptions o;
    o.private_roots.push_back(rule(t / "cache", 0, "filesystem.caches"));
    auto plan = sbx::make_plan(policy({t / "ws"}, {".git", t / "cache/keep"}), o);
    REQUIRE(plan.ok());
    const auto* root = op_at(*plan, t / "cache");
    REQUIRE(root != nullptr);
    CHECK(root->kind == sbx::OpKind::bind_rw);
    CHECK(root->rule.list() == "filesystem.caches");
    CHECK(decision(*plan, t / "ws/.git") != nullptr);
    CHECK(decision(*plan, t / "cache/.git") == nullptr);
    const auto* keep = op_at(*plan, t / "cache/keep");
    REQUIRE(keep != nullptr);
    CHECK(keep->kind == sbx::OpKind::bind_ro);
}
