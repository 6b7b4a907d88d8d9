// Policy -> MountPlan: the order of the steps, which is the whole design. The steps live in
// the files named for them (draft.hpp holds what they share):
//   1. resolve the roots (read, write, tmpfs: roots.cpp; deny: deny.cpp): these decide where
//      the sandbox may write;
//   2. judge the symlinks crossed by deny rules and the denied paths that are missing against
//      those roots (deny.cpp, missing.cpp);
//   3. keep HOME and the passwd home where they are (homes.cpp); resolve every protected path
//      against those roots, remembering each symlink crossed, and decide per symlink whether
//      it must be pinned (it lives in a writable place): protect.cpp, protect_git.cpp for what
//      git reads through a protected .git, home_dotfiles.cpp for a writable HOME's dot-entries;
//   4. anchor every directory above a mount that the sandbox could rename (draft.cpp);
//   5. normalise: one op per destination, parents before children, no bind that repeats its
//      parent (finalise.cpp).
// Resolution only reads the filesystem; nothing here creates or changes anything on the host.
#include "plan/make_plan.hpp"

#include <sys/resource.h>

#include <cerrno>

#include "fs/real_path.hpp"
#include "plan/deny.hpp"
#include "plan/draft.hpp"
#include "plan/finalise.hpp"
#include "plan/home_dotfiles.hpp"
#include "plan/homes.hpp"
#include "plan/protect.hpp"
#include "plan/roots.hpp"

namespace sbx {

using namespace planning;

namespace {

Result<MountPlan> plan_in(Draft& d, const Policy& policy, const PlanOptions& opts) {
    d.plan.network = policy.network.mode.value;
    d.plan.unix_sockets = effective_unix_sockets(policy.network).value == UnixSockets::allow;
    const auto& fs = policy.filesystem;
    SBX_TRY(add_roots(d, fs.read, "filesystem.read", kRead, OpKind::bind_ro));
    SBX_TRY(add_roots(d, fs.write, "filesystem.write", kWrite, OpKind::bind_rw));
    SBX_TRY(add_roots(d, opts.private_roots, "filesystem.caches", kWrite, OpKind::bind_rw,
                      RootNames::skip));
    SBX_TRY(add_tmpfs(d, fs.tmpfs));
    auto denied = add_denied(d, fs.deny);
    if (!denied.ok()) return std::move(denied).error();
    // Writable places are known now; protected paths are judged against them.
    d.roots = d.candidates;
    for (auto [dir, real] : {std::pair{&opts.workspace_dir, &d.workspace_real},
                             std::pair{&opts.home_dir, &d.home_real},
                             std::pair{&opts.passwd_home_dir, &d.passwd_home_real}}) {
        if (dir->empty()) continue;
        // As the kernel takes it: a ".." after a link goes up from where the link leads (the
        // passwd home comes as written in /etc/passwd; eighteenth outside review).
        auto r = d.resolve_path(environment_path(*dir));
        if (r.ok() && r->exists) *real = r->real;
    }
    if (d.passwd_home_real == d.home_real || d.passwd_home_real == "/") d.passwd_home_real.clear();
    SBX_TRY(refuse_hidden_workspace(d));
    // Most protected rules give one op, one descriptor and one decision per root (a name)
    // or in all (a path): reserved once instead of regrown.
    std::size_t expect = opts.extra_protect.size();
    for (const auto& rule : fs.protect) {
        expect += rule.relative_name ? d.writable_roots.size() : 1;
    }
    d.candidates.reserve(d.candidates.size() + expect);
    d.plan.fds.reserve(d.plan.fds.size() + expect);
    d.plan.protected_paths.reserve(expect);
    d.plan.notes.reserve(expect);
    SBX_TRY(keep_crossed_links(d, denied->links, "denied"));
    SBX_TRY(keep_crossed_links(d, d.root_links, "writable root"));
    SBX_TRY(block_missing_denied(d, denied->missing));
    SBX_TRY(keep_homes(d));
    // Before the protections: a local remote's git directory is a work tree for these too.
    d.plan.host_worktree_code = host_worktree_code(opts.host_git, opts.home_dir);
    d.plan.home_dir = opts.home_dir;
    Protector protector(d);
    for (const auto& rule : fs.protect) SBX_TRY(protector.protect_rule(rule));
    // After the policy's own rules, as if written at the end of its protect list.
    for (const auto& rule : opts.extra_protect) SBX_TRY(protector.protect_rule(rule));
    SBX_TRY(protector.protect_enclosing_submodules());
    // Last: a home's dot-entries may be large trees (~/.cache, ~/.nvm), and the scans for links
    // inside protected directories share one bound; the named rules' scans come first.
    SBX_TRY(protect_home_dotfiles(d, protector, fs.protect));
    SBX_TRY(d.anchor_every_mount());
    d.plan.git_template_dirs = opts.git_template_dirs;
    finalise_plan(d.candidates, d.plan);
    leave_out_what_denial_hides(d.plan);
    return std::move(d.plan);
}

}  // namespace

Result<MountPlan> make_plan(const Policy& policy, const PlanOptions& opts) {
    Draft d(policy, opts);
    auto plan = plan_in(d, policy, opts);
    // The plan holds a descriptor for each path it binds, protects or blocks, until the sandbox
    // is set up (what is checked is what is mounted): thousands of protected names, each in
    // every writable root and in each parent of the workspace inside one, can pass the limit of
    // open files. Say that, not only "Too many open files" on whichever path came last.
    if (!plan.ok() && plan.error().sys_errno == EMFILE) {
        Error e = std::move(plan).error();
        rlimit rl{};
        const std::string limit =
            ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                ? std::to_string(rl.rlim_cur)
                : "unknown";
        e.details.push_back(
            "the plan holds one descriptor per path it binds, protects or blocks "
            "until the sandbox is set up: " +
            std::to_string(d.plan.fds.size()) + " were open when the limit of open files (" +
            limit + ", ulimit -n) ran out");
        e.details.push_back(
            "protect fewer paths (each name counts once per writable root, and once more in "
            "each parent of the workspace inside one), or raise the limit (ulimit -Hn as root)");
        return e;
    }
    return plan;
}

}  // namespace sbx
