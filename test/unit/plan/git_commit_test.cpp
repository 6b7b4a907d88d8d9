// filesystem.git = "commit" in the plan: the git directory writable, what makes git run code
// read-only (or blocked when missing), for a plain repository, a worktree and a .git file that
// names something git would not take for a git directory.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../fs/tree.hpp"
#include "plan/make_plan.hpp"

namespace {

using sbx::test::Entry;
using sbx::test::TempTree;

sbx::PathRule rule(const std::string& path, const char* key) {
    sbx::PathRule r;
    r.text = path;
    r.path = path;
    r.relative_name = !path.empty() && path[0] != '/';
    r.origin.key = key;
    return r;
}

sbx::Policy policy(const std::string& ws, sbx::GitMode git) {
    sbx::Policy p;
    p.filesystem.read.push_back(rule("/", "filesystem.read[0]"));
    p.filesystem.write.push_back(rule(ws, "filesystem.write[0]"));
    p.filesystem.protect.push_back(rule(".git", "filesystem.protect[0]"));
    p.filesystem.git = {git, {"p.toml", 7, "filesystem.git"}};
    return p;
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

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

void make_dirs(const TempTree& t, const std::string& rel) {
    std::string sofar;
    for (std::size_t i = 0; i <= rel.size(); ++i) {
        if (i == rel.size() || rel[i] == '/') {
            sofar = rel.substr(0, i);
            struct stat st {};
            if (::lstat((t / sofar).c_str(), &st) != 0) t.add({Entry::dir, sofar, ""});
        }
    }
}

// A git directory as `git init` leaves it (the parts the plan looks at).
void git_dir(const TempTree& t, const std::string& rel) {
    make_dirs(t, rel + "/objects");
    make_dirs(t, rel + "/refs/heads");
    make_dirs(t, rel + "/hooks");
    make_dirs(t, rel + "/info");
    t.add({Entry::file, rel + "/HEAD", "ref: refs/heads/main\n"});
    t.add({Entry::file, rel + "/config", "[core]\n"});
}

}  // namespace

TEST_CASE("filesystem.git = protect: .git stays one read-only mount", "[plan][git]") {
    TempTree t;
    git_dir(t, "ws/.git");
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::protect));
    REQUIRE(plan.ok());
    const auto* git = op_at(*plan, t / "ws/.git");
    REQUIRE(git != nullptr);
    CHECK(git->kind == sbx::OpKind::bind_ro);
    CHECK(op_at(*plan, t / "ws/.git/config") == nullptr);
    CHECK(plan->git_dirs.empty());
    CHECK(plan->git_worktrees.empty());
}

TEST_CASE("filesystem.git = commit: .git writable, what runs code read-only or blocked",
          "[plan][git]") {
    TempTree t;
    git_dir(t, "ws/.git");
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::commit));
    REQUIRE(plan.ok());
    const auto* git = op_at(*plan, t / "ws/.git");
    REQUIRE(git != nullptr);
    CHECK(git->kind == sbx::OpKind::bind_rw);
    CHECK(git->rule.list() == "filesystem.git");
    CHECK(git->rule.origin().file == "p.toml");
    CHECK(git->rule.origin().key == "filesystem.git");
    for (const char* ro : {"config", "hooks", "info"}) {
        INFO(ro);
        const auto* op = op_at(*plan, t / "ws/.git/" + ro);
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::bind_ro);
        CHECK(op->rule.list() == "filesystem.git");
    }
    for (const char* missing : {"config.worktree", "commondir", "gitdir", "modules"}) {
        INFO(missing);
        const auto* op = op_at(*plan, t / "ws/.git/" + missing);
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::block_missing);
        // Only commondir is left to the check after the run under bwrap.
        CHECK(op->after_run_under_bwrap == (std::string(missing) == "commondir"));
    }
    const auto* d = decision(*plan, t / "ws/.git");
    REQUIRE(d != nullptr);
    CHECK(d->decision == sbx::Decision::git_commit);
    CHECK(has(plan->git_dirs, t / "ws/.git"));
    CHECK(has(plan->git_worktrees, t / "ws"));
}

TEST_CASE("filesystem.git = commit: existing modules/ is read-only", "[plan][git]") {
    TempTree t;
    git_dir(t, "ws/.git");
    git_dir(t, "ws/.git/modules/sub");  // not in the index: stays read-only with modules/
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::commit));
    REQUIRE(plan.ok());
    const auto* modules = op_at(*plan, t / "ws/.git/modules");
    REQUIRE(modules != nullptr);
    CHECK(modules->kind == sbx::OpKind::bind_ro);
    CHECK(op_at(*plan, t / "ws/.git/modules/sub") == nullptr);
}

TEST_CASE("filesystem.git = commit: a worktree's gitdir and commondir become writable",
          "[plan][git]") {
    TempTree t;
    git_dir(t, "main/.git");
    make_dirs(t, "main/.git/worktrees/wt");
    t.add({Entry::file, "main/.git/worktrees/wt/HEAD", "ref: refs/heads/wt\n"});
    t.add({Entry::file, "main/.git/worktrees/wt/commondir", "../..\n"});
    t.add({Entry::file, "main/.git/worktrees/wt/gitdir", t / "ws/.git" + "\n"});
    make_dirs(t, "main/.git/worktrees/other");
    t.add({Entry::file, "main/.git/worktrees/other/commondir", "../..\n"});
    make_dirs(t, "ws");
    t.add({Entry::file, "ws/.git", "gitdir: " + t / "main/.git/worktrees/wt" + "\n"});
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::commit));
    REQUIRE(plan.ok());
    const auto* file = op_at(*plan, t / "ws/.git");
    REQUIRE(file != nullptr);
    CHECK(file->kind == sbx::OpKind::bind_ro);  // the pointer file stays read-only
    for (const char* rw : {"main/.git", "main/.git/worktrees/wt"}) {
        INFO(rw);
        const auto* op = op_at(*plan, t / rw);
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::bind_rw);
        CHECK(op->rule.list() == "filesystem.git");
    }
    for (const char* ro :
         {"main/.git/config", "main/.git/hooks", "main/.git/worktrees/wt/commondir",
          "main/.git/worktrees/wt/gitdir", "main/.git/worktrees/other/commondir"}) {
        INFO(ro);
        const auto* op = op_at(*plan, t / ro);
        REQUIRE(op != nullptr);
        CHECK(op->kind == sbx::OpKind::bind_ro);
    }
    // Outside the workspace, a missing name inside the granted directory is blocked too.
    const auto* wt_cfg = op_at(*plan, t / "main/.git/worktrees/wt/config.worktree");
    REQUIRE(wt_cfg != nullptr);
    CHECK(wt_cfg->kind == sbx::OpKind::block_missing);
    CHECK(has(plan->git_dirs, t / "main/.git"));
    CHECK(has(plan->git_worktrees, t / "ws"));
}

TEST_CASE("filesystem.git = commit: a .git file naming no git directory opens nothing",
          "[plan][git]") {
    TempTree t;
    make_dirs(t, "ro/notgit/objects");
    make_dirs(t, "ws");
    t.add({Entry::file, "ws/.git", "gitdir: " + t / "ro/notgit" + "\n"});
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::commit));
    REQUIRE(plan.ok());
    CHECK(op_at(*plan, t / "ro/notgit") == nullptr);  // read-only as before: not granted
    CHECK(plan->git_dirs.empty());
}

TEST_CASE("filesystem.git = commit: a gitdir reached through a workspace link stays read-only",
          "[plan][git]") {
    TempTree t;
    git_dir(t, "ws/real");
    t.add({Entry::link, "ws/gd", "real"});
    t.add({Entry::file, "ws/.git", "gitdir: gd\n"});
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::commit));
    REQUIRE(plan.ok());
    const auto* op = op_at(*plan, t / "ws/real");
    REQUIRE(op != nullptr);
    CHECK(op->kind == sbx::OpKind::bind_ro);
    CHECK(plan->git_dirs.empty());
}

TEST_CASE("filesystem.git = commit: a hook linked into the workspace has its target protected",
          "[plan][git]") {
    TempTree t;
    git_dir(t, "ws/.git");
    make_dirs(t, "ws/scripts");
    t.add({Entry::file, "ws/scripts/pre-commit", "#!/bin/sh\n"});
    t.add({Entry::link, "ws/.git/hooks/pre-commit", "../../scripts/pre-commit"});
    auto plan = sbx::make_plan(policy(t / "ws", sbx::GitMode::commit));
    REQUIRE(plan.ok());
    const auto* target = op_at(*plan, t / "ws/scripts/pre-commit");
    REQUIRE(target != nullptr);
    CHECK(target->kind == sbx::OpKind::bind_ro);
}
