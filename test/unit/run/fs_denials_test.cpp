// The file system denial report (run/fs_denials.hpp): the plan's cause for each refusal, the
// line on stderr, and the policy layer suggested to the harness.
#include "run/fs_denials.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "net/host_pattern.hpp"
#include "run/suggestion.hpp"

using sbx::Outcome;
using sbx::RefusedOp;

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
    ro.rule = sbx::RuleRef("filesystem.read", {}, {});
    p.ops.push_back(ro);
    sbx::MountOp rw;
    rw.kind = sbx::OpKind::bind_rw;
    rw.dest = home + "/project";
    rw.rule = sbx::RuleRef("filesystem.write", {}, {});
    p.ops.push_back(rw);
    sbx::MountOp git;
    git.kind = sbx::OpKind::bind_ro;
    git.dest = home + "/project/.git";
    git.rule = sbx::RuleRef("filesystem.protect", ".git", {});
    p.ops.push_back(git);
    return p;
}

Outcome outcome_of(const sbx::MountPlan& plan, std::vector<sbx::Refusal> refusals,
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

// A filesystem.deny of the directory `dest`, written as `text`.
sbx::MountOp denied_dir(const std::string& dest, const std::string& text) {
    sbx::MountOp op;
    op.kind = sbx::OpKind::hide_dir;
    op.dest = dest;
    op.rule = sbx::RuleRef("filesystem.deny", text, {});
    return op;
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
    Outcome o = outcome_of(plan, {{RefusedOp::create, h.path + "/.cache/tool/x", 3},
                                  {RefusedOp::write, h.path + "/project/.git/config", 1}});
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
    CHECK(
        sbx::fs_denial_summary(
            outcome_of(plan, {{RefusedOp::create, h.path + "/.cache/tool/x", 1}}), h.path, true) ==
        "refused a write to ~/.cache/tool/x (outside every writable root); the status "
        "document lists each");
    const Outcome many = outcome_of(plan,
                                    {{RefusedOp::create, h.path + "/.cache/tool/a", 5},
                                     {RefusedOp::create, h.path + "/.cache/tool/b", 4},
                                     {RefusedOp::create, "/opt/x", 1},
                                     {RefusedOp::remove, h.path + "/project/.git/HEAD", 2}},
                                    7);
    CHECK(sbx::fs_denial_summary(many, h.path, false) ==
          "refused 19 writes: 10 outside every writable root, most under ~/.cache/tool, 2 to "
          "protected paths (.git), 7 more past the 256 paths listed; --status-file lists each");
}

TEST_CASE("fs denials: reads of denied paths are said apart from writes", "[fs_denials]") {
    Home h;
    auto plan = plan_for(h.path);
    plan.ops.push_back(denied_dir(h.path + "/.ssh", "~/.ssh"));
    const Outcome reads = outcome_of(plan, {{RefusedOp::read, h.path + "/.ssh/id_rsa", 2},
                                            {RefusedOp::read, h.path + "/.ssh", 1}});
    REQUIRE(reads.fs_denials.size() == 2);
    CHECK(reads.fs_denials[0].op == "read");
    CHECK(reads.fs_denials[0].why == "denied");
    CHECK(sbx::fs_denial_summary(reads, h.path, true) ==
          "refused 3 reads of denied paths (~/.ssh); the status document lists each");
    const Outcome both = outcome_of(
        plan, {{RefusedOp::read, h.path + "/.ssh/id_rsa", 1}, {RefusedOp::create, "/opt/x", 1}});
    CHECK(sbx::fs_denial_summary(both, h.path, false) ==
          "refused a write to /opt/x (outside every writable root), and 1 read of denied paths "
          "(~/.ssh); --status-file lists each");
    // Past the list's bound with no write listed: the dropped ones are not called writes
    // (thirty-sixth review: "refused 49 writes:, and 256 reads").
    const Outcome past = outcome_of(plan, {{RefusedOp::read, h.path + "/.ssh/a", 1}}, 49);
    CHECK(sbx::fs_denial_summary(past, h.path, true) ==
          "refused 1 read of denied paths (~/.ssh), and 49 more (past the 256 paths listed); the "
          "status document lists each");
    CHECK(sbx::fs_denial_summary(outcome_of(plan, {}, 3), h.path, true) ==
          "refused 3 changes or reads (past the 256 paths listed); the status document lists "
          "each");
    // Never a suggestion: a denied path is the policy's choice.
    CHECK_FALSE(sbx::write_root_would_allow(reads.fs_denials[0]));
}

TEST_CASE("fs denials: a refused hard link is listed at the file, and suggests nothing",
          "[fs_denials]") {
    Home h;
    auto plan = plan_for(h.path);
    const Outcome o = outcome_of(plan, {{RefusedOp::link, h.path + "/.cache/tool/blob", 1}});
    REQUIRE(o.fs_denials.size() == 1);
    CHECK(o.fs_denials[0].op == "link");
    CHECK(o.fs_denials[0].why == "outside every writable root");
    // A write root there would make the file writable, not give it a second name elsewhere.
    CHECK_FALSE(sbx::write_root_would_allow(o.fs_denials[0]));
    Outcome create = o;
    create.fs_denials[0].op = "create";
    CHECK(sbx::write_root_would_allow(create.fs_denials[0]));
}

TEST_CASE("fs denials: the command's own exec of a denied path", "[fs_denials]") {
    Home h;
    auto plan = plan_for(h.path);
    plan.ops.push_back(denied_dir(h.path + "/.secret", "~/.secret"));
    sbx::SandboxExit failed;
    failed.kind = sbx::SandboxExit::Kind::exec_failed;
    failed.exec_errno = EACCES;
    const std::string tool = h.path + "/.secret/tool";

    // Under Landlock nothing else saw it: one exec entry, by absolute or relative name.
    for (const std::string& cmd : {tool, std::string("../.secret/tool")}) {
        Outcome o;
        sbx::add_exec_denial(o, failed, plan, cmd, h.path + "/work");
        REQUIRE(o.fs_denials.size() == 1);
        CHECK(o.fs_denials[0].op == "exec");
        CHECK(o.fs_denials[0].path == tool);
        CHECK(o.fs_denials[0].why == "denied");
        CHECK(o.fs_denials[0].rule_text == "~/.secret");
        CHECK(sbx::fs_denial_summary(o, h.path, true) ==
              "refused the exec of ~/.secret/tool (denied: ~/.secret); the status document "
              "lists each");
    }
    // Under bwrap the deny watcher saw its lookup as a read: that entry becomes the exec.
    Outcome watched = outcome_of(plan, {{RefusedOp::read, tool, 2}});
    sbx::add_exec_denial(watched, failed, plan, tool, h.path);
    REQUIRE(watched.fs_denials.size() == 1);
    CHECK(watched.fs_denials[0].op == "exec");
    CHECK(watched.fs_denials[0].count == 1);
    // Not the sandbox's doing, not run at all, or a name looked up in PATH: nothing.
    Outcome o;
    sbx::add_exec_denial(o, failed, plan, h.path + "/work/tool", h.path);
    sbx::add_exec_denial(o, failed, plan, "tool", h.path + "/.secret");
    sbx::SandboxExit ran;
    ran.kind = sbx::SandboxExit::Kind::exited;
    sbx::add_exec_denial(o, ran, plan, tool, h.path);
    CHECK(o.fs_denials.empty());
}

TEST_CASE("suggestion_policy: the run's roots, then the tools' own directories", "[fs_denials]") {
    Home h;
    fs::create_directories(h.path + "/.npm/_cacache");
    fs::create_directories(h.path + "/.ssh");
    fs::create_directories(h.path + "/Documents");
    fs::create_directories(h.path + "/.local/bin");
    const auto plan = plan_for(h.path);
    sbx::Policy policy;
    policy.filesystem.write = {rule(h.path + "/project"), rule("/tmp/a$b")};
    sbx::PathRule ssh;  // a home name of a set, as @agent-config has it
    ssh.path = ".ssh";
    ssh.relative_name = true;
    ssh.set = "@agent-config";
    policy.filesystem.protect = {ssh};
    const std::string H = h.path;
    const Outcome o = outcome_of(plan, {{RefusedOp::create, H + "/.cache/tool/sub/deep/x", 1},
                                        {RefusedOp::create, H + "/.cache/tool/y", 1},
                                        {RefusedOp::create, H + "/.local/share/app/db", 1},
                                        {RefusedOp::create, H + "/.npm/_cacache/x", 1},
                                        {RefusedOp::create, H + "/.bashrc", 1},  // $HOME itself
                                        {RefusedOp::create, H + "/.cache/missing/x", 1},  // missing
                                        {RefusedOp::create, H + "/.cache/x", 1},       // ~/.cache
                                        {RefusedOp::create, H + "/.config/new/x", 1},  // missing
                                        {RefusedOp::create, H + "/Documents/x", 1},  // not a tool's
                                        {RefusedOp::create, H + "/.local/bin/git", 1},  // ~/.local
                                        {RefusedOp::create, H + "/.ssh/authorized_keys", 1},
                                        {RefusedOp::create, "/usr/lib/x", 1},  // outside $HOME
                                        {RefusedOp::create, "/opt/x/y", 1},
                                        {RefusedOp::write, H + "/project/.git/config", 1}});
    const std::string roots = "\"" + H + "/project\", \"/tmp/a$$b\"";
    CHECK(sbx::suggestion_policy(o, H, policy, plan, {}) ==
          "version = 1\n[filesystem]\nwrite = [" + roots +
              ", \"~/.cache/tool\", \"~/.local/share/app\", \"~/.npm\"]\n");
    // A tool's own cache stays protected in any writable root: no suggestion for it.
    const Outcome tool = outcome_of(plan, {{RefusedOp::create, H + "/.cache/tool/x", 1}});
    CHECK(sbx::suggestion_policy(tool, H, policy, plan, {rule(H + "/.cache/tool")}).empty());
    CHECK(sbx::suggestion_policy(tool, H, policy, plan, {}) ==
          "version = 1\n[filesystem]\nwrite = [" + roots + ", \"~/.cache/tool\"]\n");
    // $HOME reached through a link: the refused paths are resolved, the suggestion still
    // names the tool's directory below it, never $HOME.
    const std::string link = H + "-link";
    fs::create_directory_symlink(H, link);
    CHECK(sbx::suggestion_policy(tool, link, policy, plan, {}) ==
          "version = 1\n[filesystem]\nwrite = [" + roots + ", \"~/.cache/tool\"]\n");
    const Outcome top = outcome_of(plan, {{RefusedOp::create, H + "/.bashrc", 1}});
    CHECK(sbx::suggestion_policy(top, link, policy, plan, {}).empty());
    fs::remove(link);
    // Nothing outside: nothing to suggest.
    const Outcome prot = outcome_of(plan, {{RefusedOp::write, H + "/project/.git/config", 1}});
    CHECK(sbx::suggestion_policy(prot, H, policy, plan, {}).empty());
    // Never a directory whose content the host runs as code (forty-fourth review).
    // Review 54's: shells' and editors' config, desktop extensions, version managers' shims.
    for (const char* d :
         {"/.cache/pre-commit", "/.local/share/direnv", "/.local/state/mise", "/.config/Code",
          "/.config/zsh", "/.config/helix", "/.local/share/gnome-shell", "/.pyenv", "/.sdkman"}) {
        fs::create_directories(H + d);
        const Outcome runs = outcome_of(plan, {{RefusedOp::create, H + d + "/x", 1}});
        CHECK(sbx::suggestion_policy(runs, H, policy, plan, {}).empty());
    }
}

TEST_CASE("suggestion_policy: the hosts no network.allow rule matched", "[fs_denials]") {
    sbx::Policy policy;
    policy.network.mode.value = sbx::NetworkMode::allowlist;
    policy.network.allow.push_back({*sbx::net::parse_host_pattern("pypi.org"), {}});
    Outcome o;
    auto refused = [](std::string host, std::string rule) {
        sbx::ProxyDestination d;
        d.host = std::move(host);
        d.port = 443;
        d.rule = std::move(rule);
        d.count = 1;
        return d;
    };
    o.proxy.refused = {refused("Registry.npmjs.org", "no network.allow rule"),
                       refused("gist.github.com", "network.deny[0] \"gist.github.com\""),
                       refused("10.0.0.1", "no network.allow rule"),
                       refused("intranet", "no network.allow rule"),
                       refused("internal.example", "address check"),
                       refused("registry.npmjs.org", "no network.allow rule")};
    CHECK(sbx::suggestion_policy(o, "/home/u", policy, {}, {}) ==
          "version = 1\n[network]\nallow = [\"pypi.org\", \"registry.npmjs.org\"]\n");
    // network.mode = "none": the names looked up, and the mode that lets them through.
    policy.network.mode.value = sbx::NetworkMode::none;
    policy.network.allow.clear();
    Outcome none;
    none.refused_lookups = {"registry.npmjs.org", "localhost", "bad\\x0aname.com",
                            "files.pythonhosted.org"};
    CHECK(sbx::suggestion_policy(none, "/home/u", policy, {}, {}) ==
          "version = 1\n[network]\nmode = \"allowlist\"\nallow = [\"registry.npmjs.org\", "
          "\"files.pythonhosted.org\"]\n");
    // network.mode = "full" refuses nothing to suggest.
    policy.network.mode.value = sbx::NetworkMode::full;
    CHECK(sbx::suggestion_policy(none, "/home/u", policy, {}, {}).empty());
}
