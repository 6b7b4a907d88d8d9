// What git reads through a protected .git (protect.hpp): the directory a `.git` file names
// and its `commondir`, the `.git` of every submodule in the index, and the submodules inside
// a writable root of a work tree that encloses it. Parsing is gitdir.hpp's; this file decides
// what each of those needs in the plan.
#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include "fs/path.hpp"
#include "plan/gitdir.hpp"
#include "plan/protect.hpp"

namespace sbx::planning {

// A protected `.git` that is a file (`gitdir: ...`: git worktree, submodules,
// --separate-git-dir): git takes its config and hooks from the directory it names and
// from that directory's `commondir`, so those get the protection `.git` has. The file was
// resolved and is read-only in the sandbox; it is read through that descriptor.
Status Protector::follow_gitfile(const std::string& gitfile, int fd_index, const RuleRef& rule,
                                 std::string_view root) {
    auto content = read_small_file(d_.plan.fds[fd_index].get(), gitfile);
    if (!content.ok()) return with_rule(std::move(content).error(), gitfile, rule);
    auto text = parse_gitfile(*content);
    if (!text.ok()) return with_rule(std::move(text).error(), gitfile, rule);
    if (!text->has_value()) {
        d_.plan.notes.push_back("'" + gitfile +
                                "' is not a gitdir file git would use: nothing followed");
        return {};
    }
    auto gitdir = gitdir_path(std::string(path_parent_view(gitfile)), **text);
    if (!gitdir) {
        return with_rule(
            Error(ErrorKind::unenforceable, "cannot follow the gitdir '" + **text +
                                                "' as git would (a '..' after a named component)"),
            gitfile, rule);
    }
    RuleRef why = rule;
    why.why = "gitdir of " + gitfile;
    auto real = protect_git_dir(*gitdir, why);
    if (!real.ok()) return std::move(real).error();
    if (!real->has_value()) return {};
    SBX_TRY(protect_submodules(std::string(path_parent_view(gitfile)), **real, rule, root));

    // A worktree's gitdir names the main repository's in `commondir` (`../..`).
    auto c = d_.resolve_rule(**real + "/commondir", rule.origin);
    if (!c.ok()) return std::move(c).error();
    if (!c->exists || !S_ISREG(c->st.st_mode)) return {};
    const std::string cpath = c->real;
    auto ccontent = read_small_file(c->fd.get(), cpath);
    if (!ccontent.ok()) return with_rule(std::move(ccontent).error(), cpath, rule);
    auto ctext = parse_commondir(*ccontent);
    if (!ctext.ok()) return with_rule(std::move(ctext).error(), cpath, rule);
    auto common = gitdir_path(**real, *ctext);
    if (!common) {
        return with_rule(
            Error(ErrorKind::unenforceable, "cannot follow the commondir '" + *ctext +
                                                "' as git would (a '..' after a named component)"),
            cpath, rule);
    }
    why.why = "commondir of gitdir " + **real + " (gitdir of " + gitfile + ")";
    auto creal = protect_git_dir(*common, why);
    if (!creal.ok()) return std::move(creal).error();
    return {};
}

// Protect a directory a `.git` file (or a `commondir`) leads to, when the sandbox could
// change it or the links to it. Returns its canonical path when it is an existing
// directory (git uses nothing else). `rule.why` says which file led here.
Result<std::optional<std::string>> Protector::protect_git_dir(const std::string& path,
                                                              const RuleRef& rule) {
    auto r = d_.resolve_rule(path, rule.origin);
    if (!r.ok()) return std::move(r).error();
    const std::string real = r->real;
    const bool is_dir = r->exists && S_ISDIR(r->st.st_mode);
    bool changeable =
        d_.writable_place(real) || d_.writable_place(std::string(path_parent_view(real)));
    for (const auto& root : d_.writable_roots) {
        if (path_is_within(root, real)) changeable = true;  // a writable root inside it
    }
    bool links = false;
    for (const auto& hop : r->chain) links = links || d_.writable_place(hop.parent);
    const Candidate* decider = d_.deciding_root(real);
    const bool visible_ro = decider != nullptr && decider->op.kind == OpKind::bind_ro;
    if (changeable || (links && visible_ro)) {
        // As a protected path of its own: read-only (or blocked when missing), links on
        // the way pinned per filesystem.symlinks, scanned for links into writable places.
        // It may lie outside the root the `.git` rule was applied under: no root to stay in.
        SBX_TRY(protect_path(path, rule, Via{0, {}, rule.why}));
    } else if (links) {
        return with_rule(
            Error(ErrorKind::unenforceable,
                  "cannot protect '" + real + "' (" + rule.why +
                      "): it is reached through a symlink in a writable place, and is not "
                      "visible in the sandbox"),
            path, rule);
    } else {
        ProtectDecision pd;
        pd.path = path;
        pd.rule = rule;
        pd.decision = r->exists ? Decision::read_only : Decision::missing;
        pd.detail = decider == nullptr || decider->op.kind == OpKind::hide_dir ||
                            decider->op.kind == OpKind::hide_file
                        ? "outside every writable root and not visible: nothing to add"
                        : "outside every writable root: already read-only, nothing to add";
        add_reason(pd.detail, rule.why);
        d_.plan.protected_paths.push_back(std::move(pd));
    }
    if (!is_dir) return std::optional<std::string>{};
    return std::optional<std::string>{real};
}

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
    auto r = d_.resolve_rule(dot_git, rule.origin);
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
        auto g = d_.resolve_rule(*named, rule.origin);
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
    auto r = d_.resolve_rule(index, rule.origin);
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

}  // namespace sbx::planning
