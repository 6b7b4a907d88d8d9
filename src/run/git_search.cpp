// The after-run git check's search (git_search.hpp).
#include "run/git_search.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <deque>
#include <iterator>
#include <optional>

#include "fs/path.hpp"
#include "plan/git_config.hpp"
#include "plan/gitdir.hpp"
#include "run/git_danger.hpp"
#include "run/git_index.hpp"
#include "run/git_judge.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

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
    bool via_gitlink = false;      // queued from an index's gitlink: counted on a bound of its own
    std::string pointer_dir = {};  // the directory of the .git file or link that named it
};

// Whether resolving `path` passes through a magic link (/proc/self/cwd, /proc/PID/root,
// /dev/fd/N): it then leads where the process resolving it is, so sbxrun's answer is not the
// host's git's (fiftieth session: `gitdir: /proc/self/cwd/../.git` in sub/.git is sub/../.git
// to git in sub). git writes no such pointer.
bool through_magic_link(const std::string& path) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
    if (fd >= 0) {
        ::close(static_cast<int>(fd));
        return false;
    }
    if (errno == ELOOP) return true;
    // No openat2 (before Linux 5.6): by the spelling.
    return errno == ENOSYS && (path.starts_with("/proc/") || path.starts_with("/dev/fd/"));
}

// What the .git of the directory `dir` (open on `dirfd`, listed in `l`) names, as git reads it:
// a regular file's "gitdir: X", or a symlink, which git follows to a directory (the git
// directory itself) or to a file whose "gitdir: X" it takes relative to `dir`, where it named
// .git, not to where the link leads (fiftieth session: sub/.git -> ../a/b/gf holding
// "gitdir: ../.git" is the protected .git to git in sub). `anew`: the link or the file
// changed since `start`.
struct DotGit {
    std::string named;  // absolute, as spelled
    bool anew = false;
    bool gitfile = false;  // named by a file's "gitdir: " (else the link leads to a directory)
};
std::optional<DotGit> dot_git(const std::string& dir, int dirfd, const Listing& l,
                              const timespec& start) {
    const bool link = std::find(l.links.begin(), l.links.end(), ".git") != l.links.end();
    if (!l.gitfile && !link) return std::nullopt;
    struct stat lst {
    }, st{};
    if (::fstatat(dirfd, ".git", &lst, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fstatat(dirfd, ".git", &st, 0) != 0)
        return std::nullopt;
    DotGit g;
    g.anew = since(lst, start);
    if (S_ISDIR(st.st_mode)) {
        g.named = path_join(dir, ".git");
        return g;
    }
    if (!S_ISREG(st.st_mode)) return std::nullopt;
    struct stat fst {};
    const auto text = pointer_text(dirfd, ".git", fst, /*follow=*/true);
    const auto named = text ? gitfile_target(*text) : std::nullopt;
    if (!named) return std::nullopt;
    g.anew = g.anew || since(fst, start);
    g.named = (*named)[0] == '/' ? *named : path_join(dir, *named);
    g.gitfile = true;
    return g;
}

// Whether the git directory a pointer led to names the pointer's directory back as its work
// tree, as git writes the two: a linked worktree's admin directory whose `gitdir` file names
// that .git, or a submodule's git directory whose core.worktree leads there.
bool names_back(const std::string& git_path, const std::string& pointer_dir) {
    if (pointer_dir.empty()) return false;
    char want[PATH_MAX];
    if (::realpath(pointer_dir.c_str(), want) == nullptr) return false;
    UniqueFd g = open_no_symlinks(AT_FDCWD, git_path.c_str(), O_RDONLY | O_DIRECTORY);
    if (!g) return false;
    char real[PATH_MAX];
    struct stat st {};
    if (const auto named = pointer_text(g.get(), "gitdir", st);
        named && (*named)[0] == '/' && path_base_name(*named) == ".git" &&
        ::realpath(path_parent(*named).c_str(), real) != nullptr && std::string(real) == want)
        return true;
    if (const auto wt = config_core_worktree(g.get())) {
        const std::string named = (*wt)[0] == '/' ? *wt : path_join(git_path, *wt);
        if (::realpath(named.c_str(), real) != nullptr && std::string(real) == want) return true;
    }
    return false;
}

// The search, before the run (`known`: every git directory found is recorded, nothing judged)
// and after it (`report`). The same places both times, so that "not there before" means new
// to its place: made, or moved in from deeper than the search goes, whatever its files' times
// (a repository built 15 levels deep by one run and moved next to the workspace's top by the
// next: found by the sixth outside review). One queue and its bounds; each method queues what
// one kind of entry leads to.
class GitSearch {
public:
    GitSearch(const GitWatch& watch, std::vector<KnownGitDir>* known,
              std::set<std::pair<dev_t, ino_t>>* visited_before, GitIntegrityReport* report)
        : watch_(watch),
          known_(known),
          visited_before_(visited_before),
          report_(report),
          before_(report == nullptr) {}

    void run();

private:
    enum class Admit { visit, skip, stop, cut };
    // Whether `p` (whose fstat is `dst`) is searched: each directory once, within the bounds
    // (stop: a bound the run exhausted, reported; cut: the host's tree is larger, said).
    Admit admit(Pending& p, const struct stat& dst);
    // Whether `p` lies in one of the plan's git directories (or a read-only place): not searched.
    bool plans_own(const Pending& p);
    // A git directory found: recorded or judged, and what it leads to queued. True when the
    // search does not go below it (everywhere but where the search starts).
    bool at_git_dir(const Pending& p, int fd, const struct stat& dst, const Listing& l);
    // The local repositories the remotes of the git directory on `fd` lead to, queued.
    void queue_local_remotes(const Pending& p, int fd);
    // A directory not entered: its .git, pointers and gitlinks are followed all the same.
    void at_lone_dir(const Pending& p, int fd, const Listing& l);
    // The symlinks in `p` the search follows, and its .git pointer and gitlinks.
    void queue_links(const Pending& p, int fd, const Listing& l);
    // What a .git file or link, a modules/ or worktrees/ entry, a commondir, an index's
    // gitlinks lead to, queued (each says why below).
    // True when it was queued (last).
    bool follow_pointer(const std::string& named, const Pending& p, bool anew,
                        bool in_modules = false);
    void queue_inside(const Pending& p, int git_dir_fd, const char* sub);
    void queue_commondir(const Pending& p, int git_dir_fd);
    void follow_dot_git(const Pending& p, int dirfd, const Listing& l);
    void queue_index_gitlinks(const Pending& p, int git, const std::string& git_path,
                              const std::string& worktree);
    void queue_gitlinks(const Pending& p, int dirfd, const Listing& l);

    const GitWatch& watch_;
    std::vector<KnownGitDir>* known_;
    std::set<std::pair<dev_t, ino_t>>* visited_before_;
    GitIntegrityReport* report_;
    const bool before_;
    std::size_t visited_ = 0, made_ = 0, gitlinked_ = 0;
    std::set<std::pair<dev_t, ino_t>> seen_, seen_anew_;
    std::deque<Pending> queue_;
};

// A .git file or symlink names the git directory git uses there, wherever it is: it is
// judged by what it holds whatever its age and the pointer's (a pointer written by one run
// into ${tmpdir}, where nothing is searched, and the directory made there by the next:
// found by the sixth outside review).
// `anew`: the run wrote the pointer, a new way into that directory: judged even when the
// directory was there before.
// `in_modules`: a link inside modules/, where a submodule named with a slash may lie
// further down (forty-sixth review: modules/libs replaced by a link went unseen).
bool GitSearch::follow_pointer(const std::string& named, const Pending& p, bool anew,
                               bool in_modules) {
    if (through_magic_link(named)) {
        if (!before_ && anew)
            report_->add(named, named + " is named by a pointer the run wrote in " + p.path +
                                    " (a .git file or link, a link in modules/), through a magic "
                                    "link of /proc: it leads where the "
                                    "process that reads it is, and git there would go elsewhere "
                                    "than the check can follow");
        return false;
    }
    char real[PATH_MAX];
    struct stat tst {};
    if (::realpath(named.c_str(), real) == nullptr || ::stat(real, &tst) != 0 ||
        !S_ISDIR(tst.st_mode))
        return false;
    queue_.push_back(Pending{real, p.depth + 1, true, false, p.dev, anew, in_modules});
    return true;
}

// The entries of a git directory's modules/ or worktrees/ (`sub`, below `git_dir_fd`), each
// queued to be judged: a submodule's git directory (further down for a name with a slash),
// or a linked worktree's administrative directory (its commondir leads back to the
// repository; forty-fourth review: one rewritten to lead to a plant, or replaced by one,
// went unseen).
void GitSearch::queue_inside(const Pending& p, int git_dir_fd, const char* sub) {
    UniqueFd mfd = open_no_symlinks(git_dir_fd, sub, O_RDONLY | O_DIRECTORY);
    Listing m;
    if (!mfd || !list_dir(mfd.get(), m)) return;
    const std::string base = path_join(p.path, sub);
    const bool modules = std::string_view(sub) == "modules";
    for (const auto& n : m.dirs)
        queue_.push_back(
            Pending{path_join(base, n), p.depth + 1, p.linked, false, p.dev, false, modules});
    // One replaced by a link (forty-fourth review): judged where it leads, as a .git
    // link is.
    for (const auto& n : m.links) {
        struct stat lst {};
        if (::fstatat(mfd.get(), n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0)
            follow_pointer(path_join(base, n), p, since(lst, watch_.start), modules);
    }
}

// The directory the commondir of the git directory `git_dir_fd` names, queued to be judged
// (not as named anew: the host's own, unchanged, passes as any known one does).
void GitSearch::queue_commondir(const Pending& p, int git_dir_fd) {
    struct stat st {};
    if (const auto text = pointer_text(git_dir_fd, "commondir", st))
        follow_pointer((*text)[0] == '/' ? *text : path_join(p.path, *text), p, false);
}

// A `.git` file the run wrote (a gitlink it staged, entered by the host's `git status` at
// the top, or a directory the user may cd into) or a `.git` link: the git directory it
// names is searched too, wherever it is (${tmpdir} is writable but not searched
// otherwise), also at the search's last level (forty-fourth review: src/x/.git written
// there, pointing at a plant, went unseen).
void GitSearch::follow_dot_git(const Pending& p, int dirfd, const Listing& l) {
    const auto g = dot_git(p.path, dirfd, l, watch_.start);
    if (g && follow_pointer(g->named, p, g->anew)) queue_.back().pointer_dir = p.path;
}

// The gitlinks of the index of the git directory `git` (at `git_path`), queued as work
// trees of their own below `worktree` (and below the work tree its core.worktree names).
void GitSearch::queue_index_gitlinks(const Pending& p, int git, const std::string& git_path,
                                     const std::string& worktree) {
    const auto links = gitdir_gitlinks(git, kIndexBytes, kMaxGitlinks);
    if (!links) {
        if (before_) return;
        // One the run wrote is the run's to answer for (padded past the bound, a gitlink
        // in it would go unseen); the host's own is named as unchecked.
        if (changed_since(git, "index", watch_.start))
            report_->add(git_path, git_path +
                                       "/index was written by the run and cannot be read "
                                       "for gitlinks (" +
                                       unreadable_index() +
                                       "): the host's git status would enter what it names");
        else
            report_->notes.push_back(git_path + ": its index could not be read for gitlinks (" +
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
            queue_.push_back(std::move(g));
        }
    }
}

// The gitlinks of the work tree `p` (listed in `l`, open on `dirfd`): where its index keeps
// a submodule's commit, the host's `git status` there enters the repository at that path,
// however deep (forty-sixth review: a gitlink to a repository three levels down, deeper
// than the search). Each is queued as a work tree of its own, whose .git is judged (and
// whose own gitlinks are followed in turn), before the run and after it. The top's own
// index in protect mode is read-only, and its submodules' .git the plan's: not read.
void GitSearch::queue_gitlinks(const Pending& p, int dirfd, const Listing& l) {
    if (watch_.only_dangerous && p.depth == 0) return;
    UniqueFd git;
    std::string git_path;
    if (std::find(l.dirs.begin(), l.dirs.end(), ".git") != l.dirs.end()) {
        git.reset(::openat(dirfd, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        git_path = path_join(p.path, ".git");
    } else if (const auto g = dot_git(p.path, dirfd, l, watch_.start);
               g && !through_magic_link(g->named)) {
        git.reset(::open(g->named.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        git_path = g->named;
    }
    if (git) queue_index_gitlinks(p, git.get(), git_path, p.path);
}

bool GitSearch::plans_own(const Pending& p) {
    // The plan's git directories and what is inside them (a worktree's admin directory,
    // named by the .git file `git worktree add` wrote) are judged by check_git itself.
    // Decided by name before anything is opened: a policy's thousands of protected
    // entries are each a directory skipped here.
    if (std::none_of(watch_.git_dirs.begin(), watch_.git_dirs.end(),
                     [&](const std::string& g) { return path_is_within(p.path, g); }) &&
        !watch_.read_only.covers(p.path))
        return false;
    // ... except a git directory there that a .git file or link the run wrote leads to: git
    // run below that pointer takes that repository's config with a work tree of the run's
    // choosing, and its relative core.hooksPath (husky's .husky/_) then leads into that work
    // tree (forty-ninth review: src/.git naming ../.git; review 51: y/.git naming the admin
    // directory of the host's linked worktree, .git/worktrees/wt). git writes such a pointer
    // only for the work tree the directory names back: a worktree's `gitdir` file, a
    // submodule's core.worktree (fiftieth session: a worktree the run added, whose gitdir it
    // then rewrote to lead elsewhere).
    struct stat hst {};
    if (!before_ && p.named_anew)
        if (UniqueFd g = open_no_symlinks(AT_FDCWD, p.path.c_str(), O_PATH | O_DIRECTORY);
            g && ::fstatat(g.get(), "HEAD", &hst, AT_SYMLINK_NOFOLLOW) == 0 &&
            !names_back(p.path, p.pointer_dir) &&
            (!p.pointer_dir.empty() || path_base_name(p.path) == ".git"))
            report_->add(
                p.path, p.path +
                            " is a git directory of a repository the plan protects, "
                            "and a .git file or link the run wrote in " +
                            (p.pointer_dir.empty() ? std::string("the work tree") : p.pointer_dir) +
                            " leads to it: git run there would take that repository's "
                            "config and hooks path with a work tree of the run's "
                            "choosing");
    return true;
}

GitSearch::Admit GitSearch::admit(Pending& p, const struct stat& dst) {
    if (p.depth == 0) p.dev = dst.st_dev;
    if (dst.st_dev != p.dev && !p.linked) return Admit::skip;  // another filesystem
    // Each directory once: a link back to an ancestor (`ln -s . x`) would otherwise make
    // the search go round until its bound (seventh outside review).
    // A git directory a pointer the run wrote leads to is judged as such even when the
    // search came to it already (forty-ninth review: sub2/.git naming ../sub1/.git, the
    // host's repository with a relative hooksPath, passed as the host's own); once.
    if (!seen_.insert({dst.st_dev, dst.st_ino}).second &&
        (!p.named_anew || !seen_anew_.insert({dst.st_dev, dst.st_ino}).second))
        return Admit::skip;
    // Directories the run made (or moved in) count apart, and running out of that bound
    // ends the run 120: the command could otherwise make thousands of empty directories
    // for the search to spend its bound on, and plant past them (seventh outside review).
    // The bound on the others is the host's tree being large: said, not fatal.
    const bool made_by_run = !before_ &&
                             watch_.visited_before.count({dst.st_dev, dst.st_ino}) == 0 &&
                             since(dst, watch_.start);
    if (before_) visited_before_->insert({dst.st_dev, dst.st_ino});
    if (p.via_gitlink) {
        if (++gitlinked_ > kMaxGitlinks) {
            if (before_) return Admit::skip;
            report_->add(p.path, "more than " + std::to_string(kMaxGitlinks) +
                                     " gitlinks lead where the search for planted git "
                                     "directories looks (" +
                                     p.path + " is one): it cannot vouch for what lies past them");
            return Admit::stop;
        }
    } else if (made_by_run && ++made_ > watch_.max_dirs) {
        report_->add(p.path, "the run made more than " + std::to_string(watch_.max_dirs) +
                                 " directories where the search for planted git "
                                 "directories looks (" +
                                 p.path + " is one): it cannot vouch for what lies past them");
        return Admit::stop;
    }
    if (!made_by_run && !p.via_gitlink && ++visited_ > watch_.max_dirs) return Admit::cut;
    return Admit::visit;
}

bool GitSearch::at_git_dir(const Pending& p, int fd, const struct stat& dst, const Listing& l) {
    // A git directory: judged, never entered, except where the search starts (a
    // workspace made to look like one must not hide what is planted below it: found
    // writing this check's tests).
    if (before_) {
        known_->push_back(KnownGitDir{
            p.path, dst.st_dev, dst.st_ino, entry_identities(fd), unusual_written(fd, "config"),
            unusual_written(fd, "config.worktree"),
            record_worktree_code(watch_, FoundGitDir{p.path, p.named_anew, p.pointer_dir}, fd)});
    } else {
        judge_git_dir(watch_, FoundGitDir{p.path, p.named_anew, p.pointer_dir}, fd, dst, *report_);
    }
    // Its submodules' git directories (modules/NAME, where `git submodule add` keeps
    // them): judged the same way, each a repository the host's git runs from when it
    // enters the submodule (forty-third review: a submodule's config changed, or one
    // planted there and staged as a gitlink, went unseen).
    for (const char* sub : {"modules", "worktrees"})
        if (std::find(l.dirs.begin(), l.dirs.end(), sub) != l.dirs.end()) queue_inside(p, fd, sub);
    // The common directory its commondir names, where git takes the config from: judged
    // itself, wherever it is (forty-fifth review: worktrees/x/commondir "../.." with a
    // plant two levels up, deeper than the search, passed as the repository's own).
    if (l.commondir) queue_commondir(p, fd);
    // The repositories its remotes lead to on this machine: the host's git push runs their
    // hooks (review 52: a clone the run made in vendor/lib, its origin a repository with a
    // pre-receive hook the run made in ${tmpdir}). Each is judged where git would find it;
    // as the run's when the config naming it changed since the run started.
    queue_local_remotes(p, fd);
    // A linked worktree's administrative directory holds that worktree's index, whose
    // gitlinks are in the work tree its `gitdir` file names (forty-seventh review: a
    // worktree deeper than the search had a gitlink to a plant added unseen).
    struct stat gst {};
    if (const auto named = l.commondir ? pointer_text(fd, "gitdir", gst) : std::nullopt;
        named && (*named)[0] == '/' && path_base_name(*named) == ".git")
        queue_index_gitlinks(p, fd, p.path, path_parent(*named));
    return p.depth > 0;
}

void GitSearch::queue_local_remotes(const Pending& p, int fd) {
    if (before_) return;
    std::string why;
    const auto text = config_text(fd, "config", why);
    std::vector<GitConfigEntry> entries;
    if (text) entries = parse_git_config(*text).entries;
    // And the remotes of remotes/ and branches/, as the plan reads a protected repository's.
    LegacyRemotes legacy = read_legacy_remotes(fd);
    std::move(legacy.entries.begin(), legacy.entries.end(), std::back_inserter(entries));
    const std::string worktree = path_base_name(p.path) == ".git" ? path_parent(p.path) : p.path;
    const LocalRemotes remotes = local_remote_paths(entries, worktree, watch_.home);
    // Past the bounds, a remote the run planted a hook in could be among those not read.
    if (legacy.truncated || remotes.truncated)
        report_->add(p.path, p.path + " names more than " + std::to_string(kMaxLocalRemotes) +
                                 " repositories on this machine as remotes, or holds more than " +
                                 std::to_string(kMaxLegacyRemoteFiles) +
                                 " files in remotes/ or branches/: the check cannot judge them "
                                 "all");
    for (const auto& path : remotes.paths)
        for (std::string candidate : local_repository_candidates(path)) {
            // A file there holding "gitdir: X" is followed, as git's enter_repo does (review
            // 53: pushurl = upx, and upx a gitfile naming a repository with a hook). A file
            // the run wrote is a pointer: judged with the rest.
            struct stat pst {};
            bool pointer_changed = false;
            if (const auto text = pointer_text(AT_FDCWD, candidate.c_str(), pst)) {
                // Read as git reads a .git file (plan/gitdir.hpp).
                const auto parsed = gitfile_target(*text);
                if (!parsed) continue;  // git would not use it either
                const std::string target = *parsed;
                pointer_changed = since(pst, watch_.start);
                candidate = target[0] == '/' ? target : path_parent(candidate) + "/" + target;
            }
            UniqueFd g(::open(candidate.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            struct stat hst {};
            if (!g || ::fstatat(g.get(), "HEAD", &hst, 0) != 0) continue;
            // Judged when the run made it or changed what runs code in it: a clone's origin
            // that is the host's own repository, untouched, is the host's.
            bool changed = pointer_changed;
            for (const char* e : {"HEAD", "config", "config.worktree", "commondir", "hooks"})
                changed = changed || changed_since(g.get(), e, watch_.start);
            if (const int hooks = ::openat(g.get(), "hooks", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                hooks >= 0) {
                std::size_t budget = 1024;
                changed = changed || tree_changed(hooks, watch_.start, 3, budget);
            }
            if (changed) {
                HostsOwn own;
                own.template_hooks = &watch_.template_hooks;
                own.template_config = &watch_.template_config;
                if (const std::string danger =
                        dangerous_repository(g.get(), own, candidate, watch_.writable);
                    !danger.empty())
                    report_->add(candidate, candidate + " is a repository a remote of " + p.path +
                                                " leads to, which the run made or changed, and " +
                                                danger +
                                                ": the host's git push there would run it");
            }
            break;
        }
}

void GitSearch::at_lone_dir(const Pending& p, int fd, const Listing& l) {
    // Not searched (a dependency tree, a directory above the workspace), but a work
    // tree all the same: its .git is judged (forty-fourth review: .venv/.git with an
    // fsmonitor went unseen).
    if (std::find(l.dirs.begin(), l.dirs.end(), ".git") != l.dirs.end())
        queue_.push_back(Pending{path_join(p.path, ".git"), p.depth + 1, p.linked, false, p.dev});
    follow_dot_git(p, fd, l);
    queue_gitlinks(p, fd, l);
    // A submodule named with a slash (forty-fifth review): its git directory is further
    // down modules/; each level counts against the search's bound.
    if (p.in_modules) {
        for (const auto& n : l.dirs)
            queue_.push_back(
                Pending{path_join(p.path, n), p.depth + 1, p.linked, false, p.dev, false, true});
        for (const auto& n : l.links) {
            struct stat lst {};
            if (::fstatat(fd, n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0)
                follow_pointer(path_join(p.path, n), p, since(lst, watch_.start), true);
        }
    }
}

void GitSearch::queue_links(const Pending& p, int fd, const Listing& l) {
    // A link the run made to a directory elsewhere (a git directory planted in ${tmpdir},
    // linked from the workspace, is where the host's git lands after `cd link`): its
    // target is searched too, under the same bounds. Links older than the run are not.
    follow_dot_git(p, fd, l);
    queue_gitlinks(p, fd, l);
    for (const auto& n : l.links) {
        if (n == ".git") continue;  // follow_dot_git's
        const std::string link = path_join(p.path, n);
        struct stat lst {};
        if (::fstatat(fd, n.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0) continue;
        // Another link is searched through when the run made it, or when it leads into
        // a writable place, where the run could have planted (seventh outside review:
        // ws/build -> $TMPDIR/build, made by the user); one older than the run that leads
        // anywhere else leads where the host's user put it, out of the sandbox's reach.
        const bool anew = since(lst, watch_.start);
        char real[PATH_MAX];
        if (::realpath(link.c_str(), real) == nullptr) continue;
        struct stat tst {};
        if (::stat(real, &tst) != 0 || !S_ISDIR(tst.st_mode)) continue;
        if (!anew && std::none_of(watch_.writable.begin(), watch_.writable.end(),
                                  [&](const std::string& w) { return path_is_within(real, w); }))
            continue;
        queue_.push_back(Pending{real, p.depth + 1, true, true, p.dev, anew});
    }
}

void GitSearch::run() {
    for (const auto& root : watch_.worktrees) queue_.push_back(Pending{root, 0});
    for (const auto& dir : watch_.lone_dirs) queue_.push_back(Pending{dir, 0, false, false});
    bool cut = false;
    while (!queue_.empty()) {
        Pending p = std::move(queue_.front());
        queue_.pop_front();
        if (plans_own(p)) continue;
        // By name, never through a symlink: the queue holds paths, not one descriptor each.
        UniqueFd fd = open_no_symlinks(AT_FDCWD, p.path.c_str(), O_RDONLY | O_DIRECTORY);
        struct stat dst {};
        if (!fd || ::fstat(fd.get(), &dst) != 0) continue;
        const Admit a = admit(p, dst);
        if (a == Admit::stop) return;
        if (a == Admit::cut) {
            cut = true;
            break;
        }
        if (a == Admit::skip) continue;
        Listing l;
        if (!list_dir(fd.get(), l)) continue;
        // A git directory, or the common directory of one (objects/, refs/ and a config but
        // no HEAD: what a planted worktree's commondir names).
        if (((l.head && ((l.objects && l.refs) || l.commondir)) ||
             (l.objects && l.refs && l.config)) &&
            at_git_dir(p, fd.get(), dst, l))
            continue;
        if (!p.enter) {
            at_lone_dir(p, fd.get(), l);
            continue;
        }
        if (p.depth >= watch_.max_depth) {
            // Protect mode's look is two levels deep by design (sbxrun-policy(5)): its depth is
            // no news on every run. Its count is (a cut there is said, below). A work tree at
            // the last level still has its .git judged (forty-third review: vendor/lib's
            // config changed unseen); it is not entered.
            if (std::find(l.dirs.begin(), l.dirs.end(), ".git") != l.dirs.end())
                queue_.push_back(
                    Pending{path_join(p.path, ".git"), p.depth + 1, p.linked, false, p.dev});
            follow_dot_git(p, fd.get(), l);
            queue_gitlinks(p, fd.get(), l);
            if (!l.dirs.empty() && !watch_.only_dangerous) cut = true;
            continue;
        }
        for (const auto& n : l.dirs) {
            // In protect mode a dependency tree is judged itself but not entered: its
            // thousands of directories, where no one runs git, would take the bound from the
            // places where one does (sbxrun-policy(5) lists the names).
            const bool dependencies =
                std::find(std::begin(kDependencyDirs), std::end(kDependencyDirs), n) !=
                std::end(kDependencyDirs);
            queue_.push_back(
                Pending{path_join(p.path, n), p.depth + 1, p.linked, !dependencies, p.dev});
        }
        queue_links(p, fd.get(), l);
    }
    if (cut && !before_) {
        report_->notes.push_back("the search for planted git directories stopped at its bound (" +
                                 std::to_string(watch_.max_dirs) + " directories, " +
                                 std::to_string(watch_.max_depth) + " levels) in " +
                                 (watch_.worktrees.empty() ? std::string() : watch_.worktrees[0]));
    }
}

}  // namespace

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

void search_git_dirs(const GitWatch& watch, std::vector<KnownGitDir>* known,
                     std::set<std::pair<dev_t, ino_t>>* visited_before,
                     GitIntegrityReport* report) {
    GitSearch(watch, known, visited_before, report).run();
}

}  // namespace sbx
