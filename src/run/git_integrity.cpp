#include "run/git_integrity.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <deque>

#include "fs/path.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

bool since(const struct stat& st, const timespec& start) {
    if (st.st_ctim.tv_sec != start.tv_sec) return st.st_ctim.tv_sec > start.tv_sec;
    return st.st_ctim.tv_nsec >= start.tv_nsec;
}

// The entries whose change makes a git directory one the host's git would run code from.
constexpr const char* kCodeEntries[] = {"HEAD", "config", "config.worktree", "commondir", "hooks"};

struct Listing {
    std::vector<std::string> dirs;   // subdirectories (no symlinks)
    std::vector<std::string> links;  // symlinks
    bool head = false, objects = false, refs = false, commondir = false, config = false;
    bool gitfile = false;  // a regular file named .git (a worktree's or a submodule's)
};

// One directory's entries through getdents64 on `fd` (opened O_RDONLY | O_DIRECTORY): no
// DIR stream, so one open, the reads and one close per directory.
bool list_dir(int fd, Listing& out) {
    alignas(8) char buf[32768];
    for (;;) {
        const long got = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (got < 0) return false;
        if (got == 0) break;
        for (long at = 0; at < got;) {
            const auto* e = reinterpret_cast<const dirent64*>(buf + at);
            at += e->d_reclen;
            const std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            unsigned char type = e->d_type;
            if (type == DT_UNKNOWN) {
                struct stat st {};
                if (::fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
                type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
            }
            if (n == "HEAD") out.head = true;
            if (n == "commondir") out.commondir = true;
            if (n == "config") out.config = true;
            if (type == DT_LNK) out.links.push_back(n);
            if (type == DT_REG && n == ".git") out.gitfile = true;
            if (type != DT_DIR) continue;
            if (n == "objects") out.objects = true;
            if (n == "refs") out.refs = true;
            out.dirs.push_back(n);
        }
    }
    std::sort(out.dirs.begin(), out.dirs.end());
    return true;
}

struct Pending {
    std::string path;
    int depth = 0;
    bool linked = false;  // reached through a symlink the run made: any filesystem
};

}  // namespace

GitWatch git_watch(const MountPlan& plan, bool bwrap) {
    GitWatch w;
    ::clock_gettime(CLOCK_REALTIME_COARSE, &w.start);
    // Filesystems that keep whole seconds round a change time down: count the whole second.
    w.start.tv_nsec = 0;
    for (const auto& root : plan.git_worktrees)
        if (std::find(w.worktrees.begin(), w.worktrees.end(), root) == w.worktrees.end())
            w.worktrees.push_back(root);
    w.git_dirs = plan.git_dirs;
    if (bwrap) {
        for (const auto& op : plan.ops)
            if (op.kind == OpKind::block_missing && op.after_run_under_bwrap)
                w.must_stay_missing.push_back(op.dest);
    }
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
        report.changed.push_back(path +
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
                report.changed.push_back(path_join(admin, "config.worktree") +
                                         " was written by the run: the worktree's git would "
                                         "read it as config");
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
                report.changed.push_back(cpath + " names '" + text + "', not " + g +
                                         ": the worktree's git would take its config from there");
        }
    }

    // A rebase or cherry-pick the run left half done, whose todo list runs commands: the host's
    // `git rebase --continue` (which `git status` suggests) would run them.
    for (const auto& g : watch.git_dirs) {
        for (const char* todo : {"rebase-merge/git-rebase-todo", "sequencer/todo"}) {
            const std::string path = path_join(g, todo);
            UniqueFd tfd = open_no_symlinks(AT_FDCWD, path.c_str(), O_RDONLY);
            struct stat st {};
            if (!tfd || ::fstat(tfd.get(), &st) != 0 || !since(st, watch.start)) continue;
            std::string text;
            char buf[65536];
            ssize_t got = 0;
            while (text.size() < (1u << 20) && (got = ::read(tfd.get(), buf, sizeof buf)) > 0)
                text.append(buf, static_cast<std::size_t>(got));
            std::size_t at = 0;
            while (at < text.size()) {
                std::size_t end = text.find('\n', at);
                if (end == std::string::npos) end = text.size();
                std::string line = text.substr(at, end - at);
                at = end + 1;
                line.erase(0, line.find_first_not_of(" \t"));
                if (line.rfind("exec ", 0) == 0 || line.rfind("x ", 0) == 0 ||
                    line.rfind("exec\t", 0) == 0 || line.rfind("x\t", 0) == 0) {
                    report.changed.push_back(path + " was left by the run with '" + line +
                                             "': the host's git rebase --continue would run it");
                    break;
                }
            }
        }
    }

    std::size_t visited = 0;
    bool cut = false;
    std::deque<Pending> queue;
    for (const auto& root : watch.worktrees) queue.push_back(Pending{root, 0});
    dev_t dev = 0;
    while (!queue.empty()) {
        Pending p = std::move(queue.front());
        queue.pop_front();
        // By name, never through a symlink: the queue holds paths, not one descriptor each.
        UniqueFd fd = open_no_symlinks(AT_FDCWD, p.path.c_str(), O_RDONLY | O_DIRECTORY);
        struct stat dst {};
        if (!fd || ::fstat(fd.get(), &dst) != 0) continue;
        if (p.depth == 0) dev = dst.st_dev;
        if (dst.st_dev != dev && !p.linked) continue;  // another filesystem in the work tree
        // The plan's git directories and what is inside them (a worktree's admin directory,
        // named by the .git file `git worktree add` wrote) are judged by the checks above.
        if (std::any_of(watch.git_dirs.begin(), watch.git_dirs.end(),
                        [&](const std::string& g) { return path_is_within(p.path, g); }))
            continue;
        if (++visited > watch.max_dirs) {
            cut = true;
            break;
        }
        Listing l;
        if (!list_dir(fd.get(), l)) continue;
        // A git directory, or the common directory of one (objects/, refs/ and a config but
        // no HEAD: what a planted worktree's commondir names).
        if ((l.head && ((l.objects && l.refs) || l.commondir)) ||
            (l.objects && l.refs && l.config)) {
            // A git directory: judged, never entered.
            for (const char* e : kCodeEntries) {
                struct stat st {};
                if (::fstatat(fd.get(), e, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    since(st, watch.start)) {
                    report.changed.push_back(p.path +
                                             " is a git directory made or changed by the run (" +
                                             e + "): the host's git would run what it says");
                    break;
                }
            }
            continue;
        }
        if (p.depth >= watch.max_depth) {
            if (!l.dirs.empty()) cut = true;
            continue;
        }
        for (const auto& n : l.dirs)
            queue.push_back(Pending{path_join(p.path, n), p.depth + 1, p.linked});
        // A link the run made to a directory elsewhere (a git directory planted in ${tmpdir},
        // linked from the workspace, is where the host's git lands after `cd link`): its
        // target is searched too, under the same bounds. Links older than the run are not.
        // A `.git` file the run wrote (a gitlink it staged, entered by the host's `git status`
        // at the top, or a directory the user may cd into): the git directory it names is
        // searched too, wherever it is (${tmpdir} is writable but not searched otherwise).
        if (l.gitfile) {
            struct stat gst {};
            UniqueFd gfd(::openat(fd.get(), ".git", O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            if (gfd && ::fstat(gfd.get(), &gst) == 0 && S_ISREG(gst.st_mode) &&
                since(gst, watch.start)) {
                char buf[8192];
                const ssize_t got = ::read(gfd.get(), buf, sizeof buf - 1);
                std::string text = got > 0 ? std::string(buf, static_cast<std::size_t>(got)) : "";
                if (text.rfind("gitdir: ", 0) == 0) {
                    text.erase(0, 8);
                    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
                        text.pop_back();
                    const std::string named = text[0] == '/' ? text : p.path + "/" + text;
                    char real[PATH_MAX];
                    struct stat tst {};
                    if (!text.empty() && ::realpath(named.c_str(), real) != nullptr &&
                        ::stat(real, &tst) == 0 && S_ISDIR(tst.st_mode))
                        queue.push_back(Pending{real, p.depth + 1, true});
                }
            }
        }
        for (const auto& n : l.links) {
            struct stat lst {};
            if (::fstatat(fd.get(), n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0 ||
                !since(lst, watch.start))
                continue;
            char real[PATH_MAX];
            const std::string link = path_join(p.path, n);
            if (::realpath(link.c_str(), real) == nullptr) continue;
            struct stat tst {};
            if (::stat(real, &tst) != 0 || !S_ISDIR(tst.st_mode)) continue;
            queue.push_back(Pending{real, p.depth + 1, true});
        }
    }
    if (cut) {
        report.notes.push_back("the search for planted git directories stopped at its bound (" +
                               std::to_string(watch.max_dirs) + " directories, " +
                               std::to_string(watch.max_depth) + " levels) in " +
                               (watch.worktrees.empty() ? std::string() : watch.worktrees[0]));
    }
    return report;
}

}  // namespace sbx
