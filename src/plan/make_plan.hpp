// Policy -> MountPlan, against the real filesystem (read-only: resolution only, no writes).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fs/resolve.hpp"
#include "plan/host_git_config.hpp"
#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// How plan code resolves a path. The plan needs nothing from the filesystem but resolve()'s
// answers (and the descriptors in them), so a test can hand it a fake tree where the real one
// is not the point or cannot be arranged (a root swapped between two lookups).
using PathResolver =
    std::function<Result<Resolved>(const std::string& path, const ResolveOptions& opts)>;

struct PlanOptions {
    ResolveOptions resolve;
    PathResolver resolver;  // empty: resolve() on the real filesystem
    // Symlinks inside protected directories: how deep to look, and how many entries at most
    // in each (the dot-entries of a writable HOME share one such bound: home_dotfiles.hpp).
    // The scan runs on every command, so it stays small: the links harnesses read through
    // (.codex/config.toml -> ...) sit in the top two levels.
    int scan_max_depth = 2;
    int scan_max_entries = 1024;
    // Protections sbxrun adds for a run (the policy files it read, the trust store, the status
    // file: app.cpp says why), applied after filesystem.protect like rules written at its end.
    // An input of their own, so the Policy stays what its files say.
    std::vector<PathRule> extra_protect;
    // Writable roots private to sandboxed runs (filesystem.caches: app/caches.hpp), made
    // writable like filesystem.write but without the relative protect and deny names inside:
    // no host program runs in them, and each root's names cost some 500 system calls.
    std::vector<PathRule> private_roots;
    // The workspace and $HOME: where a missing name of MissingScope::project (both) or home
    // ($HOME) is blocked, when it is a writable root. Resolved by the plan, so a path given
    // through a link still counts. Empty: none.
    std::string workspace_dir;
    std::string home_dir;
    // The account's own home from the password database, when it is not home_dir: login
    // shells, sshd and git read it whatever HOME a harness gives its command (sixteenth
    // outside review), so its names of a set are protected as HOME's are. Empty: none.
    std::string passwd_home_dir;
    // XDG_CONFIG_HOME and XDG_CACHE_HOME as written (a relative one joined to the command's
    // directory): the way the kernel takes to them is kept as the homes' is (homes.hpp).
    std::vector<std::string> env_dirs;
    // The host's git configuration files and the entries the environment gives git: what they
    // name as code in the protected repository's work tree is protected (protect_git.cpp).
    // Empty: only the repository's own config is read.
    HostGitConfig host_git;
    // Where the host's git init and clone copy hooks from (host_template_dirs): carried to
    // MountPlan::git_template_dirs for the after-run check.
    std::vector<std::string> git_template_dirs;
};

// Errors: ErrorKind::symlink_refused (exit 122, with path/symlink/target/suggestion set) when a
// protected path crosses a writable symlink under symlinks = "escalate"; ErrorKind::loop and
// ErrorKind::os from resolution, with the rule's origin attached.
[[nodiscard]] Result<MountPlan> make_plan(const Policy& policy, const PlanOptions& opts = {});

}  // namespace sbx
