// The other repositories git reaches from a protected one (protect.hpp): the submodules inside
// a writable root of a work tree that encloses the workspace, each submodule's own .git, the
// work trees of linked worktrees, and the repositories of local remotes, whose hooks the
// host's git push runs. protect_git.cpp protects a git directory; this file finds the others.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/git_config.hpp"
#include "plan/gitdir.hpp"
#include "plan/protect.hpp"

namespace sbx::planning {

// A writable root inside a larger work tree (a workspace in a home directory kept in git,
// --workspace on a subdirectory of a repository): that repository's .git is outside the
// root, so read-only already, but git at its top level recurses into the submodules that
// lie inside the root, whose .git the sandbox could rewrite (found by an outside review).
// The enclosing work tree is found as git finds it (the nearest parent with a .git); only
// its gitlinks inside a writable root are protected, with the `.git` protect rule.
Status Protector::protect_enclosing_submodules() {
    const PathRule* git_rule = nullptr;
    for (const auto& rule : d_.policy.filesystem.protect)
        if (rule.relative_name && rule.path == ".git") git_rule = &rule;
    if (git_rule == nullptr) return {};
    std::vector<std::string> seen;
    for (const auto& root : std::vector<std::string>(d_.writable_roots)) {
        for (std::string dir = path_parent(root);; dir = path_parent(dir)) {
            const std::string dot_git = path_join(dir, ".git");
            struct stat st {};
            if (::lstat(dot_git.c_str(), &st) == 0 &&
                (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
                if (std::find(seen.begin(), seen.end(), dir) == seen.end()) {
                    seen.push_back(dir);
                    RuleRef rule = rule_ref("filesystem.protect", *git_rule,
                                            "the work tree " + dir + " holds " + root);
                    SBX_TRY(protect_enclosing(dir, dot_git, S_ISDIR(st.st_mode), rule));
                }
                break;
            }
            if (dir == "/") break;
        }
    }
    return {};
}

// The submodules of the work tree `dir` (whose .git is `dot_git`) inside a writable root.
Status Protector::protect_enclosing(const std::string& dir, const std::string& dot_git, bool is_dir,
                                    const RuleRef& rule) {
    auto r = d_.resolve_rule(dot_git, rule.origin());
    if (!r.ok()) return std::move(r).error();
    if (!r->exists) return {};
    std::string gitdir = r->real;
    if (!is_dir) {
        auto content = read_small_file(r->fd.get(), dot_git);
        if (!content.ok()) return with_rule(std::move(content).error(), dot_git, rule);
        auto text = parse_gitfile(*content);
        if (!text.ok()) return with_rule(std::move(text).error(), dot_git, rule);
        if (!text->has_value()) return {};
        auto named = gitdir_path(dir, **text);
        if (!named) return {};
        auto g = d_.resolve_rule(*named, rule.origin());
        if (!g.ok()) return std::move(g).error();
        if (!g->exists || !S_ISDIR(g->st.st_mode)) return {};
        gitdir = g->real;
    }
    return protect_submodules(dir, gitdir, rule, {}, /*only_in_writable_roots=*/true);
}

// A submodule's checkout has its own `.git` (a file: `gitdir: ../.git/modules/x`), and git
// run at the work tree's top level recurses into it (status, diff, submodule update): a
// sandbox that rewrote `sub/.git` to point at a gitdir it planted would have its
// core.fsmonitor run by the host's next `git status` (found by an outside review). So the
// `.git` of every gitlink in the repository's index gets the protection of the top one
// (read-only, followed when a file, blocked when missing), and so on down nested
// submodules, each through its own gitdir's index. The index, never .gitmodules: that is
// in the work tree, and one run could empty it to switch this off for the next.
// `root`: the writable root the top `.git` was protected under, which they must stay in.
Status Protector::protect_submodules(const std::string& worktree, const std::string& gitdir,
                                     const RuleRef& rule, std::string_view root,
                                     bool only_in_writable_roots) {
    if (submodule_depth_ >= kMaxSubmoduleDepth) {
        d_.plan.notes.push_back("submodules nested deeper than " +
                                std::to_string(kMaxSubmoduleDepth) + " below '" + worktree +
                                "' are not followed");
        return {};
    }
    const std::string index = path_join(gitdir, "index");
    auto r = d_.resolve_rule(index, rule.origin());
    if (!r.ok()) return std::move(r).error();
    if (!r->exists || !S_ISREG(r->st.st_mode)) return {};  // nothing staged yet
    auto content = read_small_file(r->fd.get(), index, kGitIndexMax);
    if (!content.ok()) return with_rule(std::move(content).error(), index, rule);
    auto paths = gitlink_paths(*content);
    if (!paths.ok()) return with_rule(std::move(paths).error(), index, rule);
    ++submodule_depth_;
    for (const auto& sub : *paths) {
        const std::string checkout = path_join(worktree, sub);
        if (only_in_writable_roots &&
            std::none_of(d_.writable_roots.begin(), d_.writable_roots.end(),
                         [&](const std::string& w) { return path_is_within(checkout, w); }))
            continue;
        RuleRef why = rule;
        why.why = "submodule " + sub + " (a gitlink in " + index + ")";
        Status st = protect_path(path_join(checkout, ".git"), why, Via{0, root, {}});
        if (!st.ok()) {
            --submodule_depth_;
            return st;
        }
    }
    --submodule_depth_;
    return {};
}

// The work trees of the linked worktrees of the git directory `gitdir` (`git worktree add`):
// the directory holding the .git file each worktrees/NAME/gitdir names, as git wrote it. At
// most kMaxWorktrees; what cannot be read is left out (git cannot use that worktree either).
std::vector<std::string> Protector::linked_worktrees(const std::string& gitdir,
                                                     const RuleRef& rule) {
    std::vector<std::string> out;
    auto w = d_.resolve_rule(path_join(gitdir, "worktrees"), rule.origin(), /*readable_dir=*/true);
    if (!w.ok() || !w->exists || !S_ISDIR(w->st.st_mode) || !w->chain.empty()) return out;
    UniqueFd listing(::openat(w->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* dir = listing ? ::fdopendir(listing.get()) : nullptr;
    if (dir == nullptr) return out;
    (void)listing.release();
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
        const std::string n = e->d_name;
        if (n == "." || n == ".." || e->d_type != DT_DIR) continue;
        if (static_cast<int>(names.size()) >= kMaxWorktrees) break;
        names.push_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        const std::string file = path_join(path_join(w->real, n), "gitdir");
        auto r = d_.resolve_rule(file, rule.origin());
        if (!r.ok() || !r->exists || !S_ISREG(r->st.st_mode)) continue;
        auto text = read_small_file(r->fd.get(), file);
        if (!text.ok()) continue;
        std::string named = *text;
        while (!named.empty() && (named.back() == '\n' || named.back() == '\r')) named.pop_back();
        if (named.empty() || named[0] != '/' || path_base_name(named) != ".git") continue;
        out.push_back(path_parent(named));
    }
    return out;
}

// Each local remote's repository protected as git would find it: git tries P/.git, P,
// P.git/.git and P.git in that order and takes the first that is a git directory (path.c's
// enter_repo). The one it takes has what makes git run code protected as in commit mode
// (git_code_entries: config, hooks, commondir...; review 53: a commondir written into a local
// remote sent the host's push to a planted git directory), and the relative hooks paths and
// programs of the host's configuration taken in it (receive-pack runs in the git directory:
// review 53, `core.hooksPath = .githooks` in ~/.gitconfig); each place before it is protected
// too, missing or not (review 52: origin.git/.git made beside a protected origin.git took the
// host's push, and its hooks). A relative URL is taken from each work tree git may push from
// (review 53: `../origin.git` from a linked worktree).
Status Protector::protect_local_remotes(const std::vector<GitConfigEntry>& entries,
                                        const std::vector<std::string>& worktrees,
                                        const RuleRef& rule) {
    std::vector<std::string> paths;
    bool truncated = false;
    for (const auto& wt : worktrees) {
        LocalRemotes found = local_remote_paths(entries, wt, d_.opts.home_dir);
        truncated = truncated || found.truncated;
        for (auto& p : found.paths)
            if (std::find(paths.begin(), paths.end(), p) == paths.end()) {
                if (paths.size() == kMaxLocalRemotes)
                    truncated = true;
                else
                    paths.push_back(std::move(p));
            }
    }
    // Past the bound, the rest would be writable: refused, as for the config's other targets
    // (the first 16 were protected and the 17th silently not, until review 56's session).
    if (truncated)
        return with_rule(
            Error(ErrorKind::unenforceable,
                  "the git configuration names more than " + std::to_string(kMaxLocalRemotes) +
                      " repositories on this machine as remotes: sbxrun cannot "
                      "protect them all"),
            worktrees.empty() ? std::string() : worktrees.front(), rule);
    for (const auto& path : paths) {
        RuleRef why = rule;
        why.why = "a remote of the repository at " + path + " (the host's git push runs its hooks)";
        auto protect = [&](const std::string& p) -> Status {
            Status st = protect_path(p, why, Via{0, {}, why.why});
            if (!st.ok() && st.error().kind != ErrorKind::bad_path &&
                st.error().kind != ErrorKind::not_found && st.error().kind != ErrorKind::loop &&
                st.error().kind != ErrorKind::escape)
                return st;
            return {};
        };
        bool found = false;
        for (std::string candidate : local_repository_candidates(path)) {
            // The places after the one git takes are kept from becoming repositories too: the
            // command could break the one it takes (a HEAD or objects/ of its own) and git
            // would go on to the next (review 54: origin.git.git with a hook).
            if (found) {
                SBX_TRY(protect(candidate));
                continue;
            }
            // A file holding "gitdir: X" is followed, as enter_repo does (review 53); the
            // file itself is kept as it is.
            if (auto f = d_.resolve_rule(candidate, rule.origin());
                f.ok() && f->exists && S_ISREG(f->st.st_mode)) {
                SBX_TRY(protect(candidate));
                auto text = read_small_file(f->fd.get(), candidate, kGitfileMax);
                auto named = text.ok() ? parse_gitfile(*text)
                                       : Result<std::optional<std::string>>(std::nullopt);
                const auto target = named.ok() && *named
                                        ? gitdir_path(path_parent(f->real), **named)
                                        : std::nullopt;
                if (!target) {
                    found = true;
                    continue;
                }
                candidate = *target;
            }
            auto r = d_.resolve_rule(path_join(candidate, "HEAD"), rule.origin());
            if (r.ok() && r->exists && S_ISREG(r->st.st_mode)) {
                for (std::string_view entry : git_code_entries())
                    SBX_TRY(protect(path_join(candidate, std::string(entry))));
                for (const auto& rel : d_.plan.host_worktree_code)
                    SBX_TRY(protect(environment_path(path_join(candidate, rel))));
                // What its own config names (a core.hooksPath, an include), taken where
                // receive-pack runs: in the git directory (review 53). Its own local remotes
                // are not followed further: the host's push does not reach them.
                if (remote_depth_ == 0) {
                    ++remote_depth_;
                    Status st = protect_config_targets(candidate, candidate, why);
                    --remote_depth_;
                    SBX_TRY(std::move(st));
                }
                found = true;
                continue;
            }
            // Not a git directory (yet): kept from becoming one, or being made.
            SBX_TRY(protect(candidate));
        }
    }
    return {};
}

}  // namespace sbx::planning
