// What git reads through a protected .git (protect.hpp): the directory a `.git` file names
// and its `commondir`, the `.git` of every submodule in the index, and the submodules inside
// a writable root of a work tree that encloses it. Parsing is gitdir.hpp's; this file decides
// what each of those needs in the plan.
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
    const bool submodule = submodule_depth_ > 0;
    auto real =
        protect_git_dir(*gitdir, why, submodule ? GitDirFrom::submodule : GitDirFrom::gitfile);
    if (!real.ok()) return std::move(real).error();
    if (!real->has_value()) return {};
    SBX_TRY(protect_submodules(std::string(path_parent_view(gitfile)), **real, rule, root));
    const std::string worktree(path_parent_view(gitfile));
    SBX_TRY(protect_config_targets(**real, worktree, rule));

    // A worktree's gitdir names the main repository's in `commondir` (`../..`).
    auto c = d_.resolve_rule(**real + "/commondir", rule.origin());
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
    // The common directory is made writable only with the gitdir that names it.
    const bool granted = std::find(d_.plan.git_dirs.begin(), d_.plan.git_dirs.end(), **real) !=
                         d_.plan.git_dirs.end();
    auto creal = protect_git_dir(*common, why, granted ? GitDirFrom::commondir : GitDirFrom::never);
    if (!creal.ok()) return std::move(creal).error();
    // Its config is the worktree's too: its hooksPath is taken in this work tree.
    if (creal->has_value()) SBX_TRY(protect_config_targets(**creal, worktree, rule));
    return {};
}

// Protect a directory a `.git` file (or a `commondir`) leads to, when the sandbox could
// change it or the links to it. Returns its canonical path when it is an existing
// directory (git uses nothing else). `rule.why` says which file led here.
Result<std::optional<std::string>> Protector::protect_git_dir(const std::string& path,
                                                              const RuleRef& rule,
                                                              GitDirFrom from) {
    auto r = d_.resolve_rule(path, rule.origin());
    if (!r.ok()) return std::move(r).error();
    const std::string real = r->real;
    const bool is_dir = r->exists && S_ISDIR(r->st.st_mode);
    if (is_dir && commit_mode() && may_commit_into(*r, from)) {
        SBX_TRY(commit_git_dir(path, *r, rule, rule.why));
        return std::optional<std::string>{real};
    }
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
// enter_repo). The one it takes has its hooks and config protected; each before it is
// protected too, missing or not (review 52: origin.git/.git made beside a protected
// origin.git took the host's push, and its hooks).
Status Protector::protect_local_remotes(const std::vector<GitConfigEntry>& entries,
                                        const std::string& worktree, const RuleRef& rule) {
    for (const auto& path : local_remote_paths(entries, worktree)) {
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
        for (const std::string& candidate : local_repository_candidates(path)) {
            auto r = d_.resolve_rule(path_join(candidate, "HEAD"), rule.origin());
            if (r.ok() && r->exists && S_ISREG(r->st.st_mode)) {
                SBX_TRY(protect(path_join(candidate, "hooks")));
                SBX_TRY(protect(path_join(candidate, "config")));
                break;
            }
            // Not a git directory (yet): kept from becoming one, or being made.
            SBX_TRY(protect(candidate));
        }
    }
    return {};
}

// What the config of a protected git directory names as code git runs or reads: the directory
// core.hooksPath names (hooks kept in the work tree: .githooks, lefthook's, husky's .husky/_,
// whose stubs run .husky/<hook>, so .husky too) and the files include.path and includeIf.*.path
// name, and theirs, ten levels down as git follows them. The config is the host's and
// read-only; what it names was writable in the work tree, and the host's next commit ran it
// (forty-seventh review). Each is protected like .git/hooks: read-only, blocked when missing.
// A value git could not follow either (through a file, a loop) is noted, not fatal.
Status Protector::protect_config_targets(const std::string& gitdir, const std::string& worktree,
                                         const RuleRef& rule) {
    struct Pending {
        std::string config;  // as git names it: an include is relative to this, not to where
                             // a link there leads (forty-eighth review)
        int depth;
        bool environment = false;  // the entries of the environment (host_git.entries)
    };
    std::vector<Pending> configs{{path_join(gitdir, "config"), 0},
                                 {path_join(gitdir, "config.worktree"), 0}};
    // The host's own git configuration applies here too: a relative core.hooksPath there is
    // taken in this work tree (forty-eighth review), and so is one in a file or an entry the
    // environment gives git (forty-ninth review: GIT_CONFIG_GLOBAL, GIT_CONFIG_COUNT). Those
    // files themselves are the set's (@agent-config) or sbxrun's own (app/own_files) to protect.
    for (const auto& f : d_.opts.host_git.files) configs.push_back({f, 0});
    if (!d_.opts.host_git.entries.empty())
        configs.push_back({"the environment ($GIT_CONFIG_COUNT, $GIT_CONFIG_PARAMETERS)", 0, true});
    // The work trees a relative hooks path is taken in: where the .git is, and the one the
    // repository's core.worktree names (forty-ninth review: worktree = ../wt, and the hook
    // planted in wt/.githooks).
    std::vector<std::string> worktrees{worktree};  // the repository's core.worktree joins it
    // ... and each linked worktree's (`git worktree add`): git there reads the same config and
    // takes the hooks path in that work tree (fiftieth session: wt/.githooks/pre-commit of the
    // host's own linked worktree was writable).
    for (auto& wt : linked_worktrees(gitdir, rule)) {
        if (std::find(d_.plan.linked_worktrees.begin(), d_.plan.linked_worktrees.end(), wt) ==
            d_.plan.linked_worktrees.end())
            d_.plan.linked_worktrees.push_back(wt);
        worktrees.push_back(std::move(wt));
    }
    std::size_t targets = 0;
    // Every entry read, the repository's and the host's: remotes and their URL rewrites.
    std::vector<GitConfigEntry> all_entries;
    for (std::size_t i = 0; i < configs.size(); ++i) {
        const Pending c = configs[i];
        std::vector<GitConfigEntry> entries;
        if (c.environment) {
            entries = d_.opts.host_git.entries;
        } else {
            auto r = d_.resolve_rule(environment_path(c.config), rule.origin());
            if (!r.ok() || !r->exists || !S_ISREG(r->st.st_mode)) continue;
            auto text = read_small_file(r->fd.get(), c.config, std::size_t{1} << 20);
            if (!text.ok()) continue;
            entries = parse_git_config(*text).entries;
        }
        const std::string base(path_parent_view(c.config));
        // The repository's own config (the first): its core.worktree, read before its hooks path.
        if (i == 0)
            for (const auto& e : entries)
                if (e.section == "core" && !e.has_subsection && e.key == "worktree" &&
                    !e.value.empty())
                    worktrees.push_back(
                        environment_path(e.value[0] == '/' ? e.value : gitdir + "/" + e.value));
        // The repository's own remotes that are git directories on this machine: the host's
        // git push runs their hooks (receive-pack takes that repository's config and hooks),
        // so an origin in a writable root (${tmpdir}/origin.git) is protected there like
        // .git's (review 51: hooks/pre-receive written there ran on the host's next push).
        all_entries.insert(all_entries.end(), entries.begin(), entries.end());
        for (const auto& e : config_code_paths(entries)) {
            // Past the bound, what is left would be writable: refused, not noted (forty-eighth
            // review: the 65th include went unprotected, said only by --explain).
            if (++targets > kMaxConfigTargets)
                return with_rule(
                    Error(ErrorKind::unenforceable,
                          "the git configuration of " + gitdir + " names more than " +
                              std::to_string(kMaxConfigTargets) +
                              " hooks paths and includes: sbxrun cannot protect them all"),
                    c.config, rule);
            const bool hooks = e.key == "core.hookspath";
            // A command of the config whose program is a file of the work tree (core.fsmonitor
            // = tools/fsmon.sh, an alias "!scripts/x", a diff or filter driver): git runs it
            // from the top of the work tree (forty-ninth review).
            const bool command = e.key == "command";
            const bool in_worktree = hooks || command;
            std::string spelled;
            if (e.value.starts_with("~/")) {
                if (d_.opts.home_dir.empty()) continue;
                spelled = d_.opts.home_dir + "/" + e.value.substr(2);
            } else if (e.value[0] == '/') {
                spelled = e.value;
            } else if (e.value[0] != '~') {
                // git refuses a relative include among the environment's entries.
                if (c.environment && !in_worktree) continue;
                spelled = (in_worktree ? worktree : base) + "/" + e.value;
            } else {
                continue;  // ~user: another account's home
            }
            // A relative hooks path in each further work tree, as a target of its own; and
            // for the after-run check, which judges the worktrees the run adds.
            if (in_worktree && e.value[0] != '/' && e.value[0] != '~') {
                if (std::find(d_.plan.protected_worktree_code.begin(),
                              d_.plan.protected_worktree_code.end(),
                              e.value) == d_.plan.protected_worktree_code.end())
                    d_.plan.protected_worktree_code.push_back(e.value);
                for (std::size_t w = 1; w < worktrees.size(); ++w) {
                    RuleRef why = rule;
                    why.why = e.key + " " + e.value + " in " + c.config +
                              " (git runs it there; work tree " + worktrees[w] + ")";
                    const std::string other = environment_path(worktrees[w] + "/" + e.value);
                    Status st = protect_path(other, why, Via{0, {}, why.why});
                    if (!st.ok() && st.error().kind != ErrorKind::bad_path &&
                        st.error().kind != ErrorKind::not_found)
                        return st;
                }
            }
            // As the kernel takes it: a ".." goes up from where a link before it leads. What
            // lies before each ".." of the value is protected too (its link pinned, a directory
            // read-only), or the command could make it a link elsewhere after the plan
            // (forty-eighth review: scripts/../.githooks with scripts re-pointed).
            const std::string target = environment_path(spelled);
            std::vector<std::string> paths{target};
            {
                std::string prefix = in_worktree ? worktree : base;
                if (e.value[0] == '/') prefix = "/";
                if (e.value.starts_with("~/")) prefix = d_.opts.home_dir;
                std::string_view rest = e.value[0] == '/' ? std::string_view(e.value).substr(1)
                                        : e.value.starts_with("~/")
                                            ? std::string_view(e.value).substr(2)
                                            : std::string_view(e.value);
                std::string sofar = prefix;
                while (!rest.empty()) {
                    const auto slash = rest.find('/');
                    const std::string_view part = rest.substr(0, slash);
                    rest = slash == std::string_view::npos ? std::string_view()
                                                           : rest.substr(slash + 1);
                    if (part == ".." && sofar != prefix) paths.push_back(environment_path(sofar));
                    if (!part.empty() && part != ".") sofar += "/" + std::string(part);
                }
            }
            if (hooks && path_base_name(target) == "_" &&
                path_base_name(path_parent(target)) == ".husky")
                paths.push_back(path_parent(target));
            for (const auto& path : paths) {
                RuleRef why = rule;
                why.why = e.key + " " + e.value + " in " + c.config + " (git " +
                          (hooks     ? "runs the hooks there"
                           : command ? "runs it"
                                     : "reads it as config") +
                          ")";
                Status st = protect_path(path, why, Via{0, {}, why.why});
                if (!st.ok()) {
                    const ErrorKind k = st.error().kind;
                    if (k != ErrorKind::bad_path && k != ErrorKind::not_found &&
                        k != ErrorKind::loop && k != ErrorKind::escape)
                        return st;
                    d_.plan.notes.push_back("'" + path + "' (" + why.why +
                                            ") is not protected: " + st.error().render());
                }
            }
            if (!in_worktree && c.depth < 10) configs.push_back({spelled, c.depth + 1});
        }
    }
    return protect_local_remotes(all_entries, worktree, rule);
}

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
    static const std::vector<std::string_view> names = {"config", "config.worktree", "hooks",
                                                        "info",   "commondir",       "gitdir"};
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
