// filesystem.git = "commit" (protect.hpp): which git directory is made writable, and what
// inside it stays protected.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/protect.hpp"

namespace sbx::planning {

// filesystem.git = "commit" ------------------------------------------------------------------
//
// The git directory is writable, so that git add/commit/stash/checkout -b/rebase/worktree add
// record the command's work, and what makes git run code, or decides where git takes its
// config and hooks from, stays read-only (blocked when missing), with the protection any
// protected path has (symlinks on the way pinned, links inside hooks/ followed):
//   config, config.worktree  core.fsmonitor, core.sshCommand, core.pager, aliases, includeIf,
//                            filter and diff drivers, core.hooksPath: commands git runs
//   hooks/                   scripts git runs on commit, checkout, merge, push...
//   info/                    info/attributes selects filter drivers; read-only with the rest
//   commondir, gitdir        which directory git takes its config and hooks from (a planted
//                            commondir in .git would send the host's git to a planted config)
//   remotes/, branches/      remotes in git's older forms: a remotes/origin the run wrote sent
//                            the host's plain `git push` to a repository it planted (review 59)
//   modules/                 each submodule's git directory (with its own config and hooks):
//                            a new one there would be used by the host's next `git submodule
//                            update`, so modules/ is read-only and only the git directories
//                            of the submodules in the index are made writable again, each with
//                            these same entries protected
//   worktrees/*/{commondir,gitdir,config.worktree}
//                            of the worktrees that exist when the run starts; worktrees/ itself
//                            stays writable so `git worktree add` works. What a run adds there
//                            is checked after it (run/git_integrity.hpp).
// The `.git` file of a worktree or submodule stays read-only as before (protect.cpp).

const std::vector<std::string_view>& git_code_entries() {
    static const std::vector<std::string_view> names = {
        "config", "config.worktree", "hooks", "info", "commondir", "gitdir", "remotes", "branches"};
    return names;
}

bool Protector::commit_mode() const {
    return d_.policy.filesystem.git.value == GitMode::commit;
}

RuleRef Protector::git_rule(std::string why) const {
    const auto& g = d_.policy.filesystem.git;
    Origin o = g.origin;
    if (o.key.empty()) o.key = "filesystem.git";
    return RuleRef{"filesystem.git", to_string(g.value), std::move(o), std::move(why)};
}

namespace {

bool is_dir_at(int dirfd, const char* name) {
    struct stat st {};
    return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

bool is_file_at(int dirfd, const char* name) {
    struct stat st {};
    return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

// A directory named by a `.git` file or a commondir is made writable only when git would take
// it for one (HEAD and objects/ + refs/, or HEAD and a commondir; a common directory needs
// objects/ and refs/), so that a `.git` file naming some other directory of the host opens
// nothing; a submodule's only inside the modules/ of a git directory made writable (git's own
// layout) or where the sandbox can write already; and none reached through a symlink the
// sandbox could repoint, nor one the sandbox cannot see (left to the protect-mode rules).
bool Protector::may_commit_into(const Resolved& r, GitDirFrom from) const {
    if (!r.exists || !S_ISDIR(r.st.st_mode)) return false;
    for (const auto& hop : r.chain)
        if (d_.writable_place(hop.parent)) return false;
    const Candidate* decider = d_.deciding_root(r.real);
    if (decider == nullptr ||
        (decider->op.kind != OpKind::bind_ro && decider->op.kind != OpKind::bind_rw))
        return false;
    const int fd = r.fd.get();
    // One this user cannot write anyway gains nothing, and under bwrap its missing entries'
    // placeholders could not be made there (the run would fail instead of committing nothing).
    if (::faccessat(fd, ".", W_OK, AT_EACCESS) != 0) return false;
    const bool store = is_dir_at(fd, "objects") && is_dir_at(fd, "refs");
    switch (from) {
        case GitDirFrom::commondir:
            return store;
        case GitDirFrom::submodule: {
            bool inside = d_.writable_place(r.real);
            for (const auto& g : d_.plan.git_dirs)
                inside = inside || path_is_within(r.real, path_join(g, "modules"));
            if (!inside) return false;
            break;
        }
        case GitDirFrom::gitfile:
            break;
        case GitDirFrom::never:
            return false;
    }
    return is_file_at(fd, "HEAD") && (store || is_file_at(fd, "commondir"));
}

Status Protector::commit_git_dir(const std::string& path, Resolved& r, const RuleRef& rule,
                                 const std::string& found_by) {
    const std::string real = r.real;
    if (std::find(d_.plan.git_dirs.begin(), d_.plan.git_dirs.end(), real) != d_.plan.git_dirs.end())
        return {};  // reached twice (a worktree's commondir is also the workspace's .git)
    const RuleRef grule = git_rule("git directory " + real + " writable for commits" +
                                   (rule.why.empty() ? std::string() : " (" + rule.why + ")"));
    MountOp op;
    op.kind = OpKind::bind_rw;
    op.dest = real;
    op.dev = r.st.st_dev;
    op.ino = r.st.st_ino;
    op.is_dir = true;
    op.rule = grule;
    auto kept = d_.keep_fd(r);
    if (!kept.ok()) return std::move(kept).error();
    op.fd = *kept;
    // A mount of its own, and a root: what lies inside is judged writable from here on
    // (a missing hooks/ is blocked even where the git directory was read-only before).
    Candidate root{op, kWrite, canonical_depth(real)};
    d_.add(std::move(op), kWrite);
    d_.roots.push_back(std::move(root));
    d_.plan.git_dirs.push_back(real);
    SBX_TRY(d_.anchor_ancestors(real, grule));

    ProtectDecision pd;
    pd.path = path;
    pd.rule = grule;
    pd.decision = Decision::git_commit;
    pd.detail =
        "filesystem.git = \"commit\": hooks, config, config.worktree, info, commondir, "
        "gitdir and modules read-only";
    add_reason(pd.detail, found_by);
    SBX_TRY(protect_git_internals(real, grule));
    // After the entries' own decisions: the caller may add to this one, at the back.
    d_.plan.protected_paths.push_back(std::move(pd));
    return {};
}

Status Protector::protect_git_internals(const std::string& gitdir, const RuleRef& rule) {
    for (std::string_view name : git_code_entries()) {
        RuleRef why = rule;
        why.why = std::string(name) + " of git directory " + gitdir + " (git runs code from it)";
        const std::string entry = path_join(gitdir, std::string(name));
        SBX_TRY(protect_path(entry, why, Via{0, {}, {}}));
        if (name != "commondir") continue;
        // An empty placeholder `commondir` would stop every git command (git dies on an empty
        // one), in the sandbox and on the host while the run lasts: under bwrap a missing one
        // is checked after the run instead (mount_plan.hpp).
        if (auto it = d_.by_dest.find(entry); it != d_.by_dest.end()) {
            MountOp& op = d_.candidates[it->second].op;
            if (op.kind == OpKind::block_missing) {
                op.after_run_under_bwrap = true;
                op.rule.why +=
                    "; under bwrap it is checked after the run instead (an empty "
                    "placeholder commondir would stop git)";
            }
        }
    }
    // modules/: read-only, blocked when missing; the submodules' git directories inside are
    // made writable again when protect_submodules follows their `.git` files.
    const std::string modules = path_join(gitdir, "modules");
    RuleRef mwhy = rule;
    mwhy.why = "modules of git directory " + gitdir +
               " (a new submodule git directory would be used by the host's git)";
    SBX_TRY(protect_path(modules, mwhy, Via{1, {}, {}}));
    if (auto it = d_.by_dest.find(modules); it != d_.by_dest.end()) {
        const Candidate& c = d_.candidates[it->second];
        if (c.op.kind == OpKind::bind_ro) d_.roots.push_back(c);
    }

    // worktrees/*: the admin files of the worktrees there now.
    auto w = d_.resolve_rule(path_join(gitdir, "worktrees"), rule.origin(), /*readable_dir=*/true);
    if (!w.ok()) return std::move(w).error();
    if (!w->exists || !S_ISDIR(w->st.st_mode) || !w->chain.empty()) return {};
    UniqueFd listing(::openat(w->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* dir = listing ? ::fdopendir(listing.get()) : nullptr;
    if (dir == nullptr) return {};
    (void)listing.release();
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
        const std::string n = e->d_name;
        if (n == "." || n == ".." || e->d_type != DT_DIR) continue;
        if (static_cast<int>(names.size()) >= kMaxWorktrees) {
            d_.plan.notes.push_back("more than " + std::to_string(kMaxWorktrees) +
                                    " worktrees in " + w->real +
                                    ": the others' admin files are "
                                    "checked after the run only");
            break;
        }
        names.push_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        const std::string admin = path_join(w->real, n);
        if (std::find(d_.plan.git_dirs.begin(), d_.plan.git_dirs.end(), admin) !=
            d_.plan.git_dirs.end())
            continue;  // made writable itself, with these protected
        for (const char* f : {"commondir", "gitdir", "config.worktree"}) {
            RuleRef why = rule;
            why.why = std::string(f) + " of worktree admin directory " + admin;
            SBX_TRY(protect_path(path_join(admin, f), why, Via{1, {}, {}}));
        }
    }
    return {};
}

}  // namespace sbx::planning
