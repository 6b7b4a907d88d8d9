// How the after-run git check judges one git directory it found (git_judge.hpp).
#include "run/git_judge.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "fs/path.hpp"
#include "fs/read_bounded.hpp"
#include "run/git_danger.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// How many entries of hooks/ entry_identities reads (a hooks/ of thousands of files is no
// repository's: past it, change times decide).
constexpr std::size_t kHooksRecorded = 256;

// The entries whose change makes a git directory one the host's git would run code from.
constexpr const char* kCodeEntries[] = {"HEAD", "config", "config.worktree", "commondir", "hooks"};

// Whether a file in the git directory's hooks/, or in a directory there, changed since
// `start` (hooks/ itself may be a link to a directory: git follows it).
bool hook_changed(int gitdir_fd, const timespec& start) {
    const int hooks = ::openat(gitdir_fd, "hooks", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (hooks < 0) return false;
    std::size_t budget = 1024;
    return tree_changed(hooks, start, 3, budget);
}

// Whether what `path` leads to changed since `start`: the file itself, or what is inside it
// when it is a directory (three levels, as hooks' helpers lie).
bool target_changed(const std::string& path, const timespec& start) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    if (since(st, start)) return true;
    if (!S_ISDIR(st.st_mode)) return false;
    const int dfd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    std::size_t budget = 4096;
    return dfd >= 0 && tree_changed(dfd, start, 3, budget);
}

}  // namespace

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
    return target_changed(path, start);
}

namespace {

// Whether `a` and `b` (never followed) hold the same: regular files byte for byte, directories
// the same names with the same content, `depth` levels down; at most `budget` entries.
bool same_content(int adir, int bdir, const char* name, int depth, std::size_t& budget) {
    if (budget == 0 || --budget == 0) return false;
    struct stat as {
    }, bs{};
    if (::fstatat(adir, name, &as, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fstatat(bdir, name, &bs, AT_SYMLINK_NOFOLLOW) != 0 ||
        (as.st_mode & S_IFMT) != (bs.st_mode & S_IFMT) ||
        (as.st_mode & 0111) != (bs.st_mode & 0111))
        return false;
    if (S_ISREG(as.st_mode)) {
        if (as.st_size != bs.st_size || as.st_size > (1 << 20)) return false;
        UniqueFd af(::openat(adir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        UniqueFd bf(::openat(bdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (!af || !bf) return false;
        const BoundedRead ar = read_bounded(af.get(), 1 << 20);
        const BoundedRead br = read_bounded(bf.get(), 1 << 20);
        return !ar.too_large && !br.too_large && ar.sys_errno == 0 && br.sys_errno == 0 &&
               ar.text == br.text;
    }
    if (!S_ISDIR(as.st_mode) || depth == 0) return false;
    UniqueFd ad(::openat(adir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd bd(::openat(bdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!ad || !bd) return false;
    auto names = [](int fd) {
        std::vector<std::string> out;
        const int dup = ::dup(fd);
        DIR* d = dup >= 0 ? ::fdopendir(dup) : nullptr;
        if (d == nullptr) {
            if (dup >= 0) ::close(dup);
            return out;
        }
        while (const dirent* e = ::readdir(d))
            if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != ".." &&
                out.size() < 1024)
                out.emplace_back(e->d_name);
        ::closedir(d);
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto an = names(ad.get());
    if (an != names(bd.get())) return false;
    for (const auto& n : an)
        if (!same_content(ad.get(), bd.get(), n.c_str(), depth - 1, budget)) return false;
    return true;
}

}  // namespace

bool same_content(const std::string& a, const std::string& b) {
    if (path_base_name(a) != path_base_name(b)) return false;
    UniqueFd ap(::open(path_parent(a).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd bp(::open(path_parent(b).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    std::size_t budget = 1024;
    return ap && bp && same_content(ap.get(), bp.get(), path_base_name(a).c_str(), 3, budget);
}

namespace {

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

// The paths in this git directory's work trees (where its .git is or the pointer to it, its
// core.worktree, a linked worktree's) that the host's configuration (GitWatch::
// host_worktree_code: `core.hooksPath = .githooks` in ~/.gitconfig) and its own config name
// relative to a work tree. git runs them from there (forty-ninth review: sub/.githooks/
// pre-commit with the user's relative hooksPath; fiftieth session: a nested repository's own
// `core.fsmonitor = tools/fsmon.sh`, rewritten). At most 64.
struct CodePath {
    std::string worktree, rel;
    [[nodiscard]] std::string path() const { return path_join(worktree, rel); }
};
std::vector<CodePath> worktree_code_paths(const GitWatch& watch, const FoundGitDir& dir, int fd) {
    std::vector<std::string> names = watch.host_worktree_code;
    for (auto& n : config_worktree_code(fd))
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(std::move(n));
    std::vector<CodePath> out;
    if (names.empty()) return out;
    const std::string& git_path = dir.path;
    std::vector<std::string> worktrees{path_base_name(git_path) == ".git" ? path_parent(git_path)
                                                                          : git_path};
    if (!dir.pointer_dir.empty()) worktrees.push_back(dir.pointer_dir);
    if (const auto wt = config_core_worktree(fd))
        worktrees.push_back((*wt)[0] == '/' ? *wt : git_path + "/" + *wt);
    struct stat st {};
    if (const auto named = pointer_text(fd, "gitdir", st);
        named && (*named)[0] == '/' && path_base_name(*named) == ".git")
        worktrees.push_back(path_parent(*named));
    for (const auto& wt : worktrees)
        for (const auto& rel : names)
            if (out.size() < 64) out.push_back({wt, rel});
    return out;
}

// The identities of the entries on the way to `path` (lstat), as far as they exist.
std::vector<std::pair<dev_t, ino_t>> identities_on_the_way(const std::string& path) {
    std::vector<std::pair<dev_t, ino_t>> out;
    std::string sofar;
    std::string_view rest(path);
    while (!rest.empty()) {
        const auto slash = rest.find('/', 1);
        sofar += std::string(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
        struct stat st {};
        if (::lstat(sofar.c_str(), &st) != 0) break;
        out.emplace_back(st.st_dev, st.st_ino);
    }
    return out;
}

// The first of this git directory's work-tree code paths the run changed, or "". For a git
// directory known before the run, against what was recorded then (an entry on the way that is
// another now: moved or linked there); for one new to its place, anything on the way new.
std::string worktree_code_changed(const GitWatch& watch, const FoundGitDir& dir, int fd,
                                  const KnownGitDir* known) {
    for (const auto& code : worktree_code_paths(watch, dir, fd)) {
        const std::string path = code.path();
        const WorktreeCodePath* was = nullptr;
        if (known != nullptr)
            for (const auto& w : known->worktree_code)
                if (w.path == path) was = &w;
        if (was != nullptr
                ? (identities_on_the_way(path) != was->entries || target_changed(path, watch.start))
                : named_path_changed(code.worktree, code.rel, watch.start))
            return path;
    }
    return {};
}

}  // namespace

std::vector<WorktreeCodePath> record_worktree_code(const GitWatch& watch, const FoundGitDir& dir,
                                                   int fd) {
    std::vector<WorktreeCodePath> out;
    for (const auto& code : worktree_code_paths(watch, dir, fd)) {
        std::string path = code.path();
        auto ids = identities_on_the_way(path);
        out.push_back({std::move(path), std::move(ids)});
    }
    return out;
}

// A git directory found after the run: reported when the run made it, moved it here or changed
// what makes git run code in it (in protect mode only when what it holds would run code: a
// repository made by `git init` is everyday work there), never when it is the host's own,
// untouched.
void judge_git_dir(const GitWatch& watch, const FoundGitDir& p, int fd, const struct stat& dst,
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
    if (const std::string what = worktree_code_changed(watch, p, fd, known ? k : nullptr);
        !what.empty()) {
        report.add(what, what +
                             " was changed by the run, and the git configuration names it "
                             "as a hooks path or a program: the host's git with " +
                             p.path + " would run it");
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
    own.template_hooks = &watch.template_hooks;
    own.template_config = &watch.template_config;
    // Its hooks' identities as recorded, but a file they use changed: not the host's as it was.
    own.hooks = own.hooks && !hooks_changed;
    if (auto why = dangerous_repository(fd, own, p.path, watch.writable); !why.empty())
        report.add(p.path, p.path + how + ", and " + why + ": the host's git would use it");
}

}  // namespace sbx
