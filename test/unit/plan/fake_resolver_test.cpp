// Plan decisions through the resolve seam (PlanOptions::resolver): a tree that exists only in
// the test, for what a real tree cannot show on demand (a root swapped between two lookups, a
// directory sbxrun may not search) or where the tree is not the point (which decision a
// missing path gets). plan_test.cpp checks the same code against real trees.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plan/make_plan.hpp"

namespace {

// Paths resolve to what the test said; anything else does not exist (below an existing "/").
// No descriptors: the results carry fd -1, so these tests never reach code that reads one.
class FakeTree {
public:
    FakeTree& dir(const std::string& path) {
        return add(path, [path] { return existing(path, S_IFDIR | 0755, {}); });
    }
    FakeTree& file(const std::string& path) {
        return add(path, [path] { return existing(path, S_IFREG | 0644, {}); });
    }
    // `path` leads through `chain` to `real`, which exists as a directory.
    FakeTree& link_to_dir(const std::string& path, const std::string& real,
                          std::vector<sbx::SymlinkHop> chain) {
        return add(path, [real, chain] { return existing(real, S_IFDIR | 0755, chain); });
    }
    // `path` leads through `chain` to `real`, whose trailing `tail` does not exist.
    FakeTree& missing(const std::string& path, const std::string& real, const std::string& tail,
                      std::vector<sbx::SymlinkHop> chain = {}) {
        return add(path, [path, real, tail, chain] {
            sbx::Resolved r;
            r.requested = path;
            r.real = real;
            r.missing_tail = tail;
            r.dangling = !chain.empty();
            r.chain = chain;
            r.st.st_mode = S_IFDIR | 0755;  // the deepest existing directory
            return sbx::Result<sbx::Resolved>(std::move(r));
        });
    }
    FakeTree& fail(const std::string& path, sbx::Error e) {
        return add(path, [e] { return sbx::Result<sbx::Resolved>(e); });
    }

    sbx::PathResolver resolver() {
        auto entries = entries_;
        auto asked = asked_;
        return [entries, asked](const std::string& path, const sbx::ResolveOptions&) {
            asked->push_back(path);
            auto it = entries->find(path);
            if (it != entries->end()) return it->second();
            sbx::Resolved r;
            r.requested = path;
            r.real = path;
            r.missing_tail = path.substr(path.rfind('/') + 1);
            r.st.st_mode = S_IFDIR | 0755;
            return sbx::Result<sbx::Resolved>(std::move(r));
        };
    }
    const std::vector<std::string>& asked() const { return *asked_; }

private:
    using Make = std::function<sbx::Result<sbx::Resolved>()>;
    static sbx::Result<sbx::Resolved> existing(const std::string& real, mode_t mode,
                                               std::vector<sbx::SymlinkHop> chain) {
        sbx::Resolved r;
        r.requested = real;
        r.real = real;
        r.exists = true;
        r.chain = std::move(chain);
        r.st.st_mode = mode;
        r.st.st_size = 1;  // never taken for another run's (empty) placeholder
        r.st.st_ino = std::hash<std::string>{}(real);
        return r;
    }
    FakeTree& add(const std::string& path, Make make) {
        (*entries_)[path] = std::move(make);
        return *this;
    }
    std::shared_ptr<std::map<std::string, Make>> entries_ =
        std::make_shared<std::map<std::string, Make>>();
    std::shared_ptr<std::vector<std::string>> asked_ = std::make_shared<std::vector<std::string>>();
};

sbx::SymlinkHop hop(const std::string& link, const std::string& text) {
    return sbx::SymlinkHop{link, text, link.substr(0, link.rfind('/')), 0, 0};
}

sbx::PathRule rule(const std::string& path, const std::string& key) {
    sbx::PathRule r;
    r.text = path;
    r.path = path;
    r.relative_name = path[0] != '/';
    r.origin.key = key;
    return r;
}

// read "/", write "/ws", protect `protect`.
sbx::Policy policy(const std::vector<std::string>& protect,
                   sbx::SymlinkMode mode = sbx::SymlinkMode::pin) {
    sbx::Policy p;
    p.filesystem.read.push_back(rule("/", "filesystem.read[0]"));
    p.filesystem.write.push_back(rule("/ws", "filesystem.write[0]"));
    for (std::size_t i = 0; i < protect.size(); ++i)
        p.filesystem.protect.push_back(
            rule(protect[i], "filesystem.protect[" + std::to_string(i) + "]"));
    p.filesystem.symlinks.value = mode;
    return p;
}

sbx::PlanOptions options(FakeTree& tree) {
    sbx::PlanOptions o;
    o.resolver = tree.resolver();
    return o;
}

const sbx::MountOp* op_at(const sbx::MountPlan& plan, const std::string& dest) {
    for (const auto& op : plan.ops)
        if (op.dest == dest) return &op;
    return nullptr;
}

const sbx::ProtectDecision* decision(const sbx::MountPlan& plan, const std::string& path) {
    for (const auto& d : plan.protected_paths)
        if (d.path == path) return &d;
    return nullptr;
}

}  // namespace

TEST_CASE("fake tree: a writable root swapped for a symlink after it was resolved") {
    // /ws was checked as a directory; by the time .codex is looked up below it, /ws is a link
    // to /elsewhere. Resolving the name there would protect /elsewhere/.codex and leave the
    // real root's entry writable: the plan refuses (EAGAIN) instead.
    FakeTree tree;
    tree.dir("/").dir("/ws").link_to_dir("/ws/.codex", "/elsewhere/.codex",
                                         {hop("/ws", "/elsewhere")});
    auto plan = sbx::make_plan(policy({".codex"}), options(tree));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().kind == sbx::ErrorKind::os);
    CHECK(plan.error().sys_errno == EAGAIN);
    CHECK(plan.error().path == "/ws/.codex");
    CHECK(plan.error().origin.key == "filesystem.protect[0]");
}

TEST_CASE("fake tree: a protected path sbxrun may not search is the policy's error") {
    FakeTree tree;
    tree.dir("/").dir("/ws").fail("/srv/locked/x",
                                  sbx::Error(sbx::ErrorKind::os, "Permission denied")
                                      .with_errno(EACCES)
                                      .with_path("/srv/locked"));
    auto plan = sbx::make_plan(policy({"/srv/locked/x"}), options(tree));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().kind == sbx::ErrorKind::bad_path);
    CHECK(plan.error().message == "cannot resolve '/srv/locked/x': /srv/locked: Permission denied");
    CHECK(plan.error().origin.key == "filesystem.protect[0]");
}

TEST_CASE("fake tree: a missing protected name in a writable root") {
    FakeTree tree;
    tree.dir("/").dir("/ws").missing("/ws/.agents", "/ws/.agents", ".agents");

    SECTION("blocked") {
        auto plan = sbx::make_plan(policy({".agents"}), options(tree));
        REQUIRE(plan.ok());
        const auto* d = decision(*plan, "/ws/.agents");
        REQUIRE(d != nullptr);
        CHECK(d->decision == sbx::Decision::blocked);
        CHECK(std::string(sbx::to_string(d->decision)) == "blocked");
        CHECK(d->detail == "/ws/.agents cannot be created");
        const auto* op = op_at(*plan, "/ws/.agents");
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::block_missing);
    }
    SECTION("missing_protected = \"ignore\": it may be created") {
        sbx::Policy p = policy({".agents"});
        p.filesystem.missing_protected.value = sbx::MissingProtected::ignore;
        auto plan = sbx::make_plan(p, options(tree));
        REQUIRE(plan.ok());
        const auto* d = decision(*plan, "/ws/.agents");
        REQUIRE(d != nullptr);
        CHECK(d->decision == sbx::Decision::missing_ignored);
        CHECK(std::string(sbx::to_string(d->decision)) == "missing (ignored)");
        CHECK(op_at(*plan, "/ws/.agents") == nullptr);
    }
}

TEST_CASE("fake tree: a writable link to a missing target") {
    // /ws/.codex -> sub/codex, and /ws/sub exists but sub/codex does not.
    FakeTree tree;
    tree.dir("/").dir("/ws").dir("/ws/sub").missing("/ws/.codex", "/ws/sub/codex", "codex",
                                                    {hop("/ws/.codex", "sub/codex")});

    SECTION("pinned, and the target blocked with the directory above it anchored") {
        auto plan = sbx::make_plan(policy({".codex"}), options(tree));
        REQUIRE(plan.ok());
        const auto* d = decision(*plan, "/ws/.codex");
        REQUIRE(d != nullptr);
        CHECK(d->decision == sbx::Decision::pinned_target_blocked);
        CHECK(std::string(sbx::to_string(d->decision)) == "pinned, target blocked");
        REQUIRE(plan->pins.size() == 1);
        CHECK(plan->pins[0].link == "/ws/.codex");
        const auto* blocked = op_at(*plan, "/ws/sub/codex");
        REQUIRE(blocked != nullptr);
        CHECK(blocked->kind == sbx::OpKind::block_missing);
        const auto* anchor = op_at(*plan, "/ws/sub");
        REQUIRE(anchor != nullptr);
        CHECK(anchor->kind == sbx::OpKind::anchor);
    }
    SECTION("symlinks = \"follow\": watched, not pinned") {
        auto plan = sbx::make_plan(policy({".codex"}, sbx::SymlinkMode::follow), options(tree));
        REQUIRE(plan.ok());
        const auto* d = decision(*plan, "/ws/.codex");
        REQUIRE(d != nullptr);
        CHECK(d->decision == sbx::Decision::target_protected_target_blocked);
        CHECK(plan->pins.empty());
        REQUIRE(plan->watched.size() == 1);
        CHECK(plan->watched[0].link == "/ws/.codex");
    }
    SECTION("symlinks = \"escalate\": refused, naming the link") {
        auto plan = sbx::make_plan(policy({".codex"}, sbx::SymlinkMode::escalate), options(tree));
        REQUIRE_FALSE(plan.ok());
        CHECK(plan.error().kind == sbx::ErrorKind::symlink_refused);
        CHECK(plan.error().symlink == "/ws/.codex");
    }
}

TEST_CASE("fake tree: extra protections are applied after the policy's own") {
    FakeTree tree;
    tree.dir("/")
        .dir("/ws")
        .file("/ws/.sbxrun.toml")
        .missing("/ws/.agents", "/ws/.agents", ".agents");
    sbx::PlanOptions o = options(tree);
    sbx::PathRule extra = rule("/ws/.sbxrun.toml", "");
    extra.origin.key = "sbxrun: the workspace policy file";
    o.extra_protect.push_back(extra);
    const sbx::Policy p = policy({".agents"});
    auto plan = sbx::make_plan(p, o);
    REQUIRE(plan.ok());
    CHECK(p.filesystem.protect.size() == 1);
    REQUIRE(plan->protected_paths.size() == 2);
    CHECK(plan->protected_paths[0].path == "/ws/.agents");
    CHECK(plan->protected_paths[1].path == "/ws/.sbxrun.toml");
    CHECK(plan->protected_paths[1].decision == sbx::Decision::read_only);
    CHECK(plan->protected_paths[1].rule.list() == "filesystem.protect");
    const auto* op = op_at(*plan, "/ws/.sbxrun.toml");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::bind_ro);
    // Every lookup went through the seam.
    CHECK(std::find(tree.asked().begin(), tree.asked().end(), "/ws/.sbxrun.toml") !=
          tree.asked().end());
}

TEST_CASE("fake tree: a missing @agent-config name is blocked where host programs look for it") {
    // Two writable roots: /ws (the workspace, a project dir) and /tmp (not one). .claude is
    // read only at a project's top, .git in every parent directory.
    FakeTree tree;
    tree.dir("/").dir("/ws").dir("/tmp");
    sbx::Policy p = policy({".claude", ".git"});
    p.filesystem.write.push_back(rule("/tmp", "filesystem.write[1]"));
    p.filesystem.protect[0].missing = sbx::MissingScope::project;
    sbx::PlanOptions o = options(tree);
    o.workspace_dir = "/ws";
    o.home_dir = "/home/nobody";  // a home that does not exist is no root
    auto plan = sbx::make_plan(p, o);
    REQUIRE(plan.ok());

    const auto* ws = decision(*plan, "/ws/.claude");
    REQUIRE(ws != nullptr);
    CHECK(ws->decision == sbx::Decision::blocked);
    CHECK(op_at(*plan, "/ws/.claude") != nullptr);

    const auto* tmp = decision(*plan, "/tmp/.claude");
    REQUIRE(tmp != nullptr);
    CHECK(tmp->decision == sbx::Decision::missing_unread);
    CHECK(std::string(sbx::to_string(tmp->decision)) == "missing (not read here)");
    CHECK(op_at(*plan, "/tmp/.claude") == nullptr);

    const auto* git = decision(*plan, "/tmp/.git");
    REQUIRE(git != nullptr);
    CHECK(git->decision == sbx::Decision::blocked);
    CHECK(op_at(*plan, "/tmp/.git") != nullptr);
}

TEST_CASE("fake tree: a missing name read from $HOME only is blocked only there") {
    FakeTree tree;
    tree.dir("/").dir("/ws").dir("/home/u");
    sbx::Policy p = policy({".bashrc"});
    p.filesystem.write.push_back(rule("/home/u", "filesystem.write[1]"));
    p.filesystem.protect[0].missing = sbx::MissingScope::home;
    sbx::PlanOptions o = options(tree);
    o.workspace_dir = "/ws";
    o.home_dir = "/home/u";
    auto plan = sbx::make_plan(p, o);
    REQUIRE(plan.ok());
    const auto* ws = decision(*plan, "/ws/.bashrc");
    REQUIRE(ws != nullptr);
    CHECK(ws->decision == sbx::Decision::missing_unread);
    CHECK(op_at(*plan, "/ws/.bashrc") == nullptr);
    const auto* home = decision(*plan, "/home/u/.bashrc");
    REQUIRE(home != nullptr);
    CHECK(home->decision == sbx::Decision::blocked);
    CHECK(op_at(*plan, "/home/u/.bashrc") != nullptr);
}
