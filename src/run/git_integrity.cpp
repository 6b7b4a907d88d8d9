#include "run/git_integrity.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "fs/glob_paths.hpp"
#include "fs/path.hpp"
#include "run/git_danger.hpp"
#include "run/git_judge.hpp"
#include "run/git_search.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// A code entry of a git directory found before the run that the host changed in the clock tick
// of the run's start (`git init` right before sbxrun, in a script) compares as changed since
// the start: exit 120 for the host's own work. Then wait for the coarse clock to pass that tick
// and start there: nothing of the sandbox has run yet, so whatever changes from then on is
// still the run's, and the host's change is before it. Costs a tick (1-4 ms) in that case only.
void settle_start(GitWatch& w) {
    std::int64_t newest = 0;
    for (const KnownGitDir& k : w.known)
        for (const EntryIdentity& e : k.entries)
            newest = std::max({newest, e.ctime_ns, e.lctime_ns});
    auto ns = [](const timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; };
    if (newest < ns(w.start)) return;
    timespec now{};
    for (int i = 0; i < 100; ++i) {  // a tick is at most 10 ms (HZ=100): bounded at ~100 ms
        ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
        if (ns(now) > newest) break;
        const timespec ms{0, 1000000};
        ::nanosleep(&ms, nullptr);
    }
    w.start = now;
}

}  // namespace

GitWatch git_watch(const MountPlan& plan, bool bwrap, const std::string& workspace) {
    GitWatch w;
    // The coarse clock, which is the one change times come from, to the tick (a few ms):
    // whatever changes after this compares as the run's. Counting the whole second (as this
    // did, for filesystems that keep whole seconds) took the host's own `git commit` or
    // `submodule add` in the second before the run for the command's, and a submodule's
    // gitdir (its config sets core.worktree) for a plant: exit 120 for nothing, depending on
    // the clock. A plant on a whole-second filesystem in the run's first second is missed
    // instead (sbxrun-policy(5)).
    ::clock_gettime(CLOCK_REALTIME_COARSE, &w.start);
    for (const auto& root : plan.git_worktrees)
        if (std::find(w.worktrees.begin(), w.worktrees.end(), root) == w.worktrees.end())
            w.worktrees.push_back(root);
    w.git_dirs = plan.git_dirs;
    w.host_worktree_code = plan.host_worktree_code;
    w.home = plan.home_dir;
    w.command_missing = plan.command_missing;
    w.command_patterns = plan.command_patterns;
    w.protected_worktree_code = plan.protected_worktree_code;
    w.linked_worktrees = plan.linked_worktrees;
    for (const auto& dir : plan.git_template_dirs) {
        for (auto& h : read_template_hooks(dir)) w.template_hooks.push_back(std::move(h));
        if (UniqueFd t(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)); t)
            for (auto& e : unusual_written(t.get(), "config"))
                w.template_config.push_back(std::move(e));
    }
    for (const auto& op : plan.ops)
        if (op.kind == OpKind::bind_rw) w.writable.push_back(op.dest);
    char real[PATH_MAX];
    if (w.worktrees.empty() && !workspace.empty() && ::realpath(workspace.c_str(), real)) {
        const std::string ws = real;
        auto writable = [&](std::string_view dir) {
            return std::any_of(plan.ops.begin(), plan.ops.end(), [&](const MountOp& op) {
                return op.kind == OpKind::bind_rw && path_is_within(dir, op.dest);
            });
        };
        if (writable(ws)) {
            for (const auto& op : plan.ops)
                if (op.kind == OpKind::bind_ro && path_is_within(op.dest, ws))
                    w.read_only.insert(op.dest);
            w.worktrees.push_back(ws);
            w.max_depth = 2;
            w.max_dirs = 4096;
            w.only_dangerous = true;
        }
        for (std::string up = path_parent(ws); up != "/" && writable(up); up = path_parent(up))
            w.lone_dirs.push_back(up);
    }
    // The top of every other writable root: a bare repository written straight into
    // ${tmpdir} (HEAD, objects/, refs/, a config) is the git directory of every directory
    // below it that has none of its own, as a .git there would be, which is blocked (eighth
    // outside review). Checked, not searched: the host's git finds it from below.
    for (const auto& op : plan.ops) {
        if (op.kind != OpKind::bind_rw || !op.is_dir) continue;
        auto covered = [&](const std::string& d) { return path_is_within(op.dest, d); };
        if (std::any_of(w.worktrees.begin(), w.worktrees.end(), covered) ||
            std::find(w.lone_dirs.begin(), w.lone_dirs.end(), op.dest) != w.lone_dirs.end())
            continue;
        w.lone_dirs.push_back(op.dest);
    }
    if (bwrap) {
        for (const auto& op : plan.ops)
            if (op.kind == OpKind::block_missing && op.after_run_under_bwrap)
                w.must_stay_missing.push_back(op.dest);
    }
    // The git directories already there, so that after the run "new here" does not depend on
    // any file's time.
    std::vector<KnownGitDir> known;
    std::set<std::pair<dev_t, ino_t>> visited;
    search_git_dirs(w, &known, &visited, nullptr);
    w.known = std::move(known);
    settle_start(w);
    w.visited_before = std::move(visited);
    return w;
}

GitIntegrityReport check_git(const GitWatch& watch) {
    GitIntegrityReport report;
    for (const auto& path : watch.must_stay_missing) {
        UniqueFd parent =
            open_no_symlinks(AT_FDCWD, path_parent(path).c_str(), O_PATH | O_DIRECTORY);
        if (!parent) continue;
        const std::string name = path_base_name(path);
        struct stat st {};
        if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        report.add(path, path +
                             " was created (git would take its config and hooks from "
                             "where it points)");
        const std::string aside = name + ".sbxrun-planted." + std::to_string(::getpid());
        if (::renameat2(parent.get(), name.c_str(), parent.get(), aside.c_str(),
                        RENAME_NOREPLACE) == 0)
            report.restored.push_back(path + " (moved to " + path_join(path_parent(path), aside) +
                                      ")");
    }

    // The worktrees of the plan's git directories (worktrees/ stays writable for `git worktree
    // add`): each one's commondir must lead back to the git directory that holds it, as git
    // worktree add writes it; one naming another directory sends git there for its config.
    for (const auto& g : watch.git_dirs) {
        const std::string wt = path_join(g, "worktrees");
        UniqueFd wfd = open_no_symlinks(AT_FDCWD, wt.c_str(), O_RDONLY | O_DIRECTORY);
        if (!wfd) continue;
        Listing l;
        if (!list_dir(wfd.get(), l)) continue;
        for (const auto& n : l.dirs) {
            const std::string admin = path_join(wt, n);
            // Its config.worktree (read when the protected config enables worktreeConfig).
            struct stat cst {};
            if (::fstatat(wfd.get(), (n + "/config.worktree").c_str(), &cst, AT_SYMLINK_NOFOLLOW) ==
                    0 &&
                since(cst, watch.start))
                report.add(path_join(admin, "config.worktree"),
                           path_join(admin, "config.worktree") +
                               " was written by the run: the worktree's git would "
                               "read it as config");
            // Its work tree, where git takes a relative hooks path or program of the
            // repository's config and the host's (fiftieth session: `git worktree add wt` and
            // wt/.githooks/pre-commit, in commit mode).
            struct stat gst {};
            if (const auto named = pointer_text(wfd.get(), (n + "/gitdir").c_str(), gst);
                named && (*named)[0] == '/' && path_base_name(*named) == ".git") {
                const std::string tree = path_parent(*named);
                const bool plans =
                    std::find(watch.linked_worktrees.begin(), watch.linked_worktrees.end(), tree) !=
                    watch.linked_worktrees.end();
                std::vector<std::string> names = watch.protected_worktree_code;
                for (const auto& h : watch.host_worktree_code)
                    if (std::find(names.begin(), names.end(), h) == names.end()) names.push_back(h);
                // The main work tree: a worktree's checkout of the project's committed hooks,
                // the same as there, is the project's, not the run's.
                const std::string main_tree =
                    path_base_name(g) == ".git" ? path_parent(g) : std::string();
                for (const auto& rel : names)
                    if (!plans && named_path_changed(tree, rel, watch.start) &&
                        (main_tree.empty() ||
                         !same_content(path_join(main_tree, rel), path_join(tree, rel)))) {
                        const std::string what = path_join(tree, rel);
                        report.add(what, what +
                                             " was changed by the run, and the git "
                                             "configuration names it as a hooks path or "
                                             "a program: the host's git in the worktree " +
                                             tree + " would run it");
                    }
            }
            const std::string cpath = path_join(admin, "commondir");
            UniqueFd cfd = open_no_symlinks(AT_FDCWD, cpath.c_str(), O_RDONLY);
            if (!cfd) continue;  // none: the admin directory is its own (not a worktree git uses)
            char buf[4096];
            const ssize_t got = ::read(cfd.get(), buf, sizeof buf - 1);
            std::string text = got > 0 ? std::string(buf, static_cast<std::size_t>(got)) : "";
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            std::string named = text.empty() || text[0] != '/' ? admin + "/" + text : text;
            char real[PATH_MAX];
            const bool back = !text.empty() && ::realpath(named.c_str(), real) != nullptr &&
                              std::string(real) == g;
            if (!back)
                report.add(cpath, cpath + " names '" + text + "', not " + g +
                                      ": the worktree's git would take its config from there");
        }
    }

    // A rebase or cherry-pick the run left half done that runs a command of the run's when the
    // host continues it. Nested repositories are judged the same way (judge()).
    for (const auto& g : watch.git_dirs) {
        UniqueFd gfd = open_no_symlinks(AT_FDCWD, g.c_str(), O_RDONLY | O_DIRECTORY);
        if (!gfd) continue;
        if (const auto stopped = stopped_operation_danger(gfd.get(), watch.start)) {
            const std::string path = path_join(g, stopped->entry);
            report.add(path, path + " " + stopped->why);
        }
    }

    // A file a command of a protected config names, missing at the start, that the run made
    // (or a new match of a pattern there): the host's git runs it. Looked at without
    // following a final link (a link made there is as much the run's).
    for (const auto& m : watch.command_missing) {
        struct stat st {};
        if (::lstat(m.path.c_str(), &st) == 0 && (!S_ISDIR(st.st_mode) || m.dir_too))
            report.add(m.path, m.path + " was made by the run, and " + m.why +
                                   ": the host's git would run it");
    }
    for (const auto& p : watch.command_patterns) {
        const GlobMatches now = glob_paths(p.path);
        for (const auto& match : now.paths) {
            struct stat st {};
            if (!std::binary_search(p.matched.begin(), p.matched.end(), match) &&
                ::lstat(match.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
                report.add(match, match + " was made by the run, and matches " + p.path +
                                      ", which " + p.why + ": the host's git would run it");
        }
        // Past the bound, a new match may be among those not listed: the run made them.
        if (now.truncated)
            report.add(p.path, p.path + " matches more than " + std::to_string(kMaxGlobMatches) +
                                   " files after the run, and " + p.why +
                                   ": the host's git would run them");
    }

    search_git_dirs(watch, nullptr, nullptr, &report);
    return report;
}

}  // namespace sbx
