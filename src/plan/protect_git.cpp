// What git reads through a protected .git (protect.hpp): the directory a `.git` file names
// and its `commondir`, and what the config of a protected git directory names as code. Parsing
// is gitdir.hpp's and git_config.hpp's; this file decides what each of those needs in the plan.
// The repositories reached from one are protect_git_repos.cpp's; the other words of its
// commands are protect_git_commands.cpp's; commit mode is protect_git_commit.cpp's.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/git_config.hpp"
#include "plan/gitdir.hpp"
#include "plan/protect.hpp"
#include "util/unique_fd.hpp"

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
    std::size_t mentioned = 0;      // existing files a command mentions, protected (bounded apart)
    std::vector<std::string> seen;  // targets already counted
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
            if (e.kind == ConfigPathKind::mentioned) {
                SBX_TRY(protect_mentioned(e.value, worktrees, c.config, rule, mentioned));
                continue;
            }
            if (e.kind == ConfigPathKind::run_dir) {
                SBX_TRY(protect_run_dir(e.value, worktrees, c.config, rule, mentioned));
                continue;
            }
            // Each target once: sixteen aliases naming one package's modules counted its
            // __init__.py sixteen times, and refused every run (review 54's false 122).
            {
                std::string key = std::to_string(static_cast<int>(e.kind)) + '\0' +
                                  (relative_to_worktree(e.kind) ? "" : base) + '\0' + e.value;
                if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
                seen.push_back(std::move(key));
            }
            // Past the bound, what is left would be writable: refused, not noted (forty-eighth
            // review: the 65th include went unprotected, said only by --explain).
            if (++targets > kMaxConfigTargets)
                return with_rule(
                    Error(ErrorKind::unenforceable,
                          "the git configuration of " + gitdir + " names more than " +
                              std::to_string(kMaxConfigTargets) +
                              " hooks paths, includes and programs: sbxrun cannot protect them "
                              "all"),
                    c.config, rule);
            const bool hooks = e.kind == ConfigPathKind::hooks_path;
            // A command of the config whose program is a file of the work tree (core.fsmonitor
            // = tools/fsmon.sh, an alias "!scripts/x", a diff or filter driver): git runs it
            // from the top of the work tree (forty-ninth review).
            const bool command = e.kind == ConfigPathKind::command;
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
                    why.why = config_path_key(e.kind) + std::string(" ") + e.value + " in " +
                              c.config + " (git runs it there; work tree " + worktrees[w] + ")";
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
                why.why = config_path_key(e.kind) + std::string(" ") + e.value + " in " + c.config +
                          " (git " +
                          (hooks     ? "runs the hooks there"
                           : command ? "runs it"
                                     : "reads it as config") +
                          ")";
                Status st = protect_path(path, why, Via{0, {}, why.why});
                if (!st.ok()) {
                    const ErrorKind k = st.error().kind;
                    // A program of the system's named by its full path (/usr/bin/perl, two
                    // names) cannot be made read-only by one mount, and needs none: the
                    // sandbox cannot give it a name in a writable root (EXDEV, Landlock's
                    // REFER). Refusing every run for it was a false 122 (review 53).
                    const bool outside_work_tree =
                        command && (e.value[0] == '/' || e.value[0] == '~') &&
                        k == ErrorKind::unenforceable &&
                        !d_.writable_place(path_parent(resolved_path(path)));
                    if (k != ErrorKind::bad_path && k != ErrorKind::not_found &&
                        k != ErrorKind::loop && k != ErrorKind::escape && !outside_work_tree)
                        return st;
                    d_.plan.notes.push_back("'" + path + "' (" + why.why +
                                            ") is not protected: " + st.error().render());
                }
            }
            if (!in_worktree && c.depth < 10) configs.push_back({spelled, c.depth + 1});
        }
    }
    if (remote_depth_ > 0) return {};
    // The remotes git still reads from remotes/ and branches/ (review 53).
    if (UniqueFd g(::open(environment_path(gitdir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        g) {
        LegacyRemotes legacy = read_legacy_remotes(g.get());
        if (legacy.truncated)
            return with_rule(
                Error(ErrorKind::unenforceable,
                      gitdir + " holds more than " + std::to_string(kMaxLegacyRemoteFiles) +
                          " files in remotes/ or branches/: sbxrun cannot protect "
                          "the repositories they name"),
                gitdir, rule);
        std::move(legacy.entries.begin(), legacy.entries.end(), std::back_inserter(all_entries));
    }
    return protect_local_remotes(all_entries, worktrees, rule);
}

}  // namespace sbx::planning
