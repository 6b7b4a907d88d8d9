// The file system denial report (run/fs_denials.hpp): the plan's cause for each refusal, the
// line on stderr, and the policy layer suggested to the harness.
#include "run/fs_denials.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

using sbx::FsOp;
using sbx::Outcome;

namespace {

namespace fs = std::filesystem;

// A home directory with ~/.cache/tool, ~/.config and ~/project; removed at the end.
struct Home {
    std::string path;
    Home() {
        char tmpl[] = "/tmp/sbxrun-fsdenials.XXXXXX";
        path = ::mkdtemp(tmpl);
        fs::create_directories(path + "/.cache/tool/sub");
        fs::create_directories(path + "/.config");
        fs::create_directories(path + "/project/build");
        fs::create_directories(path + "/.local/share/app");
    }
    ~Home() { fs::remove_all(path); }
};

sbx::MountPlan plan_for(const std::string& home) {
    sbx::MountPlan p;
    sbx::MountOp ro;
    ro.kind = sbx::OpKind::bind_ro;
    ro.dest = "/";
    ro.rule.list = "filesystem.read";
    p.ops.push_back(ro);
    sbx::MountOp rw;
    rw.kind = sbx::OpKind::bind_rw;
    rw.dest = home + "/project";
    rw.rule.list = "filesystem.write";
    p.ops.push_back(rw);
    sbx::MountOp git;
    git.kind = sbx::OpKind::bind_ro;
    git.dest = home + "/project/.git";
    git.rule.list = "filesystem.protect";
    git.rule.text = ".git";
    p.ops.push_back(git);
    return p;
}

Outcome outcome_of(const sbx::MountPlan& plan, std::vector<sbx::FsRefusal> refusals,
                   std::uint64_t dropped = 0) {
    sbx::SandboxExit e;
    e.kind = sbx::SandboxExit::Kind::exited;
    e.status = 1;
    e.refusals = std::move(refusals);
    e.refusals_dropped = dropped;
    Outcome o;
    sbx::add_fs_denials(o, e, plan);
    return o;
}

sbx::PathRule rule(const std::string& path) {
    sbx::PathRule r;
    r.text = path;
    r.path = path;
    return r;
}

}  // namespace

TEST_CASE("fs denials: each refusal gets the plan's cause", "[fs_denials]") {
    Home h;
    const auto plan = plan_for(h.path);
    Outcome o = outcome_of(plan, {{FsOp::create, h.path + "/.cache/tool/x", 3},
                                  {FsOp::write, h.path + "/project/.git/config", 1}});
    REQUIRE(o.fs_denials.size() == 2);
    CHECK(o.fs_denials[0].op == "create");
    CHECK(o.fs_denials[0].count == 3);
    CHECK(o.fs_denials[0].why == "outside every writable root");
    CHECK(o.fs_denials[0].rule.empty());
    CHECK(o.fs_denials[1].why == "protected");
    CHECK(o.fs_denials[1].rule == "filesystem.protect \".git\" (built-in default)");
}

TEST_CASE("fs denials: one line on stderr names the place", "[fs_denials]") {
    Home h;
    const auto plan = plan_for(h.path);
    CHECK(sbx::fs_denial_summary(outcome_of(plan, {}), h.path, true).empty());
    CHECK(sbx::fs_denial_summary(outcome_of(plan, {{FsOp::create, h.path + "/.cache/tool/x", 1}}),
                                 h.path, true) ==
          "refused a write to ~/.cache/tool/x (outside every writable root); the status "
          "document lists each");
    const Outcome many = outcome_of(plan,
                                    {{FsOp::create, h.path + "/.cache/tool/a", 5},
                                     {FsOp::create, h.path + "/.cache/tool/b", 4},
                                     {FsOp::create, "/opt/x", 1},
                                     {FsOp::remove, h.path + "/project/.git/HEAD", 2}},
                                    7);
    CHECK(sbx::fs_denial_summary(many, h.path, false) ==
          "refused 19 writes: 10 outside every writable root, most under ~/.cache/tool, 2 to "
          "protected paths (.git); --status-file lists each");
}

TEST_CASE("fs denials: the suggested layer keeps the roots and adds the tools' directories",
          "[fs_denials]") {
    Home h;
    const auto plan = plan_for(h.path);
    const std::vector<sbx::PathRule> roots = {rule(h.path + "/project"), rule("/tmp/a$b")};
    const Outcome o =
        outcome_of(plan, {{FsOp::create, h.path + "/.cache/tool/sub/deep/x", 1},
                          {FsOp::create, h.path + "/.cache/tool/y", 1},
                          {FsOp::create, h.path + "/.local/share/app/db", 1},
                          {FsOp::create, h.path + "/.bashrc", 1},           // in $HOME itself
                          {FsOp::create, h.path + "/.cache/missing/x", 1},  // -> ~/.cache
                          {FsOp::create, "/usr/lib/x", 1},                  // a system dir
                          {FsOp::write, h.path + "/project/.git/config", 1}});
    CHECK(sbx::fs_suggestion_policy(o, h.path, roots, {}) ==
          "version = 1\n[filesystem]\nwrite = [\"" + h.path +
              "/project\", \"/tmp/a$$b\", \"~/.cache\", \"~/.local/share/app\"]\n");
    // A tool's own cache stays protected in any writable root: no suggestion for it.
    const Outcome tool = outcome_of(plan, {{FsOp::create, h.path + "/.cache/tool/x", 1}});
    CHECK(sbx::fs_suggestion_policy(tool, h.path, roots, {rule(h.path + "/.cache/tool")}).empty());
    CHECK(sbx::fs_suggestion_policy(tool, h.path, roots, {}) ==
          "version = 1\n[filesystem]\nwrite = [\"" + h.path +
              "/project\", \"/tmp/a$$b\", \"~/.cache/tool\"]\n");
    // Nothing outside: nothing to suggest.
    const Outcome prot = outcome_of(plan, {{FsOp::write, h.path + "/project/.git/config", 1}});
    CHECK(sbx::fs_suggestion_policy(prot, h.path, roots, {}).empty());
}
