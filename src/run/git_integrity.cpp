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
#include "run/git_danger.hpp"
#include "run/git_index.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// How many entries of hooks/ entry_identities reads (a hooks/ of thousands of files is no
// repository's: past it, change times decide).
constexpr std::size_t kHooksRecorded = 256;

// The entries whose change makes a git directory one the host's git would run code from.
constexpr const char* kCodeEntries[] = {"HEAD", "config", "config.worktree", "commondir", "hooks"};

// How many gitlinks the search follows, apart from its bound on directories: an index the run
// wrote with thousands of gitlinks to the host's directories would otherwise spend that bound
// and hide one to a plant past them. More, after the run, is an integrity violation.
constexpr std::size_t kMaxGitlinks = 8192;

// The largest index whose gitlinks are read (a checkout of 300,000 files has one of ~30 MB).
constexpr std::size_t kIndexBytes = std::size_t{64} << 20;

// What an index the search cannot read for gitlinks may be.
std::string unreadable_index() {
    return "a link, larger than " + std::to_string(kIndexBytes >> 20) + " MB, more than " +
           std::to_string(kMaxGitlinks) + " gitlinks, or not an index";
}

// Where package managers install dependencies: see GitWatch::only_dangerous.
constexpr std::string_view kDependencyDirs[] = {"node_modules", ".venv",       "venv",
                                                "target",       "__pycache__", ".tox"};

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
            // git's is_git_directory() only asks access(X_OK) of objects and refs: a link
            // (eighth outside review) or an executable file (ninth) passes as well as a
            // directory. Any entry of those names counts here.
            if (n == "objects") out.objects = true;
            if (n == "refs") out.refs = true;
            if (type == DT_LNK) out.links.push_back(n);
            if (type == DT_REG && n == ".git") out.gitfile = true;
            if (type != DT_DIR) continue;
            out.dirs.push_back(n);
        }
    }
    std::sort(out.dirs.begin(), out.dirs.end());
    return true;
}

struct Pending {
    std::string path;
    int depth = 0;
    bool linked = false;      // reached through a symlink the run made: any filesystem
    bool enter = true;        // false: a lone directory, checked but not searched
    dev_t dev = 0;            // the filesystem of the search root it came from
    bool named_anew = false;  // reached through a .git file or symlink the run wrote: judged
                              // by what it holds, whatever its age and whether it was there
                              // before (a git directory planted by an earlier run, outside
                              // every searched place, and linked now: fifth outside review)
    // Below a git directory's modules/: where it is no git directory itself, a submodule named
    // with a slash lies further down (modules/libs/foo: `git submodule add URL libs/foo`).
    bool in_modules = false;
    bool via_gitlink = false;  // queued from an index's gitlink: counted on a bound of its own
};

}  // namespace

// Whether a file in the git directory's hooks/, or in a directory there, changed since
// `start` (hooks/ itself may be a link to a directory: git follows it).
bool hook_changed(int gitdir_fd, const timespec& start) {
    const int hooks = ::openat(gitdir_fd, "hooks", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (hooks < 0) return false;
    std::size_t budget = 1024;
    return tree_changed(hooks, start, 3, budget);
}

// What each code entry of the git directory on `fd`, and each file in its hooks/, leads to
// now (stat(), links followed: what git would read or run). Sorted by name.
std::vector<EntryIdentity> entry_identities(int fd) {
    std::vector<EntryIdentity> out;
    auto add = [&](int dirfd, const char* name, std::string label) {
        EntryIdentity e;
        e.name = std::move(label);
        struct stat st {};
        if (::fstatat(dirfd, name, &st, 0) == 0) {
            e.present = true;
            e.dev = st.st_dev;
            e.ino = st.st_ino;
            e.ctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
        }
        if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            e.lctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
        out.push_back(std::move(e));
    };
    for (const char* e : kCodeEntries) add(fd, e, e);
    UniqueFd hooks(::openat(fd, "hooks", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* d = hooks ? ::fdopendir(hooks.get()) : nullptr;
    if (d != nullptr) {
        (void)hooks.release();
        // A bound: a hooks/ of thousands of files is no repository's (then the times decide).
        for (std::size_t n = 0; n < kHooksRecorded; ++n) {
            const dirent* h = ::readdir(d);
            if (h == nullptr) break;
            const std::string name = h->d_name;
            if (name == "." || name == "..") continue;
            add(::dirfd(d), h->d_name, "hooks/" + name);
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end(),
              [](const EntryIdentity& a, const EntryIdentity& b) { return a.name < b.name; });
    return out;
}

// Where a git directory is known to be before the run: its path and identity.
const KnownGitDir* known_before(const GitWatch& w, const std::string& path, const struct stat& st) {
    for (const auto& k : w.known)
        if (k.dev == st.st_dev && k.ino == st.st_ino && k.path == path) return &k;
    return nullptr;
}

// The first code entry or hook of a known git directory that leads to another file than it
// did before the run (or to one where it led nowhere, or the reverse), or "".
std::string entry_led_elsewhere(const KnownGitDir& k, int fd) {
    const std::vector<EntryIdentity> now = entry_identities(fd);
    for (const auto& e : now) {
        auto was = std::find_if(k.entries.begin(), k.entries.end(),
                                [&](const EntryIdentity& b) { return b.name == e.name; });
        if (was == k.entries.end() ? e.present : !(*was == e)) return e.name;
    }
    for (const auto& b : k.entries) {
        const bool gone = std::none_of(now.begin(), now.end(),
                                       [&](const EntryIdentity& e) { return e.name == b.name; });
        if (gone && b.present) return b.name;
    }
    return {};
}

// Which of commondir, config and hooks (with every hook in it) of the known git directory `k`
// are as recorded before the run. hooks/ past the recorded bound is never taken as the host's.
HostsOwn hosts_own(const KnownGitDir& k, int fd) {
    const std::vector<EntryIdentity> now = entry_identities(fd);
    auto same = [&](std::string_view name) {
        const auto was = std::find_if(k.entries.begin(), k.entries.end(),
                                      [&](const EntryIdentity& e) { return e.name == name; });
        const auto is = std::find_if(now.begin(), now.end(),
                                     [&](const EntryIdentity& e) { return e.name == name; });
        return was != k.entries.end() && is != now.end() && *was == *is;
    };
    auto hooks_of = [](const std::vector<EntryIdentity>& v) {
        std::vector<EntryIdentity> h;
        for (const auto& e : v)
            if (e.name.compare(0, 6, "hooks/") == 0) h.push_back(e);
        return h;
    };
    HostsOwn own;
    own.commondir = same("commondir");
    own.config = same("config");
    own.config_worktree = same("config.worktree");
    own.config_entries = k.config_entries;
    own.config_worktree_entries = k.config_worktree_entries;
    const auto before = hooks_of(k.entries);
    own.hooks = same("hooks") && before.size() < kHooksRecorded - 2 && before == hooks_of(now);
    return own;
}

// Whether `rel` below `base` changed since `start`: any entry on the way (a link or a directory
// the run made or moved there), what it leads to, and inside it when it is a directory (three
// levels, as hooks' helpers lie: git_danger.hpp).
bool named_path_changed(const std::string& base, std::string_view rel, const timespec& start) {
    std::string path = base;
    while (!rel.empty()) {
        const auto slash = rel.find('/');
        const std::string_view part = rel.substr(0, slash);
        rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        path += "/" + std::string(part);
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) return false;
        if (since(st, start)) return true;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    if (since(st, start)) return true;
    if (!S_ISDIR(st.st_mode)) return false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    std::size_t budget = 4096;
    return fd >= 0 && tree_changed(fd, start, 3, budget);
}

// What the host's own configuration names relative to a work tree (a `core.hooksPath =
// .githooks` in ~/.gitconfig, a core.fsmonitor's program: MountPlan::host_worktree_code),
// changed by the run in this git directory's work tree, as "core.hooksPath or program
// .githooks", or "". git takes those names in every repository, so what the run wrote there
// is a hook the host's git would run (forty-ninth review: sub/.githooks/pre-commit).
std::string host_code_changed(const GitWatch& watch, const std::string& git_path, int fd) {
    if (watch.host_worktree_code.empty()) return {};
    std::vector<std::string> worktrees{path_base_name(git_path) == ".git" ? path_parent(git_path)
                                                                          : git_path};
    if (const auto wt = config_core_worktree(fd))
        worktrees.push_back((*wt)[0] == '/' ? *wt : git_path + "/" + *wt);
    for (const auto& wt : worktrees)
        for (const auto& rel : watch.host_worktree_code)
            if (named_path_changed(wt, rel, watch.start)) return path_join(wt, rel);
    return {};
}

// A git directory found after the run: reported when the run made it, moved it here or changed
// what makes git run code in it (in protect mode only when what it holds would run code: a
// repository made by `git init` is everyday work there), never when it is the host's own,
// untouched.
void judge(const GitWatch& watch, const Pending& p, int fd, const struct stat& dst,
           GitIntegrityReport& report) {
    const KnownGitDir* k = known_before(watch, p.path, dst);
    const bool known = k != nullptr;
    std::string fresh_name;
    const char* fresh = nullptr;  // the entry the run made or changed, if any
    for (const char* e : kCodeEntries) {
        if (changed_since(fd, e, watch.start)) {
            fresh = e;
            break;
        }
    }
    // A hook rewritten in place changes the file, not hooks/ (seventh outside review).
    const bool hooks_changed = hook_changed(fd, watch.start);
    if (fresh == nullptr && hooks_changed) fresh = "hooks";
    // A linked entry that now leads to another file, older than the run, or an entry changed
    // since it was recorded before the run (ninth outside review).
    if (fresh == nullptr && known) {
        fresh_name = entry_led_elsewhere(*k, fd);
        if (!fresh_name.empty()) fresh = fresh_name.c_str();
    }
    // A rebase the run left stopped there (forty-sixth review: the host's `git rebase
    // --continue` in a nested repository ran its exec line), whatever else it holds.
    if (const auto stopped = stopped_operation_danger(fd, watch.start)) {
        const std::string path = path_join(p.path, stopped->entry);
        report.add(path, path + " " + stopped->why);
    }
    // What the host's own entries name (an include, a hooksPath) is the host's code too: the
    // run changing it is the run changing the config (forty-sixth review).
    if (known && !p.named_anew) {
        const std::string worktree =
            path_base_name(p.path) == ".git" ? path_parent(p.path) : p.path;
        for (const auto* entries : {&k->config_entries, &k->config_worktree_entries}) {
            const std::string what = host_entry_target_changed(fd, worktree, *entries, watch.start);
            if (!what.empty()) {
                report.add(p.path, p.path + " is a git directory whose config's " + what +
                                       " names what the run changed: the host's git would use it");
                return;
            }
        }
    }
    if (const std::string what = host_code_changed(watch, p.path, fd); !what.empty()) {
        report.add(what, what +
                             " was changed by the run, and the host's git configuration "
                             "names it as a hooks path or a program in every repository: "
                             "the host's git in " +
                             p.path + " would run it");
        return;
    }
    if (known && fresh == nullptr && !p.named_anew) return;
    std::string how;
    if (p.named_anew)
        how = " is a git directory that a .git file or link the run wrote leads to";
    else if (!known)
        how = " is a git directory that was not there before the run";
    else
        how = std::string(" is a git directory whose ") + fresh + " the run changed";
    if (!watch.only_dangerous) {
        report.add(p.path, p.path + how + ": the host's git would use it");
        return;
    }
    // Reached through a pointer the run wrote, a git directory is judged by all it holds,
    // whatever the host had there (the fifth outside review's plant over two runs).
    HostsOwn own = known && !p.named_anew ? hosts_own(*k, fd) : HostsOwn{};
    // Its hooks' identities as recorded, but a file they use changed: not the host's as it was.
    own.hooks = own.hooks && !hooks_changed;
    if (auto why = dangerous_repository(fd, own, p.path, watch.writable); !why.empty())
        report.add(p.path, p.path + how + ", and " + why + ": the host's git would use it");
}

// The search, before the run (`known`: every git directory found is recorded, nothing judged)
// and after it (`report`). The same places both times, so that "not there before" means new
// to its place: made, or moved in from deeper than the search goes, whatever its files' times
// (a repository built 15 levels deep by one run and moved next to the workspace's top by the
// next: found by the sixth outside review).
void search(const GitWatch& watch, std::vector<KnownGitDir>* known,
            std::set<std::pair<dev_t, ino_t>>* visited_before, GitIntegrityReport* report) {
    const bool before = report == nullptr;
    std::size_t visited = 0, made = 0, gitlinked = 0;
    bool cut = false;
    std::set<std::pair<dev_t, ino_t>> seen, seen_anew;
    std::deque<Pending> queue;
    for (const auto& root : watch.worktrees) queue.push_back(Pending{root, 0});
    for (const auto& dir : watch.lone_dirs) queue.push_back(Pending{dir, 0, false, false});
    // A .git file or symlink names the git directory git uses there, wherever it is: it is
    // judged by what it holds whatever its age and the pointer's (a pointer written by one run
    // into ${tmpdir}, where nothing is searched, and the directory made there by the next:
    // found by the sixth outside review).
    // `anew`: the run wrote the pointer, a new way into that directory: judged even when the
    // directory was there before.
    // `in_modules`: a link inside modules/, where a submodule named with a slash may lie
    // further down (forty-sixth review: modules/libs replaced by a link went unseen).
    auto follow_pointer = [&](const std::string& named, const Pending& p, bool anew,
                              bool in_modules = false) {
        char real[PATH_MAX];
        struct stat tst {};
        if (::realpath(named.c_str(), real) != nullptr && ::stat(real, &tst) == 0 &&
            S_ISDIR(tst.st_mode))
            queue.push_back(Pending{real, p.depth + 1, true, false, p.dev, anew, in_modules});
    };
    // The entries of a git directory's modules/ or worktrees/ (`sub`, below `git_dir_fd`), each
    // queued to be judged: a submodule's git directory (further down for a name with a slash),
    // or a linked worktree's administrative directory (its commondir leads back to the
    // repository; forty-fourth review: one rewritten to lead to a plant, or replaced by one,
    // went unseen).
    auto queue_inside = [&](const Pending& p, int git_dir_fd, const char* sub) {
        UniqueFd mfd = open_no_symlinks(git_dir_fd, sub, O_RDONLY | O_DIRECTORY);
        Listing m;
        if (!mfd || !list_dir(mfd.get(), m)) return;
        const std::string base = path_join(p.path, sub);
        const bool modules = std::string_view(sub) == "modules";
        for (const auto& n : m.dirs)
            queue.push_back(
                Pending{path_join(base, n), p.depth + 1, p.linked, false, p.dev, false, modules});
        // One replaced by a link (forty-fourth review): judged where it leads, as a .git
        // link is.
        for (const auto& n : m.links) {
            struct stat lst {};
            if (::fstatat(mfd.get(), n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0)
                follow_pointer(path_join(base, n), p, since(lst, watch.start), modules);
        }
    };
    // The directory the commondir of the git directory `git_dir_fd` names, queued to be judged
    // (not as named anew: the host's own, unchanged, passes as any known one does).
    auto queue_commondir = [&](const Pending& p, int git_dir_fd) {
        struct stat st {};
        if (const auto text = pointer_text(git_dir_fd, "commondir", st))
            follow_pointer((*text)[0] == '/' ? *text : path_join(p.path, *text), p, false);
    };
    // A `.git` file the run wrote (a gitlink it staged, entered by the host's `git status` at
    // the top, or a directory the user may cd into) or a `.git` link: the git directory it
    // names is searched too, wherever it is (${tmpdir} is writable but not searched
    // otherwise), also at the search's last level (forty-fourth review: src/x/.git written
    // there, pointing at a plant, went unseen).
    auto follow_dot_git = [&](const Pending& p, int dirfd, const Listing& l) {
        struct stat gst {};
        if (const auto text = l.gitfile ? pointer_text(dirfd, ".git", gst) : std::nullopt;
            text && text->size() > 8 && text->compare(0, 8, "gitdir: ") == 0) {
            const std::string named = text->substr(8);
            follow_pointer(named[0] == '/' ? named : path_join(p.path, named), p,
                           since(gst, watch.start));
        }
        if (std::find(l.links.begin(), l.links.end(), ".git") != l.links.end()) {
            struct stat lst {};
            if (::fstatat(dirfd, ".git", &lst, AT_SYMLINK_NOFOLLOW) == 0)
                follow_pointer(path_join(p.path, ".git"), p, since(lst, watch.start));
        }
    };
    // The gitlinks of the index of the git directory `git` (at `git_path`), queued as work
    // trees of their own below `worktree` (and below the work tree its core.worktree names).
    auto queue_index_gitlinks = [&](const Pending& p, int git, const std::string& git_path,
                                    const std::string& worktree) {
        const auto links = gitdir_gitlinks(git, kIndexBytes, kMaxGitlinks);
        if (!links) {
            if (before) return;
            // One the run wrote is the run's to answer for (padded past the bound, a gitlink
            // in it would go unseen); the host's own is named as unchecked.
            if (changed_since(git, "index", watch.start))
                report->add(git_path, git_path +
                                          "/index was written by the run and cannot be read "
                                          "for gitlinks (" +
                                          unreadable_index() +
                                          "): the host's git status would enter what it names");
            else
                report->notes.push_back(git_path + ": its index could not be read for gitlinks (" +
                                        unreadable_index() + ")");
            return;
        }
        // The work tree the index's paths are in: where the .git is, and where a core.worktree
        // of its config says (forty-sixth review's plain key: a gitlink there is entered too).
        std::vector<std::string> bases{worktree};
        if (const auto wt = config_core_worktree(git)) {
            char real[PATH_MAX];
            const std::string named = (*wt)[0] == '/' ? *wt : path_join(git_path, *wt);
            if (::realpath(named.c_str(), real) != nullptr && std::string(real) != worktree)
                bases.emplace_back(real);
        }
        for (const auto& link : *links) {
            // git refuses these in an index; a crafted one must not send the search elsewhere.
            if (link.empty() || link[0] == '/' || link == ".." || link.starts_with("../") ||
                link.find("/../") != std::string::npos || link.ends_with("/.."))
                continue;
            for (std::size_t b = 0; b < bases.size(); ++b) {
                Pending g{path_join(bases[b], link), p.depth + 1, p.linked || b > 0, false, p.dev};
                g.via_gitlink = true;
                queue.push_back(std::move(g));
            }
        }
    };
    // The gitlinks of the work tree `p` (listed in `l`, open on `dirfd`): where its index keeps
    // a submodule's commit, the host's `git status` there enters the repository at that path,
    // however deep (forty-sixth review: a gitlink to a repository three levels down, deeper
    // than the search). Each is queued as a work tree of its own, whose .git is judged (and
    // whose own gitlinks are followed in turn), before the run and after it. The top's own
    // index in protect mode is read-only, and its submodules' .git the plan's: not read.
    auto queue_gitlinks = [&](const Pending& p, int dirfd, const Listing& l) {
        if (watch.only_dangerous && p.depth == 0) return;
        UniqueFd git;
        std::string git_path;
        if (std::find(l.dirs.begin(), l.dirs.end(), ".git") != l.dirs.end()) {
            git.reset(::openat(dirfd, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            git_path = path_join(p.path, ".git");
        } else if (l.gitfile) {
            struct stat gst {};
            const auto text = pointer_text(dirfd, ".git", gst);
            if (!text || text->size() <= 8 || text->compare(0, 8, "gitdir: ") != 0) return;
            const std::string named = text->substr(8);
            git.reset(::openat(dirfd, named.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            git_path = named[0] == '/' ? named : path_join(p.path, named);
        }
        if (git) queue_index_gitlinks(p, git.get(), git_path, p.path);
    };
    while (!queue.empty()) {
        Pending p = std::move(queue.front());
        queue.pop_front();
        // The plan's git directories and what is inside them (a worktree's admin directory,
        // named by the .git file `git worktree add` wrote) are judged by the checks above.
        // Decided by name before anything is opened: a policy's thousands of protected
        // entries are each a directory skipped here.
        if (std::any_of(watch.git_dirs.begin(), watch.git_dirs.end(),
                        [&](const std::string& g) { return path_is_within(p.path, g); }) ||
            watch.read_only.covers(p.path)) {
            // ... except a `.git` the plan protects that a .git file or link the run wrote
            // leads to: git run below that pointer takes the protected repository's config
            // with a work tree of the run's choosing, and its relative core.hooksPath (husky's
            // .husky/_) then leads into that work tree (forty-ninth review: src/.git naming
            // ../.git, and src/.husky/_/pre-commit). git writes no such pointer itself: its
            // worktrees and submodules point inside it.
            struct stat hst {};
            if (!before && p.named_anew && path_base_name(p.path) == ".git")
                if (UniqueFd g = open_no_symlinks(AT_FDCWD, p.path.c_str(), O_PATH | O_DIRECTORY);
                    g && ::fstatat(g.get(), "HEAD", &hst, AT_SYMLINK_NOFOLLOW) == 0)
                    report->add(p.path,
                                p.path +
                                    " is the git directory of a repository the plan protects, "
                                    "and a .git file or link the run wrote leads to it: git run "
                                    "there would take that repository's config and hooks path "
                                    "with a work tree of the run's choosing");
            continue;
        }
        // By name, never through a symlink: the queue holds paths, not one descriptor each.
        UniqueFd fd = open_no_symlinks(AT_FDCWD, p.path.c_str(), O_RDONLY | O_DIRECTORY);
        struct stat dst {};
        if (!fd || ::fstat(fd.get(), &dst) != 0) continue;
        if (p.depth == 0) p.dev = dst.st_dev;
        if (dst.st_dev != p.dev && !p.linked) continue;  // another filesystem in the work tree
        // Each directory once: a link back to an ancestor (`ln -s . x`) would otherwise make
        // the search go round until its bound (seventh outside review).
        // A git directory a pointer the run wrote leads to is judged as such even when the
        // search came to it already (forty-ninth review: sub2/.git naming ../sub1/.git, the
        // host's repository with a relative hooksPath, passed as the host's own); once.
        if (!seen.insert({dst.st_dev, dst.st_ino}).second &&
            (!p.named_anew || !seen_anew.insert({dst.st_dev, dst.st_ino}).second))
            continue;
        // Directories the run made (or moved in) count apart, and running out of that bound
        // ends the run 120: the command could otherwise make thousands of empty directories
        // for the search to spend its bound on, and plant past them (seventh outside review).
        // The bound on the others is the host's tree being large: said, not fatal.
        const bool made_by_run = !before &&
                                 watch.visited_before.count({dst.st_dev, dst.st_ino}) == 0 &&
                                 since(dst, watch.start);
        if (before) visited_before->insert({dst.st_dev, dst.st_ino});
        if (p.via_gitlink) {
            if (++gitlinked > kMaxGitlinks) {
                if (before) continue;
                report->add(p.path, "more than " + std::to_string(kMaxGitlinks) +
                                        " gitlinks lead where the search for planted git "
                                        "directories looks (" +
                                        p.path +
                                        " is one): it cannot vouch for what lies past them");
                return;
            }
        } else if (made_by_run && ++made > watch.max_dirs) {
            report->add(p.path, "the run made more than " + std::to_string(watch.max_dirs) +
                                    " directories where the search for planted git "
                                    "directories looks (" +
                                    p.path + " is one): it cannot vouch for what lies past them");
            return;
        }
        if (!made_by_run && !p.via_gitlink && ++visited > watch.max_dirs) {
            cut = true;
            break;
        }
        Listing l;
        if (!list_dir(fd.get(), l)) continue;
        // A git directory, or the common directory of one (objects/, refs/ and a config but
        // no HEAD: what a planted worktree's commondir names).
        if ((l.head && ((l.objects && l.refs) || l.commondir)) ||
            (l.objects && l.refs && l.config)) {
            // A git directory: judged, never entered, except where the search starts (a
            // workspace made to look like one must not hide what is planted below it: found
            // writing this check's tests).
            if (before) {
                known->push_back(KnownGitDir{p.path, dst.st_dev, dst.st_ino,
                                             entry_identities(fd.get()),
                                             unusual_written(fd.get(), "config"),
                                             unusual_written(fd.get(), "config.worktree")});
            } else {
                judge(watch, p, fd.get(), dst, *report);
            }
            // Its submodules' git directories (modules/NAME, where `git submodule add` keeps
            // them): judged the same way, each a repository the host's git runs from when it
            // enters the submodule (forty-third review: a submodule's config changed, or one
            // planted there and staged as a gitlink, went unseen).
            for (const char* sub : {"modules", "worktrees"})
                if (std::find(l.dirs.begin(), l.dirs.end(), sub) != l.dirs.end())
                    queue_inside(p, fd.get(), sub);
            // The common directory its commondir names, where git takes the config from: judged
            // itself, wherever it is (forty-fifth review: worktrees/x/commondir "../.." with a
            // plant two levels up, deeper than the search, passed as the repository's own).
            if (l.commondir) queue_commondir(p, fd.get());
            // A linked worktree's administrative directory holds that worktree's index, whose
            // gitlinks are in the work tree its `gitdir` file names (forty-seventh review: a
            // worktree deeper than the search had a gitlink to a plant added unseen).
            struct stat gst {};
            if (const auto named =
                    l.commondir ? pointer_text(fd.get(), "gitdir", gst) : std::nullopt;
                named && (*named)[0] == '/' && path_base_name(*named) == ".git")
                queue_index_gitlinks(p, fd.get(), p.path, path_parent(*named));
            if (p.depth > 0) continue;
        }
        if (!p.enter) {
            // Not searched (a dependency tree, a directory above the workspace), but a work
            // tree all the same: its .git is judged (forty-fourth review: .venv/.git with an
            // fsmonitor went unseen).
            if (std::find(l.dirs.begin(), l.dirs.end(), ".git") != l.dirs.end())
                queue.push_back(
                    Pending{path_join(p.path, ".git"), p.depth + 1, p.linked, false, p.dev});
            follow_dot_git(p, fd.get(), l);
            queue_gitlinks(p, fd.get(), l);
            // A submodule named with a slash (forty-fifth review): its git directory is further
            // down modules/; each level counts against the search's bound.
            if (p.in_modules) {
                for (const auto& n : l.dirs)
                    queue.push_back(Pending{path_join(p.path, n), p.depth + 1, p.linked, false,
                                            p.dev, false, true});
                for (const auto& n : l.links) {
                    struct stat lst {};
                    if (::fstatat(fd.get(), n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0)
                        follow_pointer(path_join(p.path, n), p, since(lst, watch.start), true);
                }
            }
            continue;
        }
        if (p.depth >= watch.max_depth) {
            // Protect mode's look is two levels deep by design (sbxrun-policy(5)): its depth is
            // no news on every run. Its count is (a cut there is said, below). A work tree at
            // the last level still has its .git judged (forty-third review: vendor/lib's
            // config changed unseen); it is not entered.
            if (std::find(l.dirs.begin(), l.dirs.end(), ".git") != l.dirs.end())
                queue.push_back(
                    Pending{path_join(p.path, ".git"), p.depth + 1, p.linked, false, p.dev});
            follow_dot_git(p, fd.get(), l);
            queue_gitlinks(p, fd.get(), l);
            if (!l.dirs.empty() && !watch.only_dangerous) cut = true;
            continue;
        }
        for (const auto& n : l.dirs) {
            // In protect mode a dependency tree is judged itself but not entered: its
            // thousands of directories, where no one runs git, would take the bound from the
            // places where one does (sbxrun-policy(5) lists the names).
            const bool dependencies =
                std::find(std::begin(kDependencyDirs), std::end(kDependencyDirs), n) !=
                std::end(kDependencyDirs);
            queue.push_back(
                Pending{path_join(p.path, n), p.depth + 1, p.linked, !dependencies, p.dev});
        }
        // A link the run made to a directory elsewhere (a git directory planted in ${tmpdir},
        // linked from the workspace, is where the host's git lands after `cd link`): its
        // target is searched too, under the same bounds. Links older than the run are not.
        follow_dot_git(p, fd.get(), l);
        queue_gitlinks(p, fd.get(), l);
        for (const auto& n : l.links) {
            if (n == ".git") continue;  // follow_dot_git's
            const std::string link = path_join(p.path, n);
            struct stat lst {};
            if (::fstatat(fd.get(), n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0) continue;
            // Another link is searched through when the run made it, or when it leads into
            // a writable place, where the run could have planted (seventh outside review:
            // ws/build -> $TMPDIR/build, made by the user); one older than the run that leads
            // anywhere else leads where the host's user put it, out of the sandbox's reach.
            const bool anew = since(lst, watch.start);
            char real[PATH_MAX];
            if (::realpath(link.c_str(), real) == nullptr) continue;
            struct stat tst {};
            if (::stat(real, &tst) != 0 || !S_ISDIR(tst.st_mode)) continue;
            if (!anew &&
                std::none_of(watch.writable.begin(), watch.writable.end(),
                             [&](const std::string& w) { return path_is_within(real, w); }))
                continue;
            queue.push_back(Pending{real, p.depth + 1, true, true, p.dev, anew});
        }
    }
    if (cut && !before) {
        report->notes.push_back("the search for planted git directories stopped at its bound (" +
                                std::to_string(watch.max_dirs) + " directories, " +
                                std::to_string(watch.max_depth) + " levels) in " +
                                (watch.worktrees.empty() ? std::string() : watch.worktrees[0]));
    }
}

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
    search(w, &known, &visited, nullptr);
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

    search(watch, nullptr, nullptr, &report);
    return report;
}

}  // namespace sbx
