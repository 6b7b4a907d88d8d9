// sbxrun's own files that a run protects (own_files.hpp).
#include "app/own_files.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "app/write_roots.hpp"
#include "backend/bwrap_probe.hpp"
#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "policy/load.hpp"
#include "policy/trust.hpp"

namespace sbx {

// The files a policy comes from are part of the sandbox's boundary: a command that could
// rewrite the workspace's .sbxrun.toml (or a --policy file in a writable root) would widen the
// next run. So they are protected like .git, whatever the policy's own protect list says. So is
// sbxrun's configuration directory: the user policy and the trust store.
// They go to make_plan as PlanOptions::extra_protect, not into the policy: the policy stays
// what its files say.
std::vector<PathRule> sbxrun_protections(const Policy& policy,
                                         const std::vector<std::string>& files,
                                         const std::optional<std::string>& status_file,
                                         const HostContext& host) {
    const ExpandContext& ctx = host.expand;
    std::vector<PathRule> rules;
    auto add = [&](const std::string& path, const std::string& why) {
        PathRule r;
        r.text = path;
        r.path = normalize_path(path);
        r.origin = Origin{"", 0, why};
        rules.push_back(std::move(r));
    };
    const WriteRoots write_roots(policy.filesystem.write);
    auto in_writable_root = [&](std::string_view path) { return write_roots.cover(path); };
    // One of sbxrun's own directories, protected present or not: a missing one inside a
    // writable root is made first (`make`), so that it can be; outside every writable root a
    // missing one needs nothing; if it cannot be made the run goes on (the same user could not
    // make it from inside either).
    auto add_dir = [&](const std::string& dir, const auto& make, const std::string& why) {
        struct stat st {};
        bool present = ::lstat(dir.c_str(), &st) == 0;
        if (!present && in_writable_root(dir)) present = make();
        if (present) add(dir, why);
    };
    // Only an existing one: blocking a missing .sbxrun.toml too would be one more missing
    // protected name in the workspace, which Landlock can only approximate (and escalate
    // refuses). A .sbxrun.toml the command creates or rewrites is not trusted, so the next run
    // refuses it (122) instead of applying it.
    struct stat ws_st {};
    const std::string ws_policy = path_join(ctx.workspace, kWorkspacePolicyName);
    if (::lstat(ws_policy.c_str(), &ws_st) == 0)
        add(ws_policy, "sbxrun: the workspace policy file");
    // sbxrun's own configuration directory ($XDG_CONFIG_HOME/sbxrun): the user policy
    // (policy.toml, applied by the next run without asking) and the trust store. All of it,
    // present or not: a command that could create a missing policy.toml would choose the next
    // run's sandbox (found by an outside review, with the workspace = $HOME), and one that
    // could add a trusted copy could approve its own workspace policy.
    if (const std::string config = user_config_dir(ctx); !config.empty()) {
        add_dir(
            config, [&] { return ensure_trust_store(trust_store_dir(ctx)).ok(); },
            "sbxrun: the user configuration (policy.toml, trust store)");
    }
    // A .git above the workspace, in a directory the command can write: planted there, it would
    // make the next run's workspace that directory (the git work tree's top level), and the
    // protected names of this workspace (.codex, .git) would no longer be at a root (found by
    // an outside review: `git init ..` from a project in ${tmpdir}). Blocked when missing,
    // read-only when present, in each ancestor inside a writable root.
    // Above the workspace as given and as the kernel names it: git, direnv and the others walk
    // up from the directory getcwd() names, the real one (twenty-third review: a workspace
    // given through ws -> ../p/q/ws left $TMPDIR/p/q and $TMPDIR/p open to a planted .git).
    std::vector<std::string> ups;
    const std::string real_workspace = existing_real_path(ctx.workspace);
    for (const std::string* w : {&ctx.workspace, &real_workspace}) {
        for (std::string_view up = path_parent_view(*w); !w->empty() && up != "/";
             up = path_parent_view(up))
            if (std::find(ups.begin(), ups.end(), up) == ups.end()) ups.emplace_back(up);
    }
    for (const std::string& up : ups) {
        if (in_writable_root(up)) {
            add(path_join(up, ".git"), "sbxrun: a .git that would move the next run's workspace");
            // direnv, too, looks in every directory above the one the user cd's into (found by
            // the fifth outside review: ../.envrc could be created while ../.git could not);
            // so do cargo and Yarn for their files (fifteenth review: ../.cargo/config.toml),
            // every name the policy blocks in every root; and Maven, go, ESLint and pytest take
            // the nearest of theirs above (twenty-first review: ../.mvn/jvm.config).
            add(path_join(up, ".envrc"), "sbxrun: an .envrc direnv would load in the workspace");
            for (const auto& rule : policy.filesystem.protect) {
                if (!rule.relative_name ||
                    (rule.missing != MissingScope::every_root &&
                     rule.missing != MissingScope::parents) ||
                    rule.path == ".git" || rule.path == ".envrc")
                    continue;
                add(path_join(up, rule.path),
                    "sbxrun: " + rule.path + " that tools read in the workspace's parents");
            }
        }
    }
    // The @agent-config names under ~/.config (git, fish, systemd, nvim, pip, ...) where the
    // host's programs look when $XDG_CONFIG_HOME moves that directory: a writable
    // $XDG_CONFIG_HOME/git/config made the host's git run its core.fsmonitor in every
    // repository (tenth outside review). Only for the names the policy protects.
    // A relative $XDG_CONFIG_HOME is invalid by the XDG rules and sbxrun ignores it for its own
    // files, but git takes it relative to where it runs: protected where the command starts.
    if (const auto* x = ctx.env_var("XDG_CONFIG_HOME"); x != nullptr && !x->empty()) {
        const std::string xdg =
            environment_path((*x)[0] == '/' ? *x : path_join(host.command_cwd, *x));
        if (ctx.home.empty() || xdg != path_join(ctx.home, ".config")) {
            for (const auto& rule : policy.filesystem.protect) {
                constexpr std::string_view kConfig = ".config/";
                if (!rule.relative_name || rule.set.empty() || !rule.path.starts_with(kConfig))
                    continue;
                const std::string moved = path_join(xdg, rule.path.substr(kConfig.size()));
                if (in_writable_root(moved))
                    add(moved, "sbxrun: " + rule.path + " where $XDG_CONFIG_HOME moves it");
            }
        }
    }
    // The files $GIT_CONFIG_GLOBAL and $GIT_CONFIG_SYSTEM name: git in this environment reads
    // them as ~/.gitconfig and /etc/gitconfig, so a writable one is a config the host's git
    // would run a core.fsmonitor from (forty-ninth review). A relative one is taken where git
    // runs: protected where the command starts. /dev/null is git's "none".
    for (const char* name : {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"}) {
        const auto* v = ctx.env_var(name);
        if (v == nullptr || v->empty() || *v == "/dev/null") continue;
        const std::string file =
            environment_path((*v)[0] == '/' ? *v : path_join(host.command_cwd, *v));
        if (in_writable_root(file))
            add(file, std::string("sbxrun: the git configuration $") + name + " names");
    }
    // The bwrap feature cache ($XDG_CACHE_HOME/sbxrun): a command that could rewrite it would
    // decide which of bwrap's features the next run believes it has (an outside review made it
    // drop --die-with-parent).
    if (!host.cache_dir.empty()) {
        add_dir(
            host.cache_dir, [&] { return ensure_bwrap_cache_dir(host.cache_dir); },
            "sbxrun: the bwrap feature cache");
    }
    // The status document's file, created before the run (StatusSink): inside a writable root
    // the command could rename its own JSON over it, and the caller would read a forged
    // outcome (found by an outside review). --status-fd has no such file.
    if (status_file) {
        std::string abs = path_join(host.cwd, *status_file);
        struct stat st {};
        if (::lstat(abs.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            add(abs, "sbxrun: the status file of this run");
    }
    for (const auto& f : files) {
        // Only regular files: --policy <(generate) names a pipe, which nothing can rewrite.
        std::string abs = path_join(host.cwd, f);
        struct stat st {};
        if (::stat(abs.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            add(abs, "sbxrun: a policy file of this run");
        }
    }
    return rules;
}

}  // namespace sbx
