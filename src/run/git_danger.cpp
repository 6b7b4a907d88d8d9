#include "run/git_danger.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <span>

#include "fs/path.hpp"
#include "fs/read_bounded.hpp"
#include "plan/git_config.hpp"
#include "plan/gitdir.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// In protect mode a repository the command made with `git init` (a new project, cargo new, a
// test fixture) is everyday work, not an attack: what makes one dangerous to the host's git is
// its config and hooks. So there a new git directory is reported only when its config holds a
// key outside what git init and git clone write (core.fsmonitor, core.pager, an alias, an
// include, core.worktree: anything else may run code or send git elsewhere), when it has a
// commondir, or a hook that is not one of git's *.sample files. Commit mode reports every one.
constexpr std::string_view kPlainKeys[] = {
    "core.repositoryformatversion",
    "core.filemode",
    "core.bare",
    "core.logallrefupdates",
    "core.ignorecase",
    "core.precomposeunicode",
    "core.symlinks",
    "extensions.objectformat",
    "init.defaultbranch",
    "user.name",
    "user.email",
    // What `git clone --recurse-submodules` and `git submodule` write: a submodule's work tree,
    // and the submodule's URL and state in its superproject (forty-fifth review: a clone with
    // submodules ended 120). A URL runs nothing (git refuses the ext:: transport by default);
    // submodule.NAME.update, which can name a command, stays unusual.
    "core.worktree",
    // What `git clone --recurse-submodules` (submodule.active, a pathspec), `git
    // sparse-checkout` and a partial clone write (forty-sixth review: each ended 120). None
    // names a command or a file git reads code from.
    "submodule.active",
    "extensions.worktreeconfig",
    "extensions.partialclone",
    "core.sparsecheckout",
    "core.sparsecheckoutcone",
    "index.sparse",
    // Preferences a user or a tool sets in a clone (review 50: `git config pull.rebase false`,
    // which git itself suggests, `core.autocrlf`, `gc.auto 0` ended 120). Each is a value git
    // reads as a switch, a number or a name of its own; none names a command, a file or
    // another directory.
    "pull.rebase",
    "pull.ff",
    "push.default",
    "push.autosetupremote",
    "fetch.prune",
    "fetch.prunetags",
    "merge.ff",
    "merge.conflictstyle",
    "rebase.autostash",
    "rebase.autosquash",
    "rerere.enabled",
    "core.autocrlf",
    "core.eol",
    "core.safecrlf",
    "core.whitespace",
    "core.quotepath",
    "core.commentchar",
    "core.abbrev",
    "core.preloadindex",
    "core.untrackedcache",
    "core.checkstat",
    "core.trustctime",
    "core.compression",
    "core.longpaths",
    "gc.auto",
    "gc.autodetach",
    "diff.renames",
    "diff.algorithm",
    "diff.colormoved",
    "status.showuntrackedfiles",
    "log.date",
    "branch.autosetupmerge",
    "branch.autosetuprebase",
    "help.autocorrect",
    "i18n.commitencoding",
    "commit.gpgsign",
    "tag.gpgsign",
    "user.signingkey",
    "color.ui",
    // Review 51's: more of the same, and files git reads as data (a list of revisions to
    // ignore, a message template), a signature format whose program is git's default.
    "blame.ignorerevsfile",
    "submodule.recurse",
    "fetch.recursesubmodules",
    "push.followtags",
    "feature.manyfiles",
    "index.version",
    "maintenance.auto",
    "credential.username",
    "tag.sort",
    "diff.submodule",
    "status.submodulesummary",
    "column.ui",
    "log.showsignature",
    "user.useconfigonly",
    "commit.template",
    "gpg.format",
    "lfs.repositoryformatversion",
};
// remote.NAME.mirror, .promisor and .partialclonefilter: `git clone --mirror` and
// `--filter`; a push URL is a URL like the fetch one.
constexpr std::string_view kPlainSectionKeys[] = {"remote.url",        "remote.fetch",
                                                  "remote.pushurl",    "remote.mirror",
                                                  "remote.promisor",   "branch.remote",
                                                  "branch.merge",      "submodule.url",
                                                  "submodule.active",  "remote.partialclonefilter",
                                                  "branch.rebase",     "remote.prune",
                                                  "remote.tagopt",     "credential.username",
                                                  "branch.description"};
// Whole sections of preferences, with or without a subsection (color.diff.meta, advice.*).
constexpr std::string_view kPlainSections[] = {"color", "advice"};

// A value git reads as a boolean (git-config(1), Values).
bool boolean_value(std::string_view v) {
    std::string lower(v);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view b : {"true", "false", "yes", "no", "on", "off", "1", "0", ""})
        if (lower == b) return true;
    return false;
}

// The text of the git directory's file `name` (at most 1 MiB) when the run changed it.
std::optional<std::string> changed_text(int dirfd, const char* name, const timespec& start) {
    UniqueFd f(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!f || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) || !since(st, start))
        return std::nullopt;
    std::string text;
    char buf[65536];
    ssize_t got = 0;
    while (text.size() < (1u << 20) && (got = ::read(f.get(), buf, sizeof buf)) > 0)
        text.append(buf, static_cast<std::size_t>(got));
    return text;
}

// The lines of `text`, leading blanks and trailing CRs cut, the empty ones left out.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

// The merge strategies git has built in: any other is a program git runs.
bool builtin_strategy(std::string_view s) {
    for (std::string_view b : {"ort", "recursive", "resolve", "octopus", "ours", "subtree"})
        if (s == b) return true;
    return false;
}

// The text of a config file `name` in `dirfd` (at most 64 KiB): nullopt with `why` set when it
// cannot be judged, "" when there is none. `follow`: a link there is followed (an included
// file, as git reads it); else it is not (a git directory's own config, judged as a file).
std::optional<std::string> read_config(int dirfd, const char* name, bool follow, std::string& why) {
    // O_NONBLOCK: a FIFO named config would otherwise block sbxrun here forever, after the
    // command ended, with --timeout long spent (found by the sixth outside review).
    UniqueFd cfg(
        ::openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
    const std::string its = std::string("its ") + name;
    if (!cfg && errno != ENOENT) {
        why = its + " cannot be read as a file";
        return std::nullopt;
    }
    if (!cfg) return std::string();
    struct stat st {};
    if (::fstat(cfg.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        why = its + " is not a regular file";
        return std::nullopt;
    }
    std::string text;
    char buf[16384];
    ssize_t got = 0;
    while ((got = ::read(cfg.get(), buf, sizeof buf)) > 0 && text.size() <= 65536)
        text.append(buf, static_cast<std::size_t>(got));
    if (got < 0 || text.size() > 65536) {
        why = its + " is too large to judge";
        return std::nullopt;
    }
    return text;
}

// Why the config file `name` of a git directory would make git run code ("" when none, or
// when there is no such file). Entries written exactly as in `hosts` (the host's own, read
// before the run) do not count: only what the run added or changed (forty-fifth review:
// `git remote add` in a nested repository with an alias of the host's ended 120).
std::string config_danger(int dirfd, const char* name, const std::vector<std::string>& hosts) {
    std::string why;
    const auto text = config_text(dirfd, name, why);
    if (!text) return why;
    for (const auto& e : unusual_config_entries(*text))
        if (std::find(hosts.begin(), hosts.end(), e.written) == hosts.end())
            return std::string("its ") + name + " sets " + e.key +
                   ", which git init and git clone do not write";
    return {};
}

// The content of the regular file `name` in `dirfd` (never followed), at most `max` bytes;
// nullopt when it is something else or larger.
std::optional<std::string> small_file(int dirfd, const char* name, std::size_t max) {
    UniqueFd f(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!f || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::size_t>(st.st_size) > max)
        return std::nullopt;
    const BoundedRead r = read_bounded(f.get(), max);
    if (r.too_large || r.sys_errno != 0) return std::nullopt;
    return r.text;
}

constexpr std::size_t kTemplateHookMax = 64 * 1024;

// Why the hooks of a git directory would run code: a hook that is not one of git's samples,
// nor one of the host's template's, as it is there.
std::string hooks_danger(int dirfd, const TemplateHooks* templates) {
    struct stat st {};
    UniqueFd hooks(::openat(dirfd, "hooks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (hooks) {
        DIR* d = ::fdopendir(hooks.get());
        if (d != nullptr) {
            (void)hooks.release();
            std::string found;
            while (dirent* e = ::readdir(d)) {
                const std::string n = e->d_name;
                if (n == "." || n == ".." ||
                    (n.size() > 7 && n.compare(n.size() - 7, 7, ".sample") == 0))
                    continue;
                if (templates != nullptr) {
                    const auto t = std::find_if(templates->begin(), templates->end(),
                                                [&](const auto& h) { return h.first == n; });
                    if (t != templates->end() &&
                        small_file(::dirfd(d), n.c_str(), kTemplateHookMax) == t->second)
                        continue;
                }
                found = n;
                break;
            }
            ::closedir(d);
            if (!found.empty()) return "it has a hook, hooks/" + found;
        }
    } else if (::fstatat(dirfd, "hooks", &st, AT_SYMLINK_NOFOLLOW) == 0) {
        return "its hooks entry is not a directory";
    }
    return {};
}

}  // namespace

TemplateHooks read_template_hooks(const std::string& dir) {
    TemplateHooks out;
    if (dir.empty()) return out;
    UniqueFd hooks(
        ::open(path_join(dir, "hooks").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK));
    DIR* d = hooks ? ::fdopendir(hooks.get()) : nullptr;
    if (d == nullptr) return out;
    (void)hooks.release();
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n == "." || n == ".." || out.size() >= 64) continue;
        if (auto text = small_file(::dirfd(d), n.c_str(), kTemplateHookMax))
            out.emplace_back(n, std::move(*text));
    }
    ::closedir(d);
    return out;
}

bool since(const struct stat& st, const timespec& start) {
    if (st.st_ctim.tv_sec != start.tv_sec) return st.st_ctim.tv_sec > start.tv_sec;
    return st.st_ctim.tv_nsec >= start.tv_nsec;
}

// Whether `name` in `dirfd`, or what it leads to when it is a link, changed since `start`. git
// follows a hook, a config or a hooks/ that is a link, and a common layout keeps hooks in the
// work tree with links to them in .git/hooks: rewriting the file the link names is changing
// the hook (eighth outside review). Only stat() follows the link here; nothing is opened.
bool changed_since(int dirfd, const char* name, const timespec& start) {
    struct stat st {};
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    if (since(st, start)) return true;
    return S_ISLNK(st.st_mode) && ::fstatat(dirfd, name, &st, 0) == 0 && since(st, start);
}

// Whether anything in the directory on `fd` changed since `start`, down to `depth` levels
// (links followed, as git and a hook's `. lib/x.sh` follow them). `budget` bounds the entries
// looked at; past it, as if changed (a hooks/ of thousands of files is no repository's).
bool tree_changed(int fd, const timespec& start, int depth, std::size_t& budget) {
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
        return false;
    }
    bool changed = false;
    while (!changed) {
        const dirent* e = ::readdir(d);
        if (e == nullptr) break;
        if (e->d_name[0] == '.' &&
            (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0)))
            continue;
        if (budget == 0 || changed_since(::dirfd(d), e->d_name, start)) {
            changed = true;
            break;
        }
        --budget;
        // A file a hook sources from a directory beside it (hooks/lib/common.sh,
        // hooks/pre-commit.d/*): rewriting it in place changes neither the hook nor the
        // directory (forty-sixth review).
        struct stat st {};
        if (depth > 0 && ::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
            const int sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub >= 0) changed = tree_changed(sub, start, depth - 1, budget);
        }
    }
    ::closedir(d);
    return changed;
}

// Every key of a git config text that is not plain, in order, read as git reads it
// (plan/git_config.hpp). Where git would refuse the text, what it refuses is reported as one
// entry more: git stops reading there, but the text is the run's to explain.
std::vector<UnusualEntry> unusual_config_entries(std::string_view text) {
    std::vector<UnusualEntry> out;
    const GitConfigText config = parse_git_config(text);
    for (const auto& e : config.entries) {
        const std::string full = e.section + "." + e.key;
        bool plain = std::find(std::begin(kPlainSections), std::end(kPlainSections), e.section) !=
                     std::end(kPlainSections);
        for (auto k : e.has_subsection ? std::span<const std::string_view>(kPlainSectionKeys)
                                       : std::span<const std::string_view>(kPlainKeys))
            plain = plain || full == k;
        // core.fsmonitor = true is git's own daemon, not a command (review 51).
        if (full == "core.fsmonitor" && !e.has_subsection && boolean_value(e.value)) plain = true;
        if (!plain)
            out.push_back({e.has_subsection ? e.section + "." + e.subsection + "." + e.key : full,
                           e.written});
    }
    if (!config.valid) out.push_back({config.bad, config.bad});
    return out;
}

// The entries of the config file `name` that are not plain, as written ("" entries when it
// cannot be read: then it is judged whole after the run).
std::vector<std::string> unusual_written(int dirfd, const char* name) {
    std::string why;
    std::vector<std::string> out;
    if (auto text = config_text(dirfd, name, why))
        for (auto& e : unusual_config_entries(*text)) out.push_back(std::move(e.written));
    return out;
}

// The path a small pointer file of git's names (a commondir; a .git file, "gitdir: " cut off
// by the caller), its line ends removed: nullopt when `name` in `dirfd` is no regular file
// (never followed, never waited on: O_NONBLOCK for a FIFO) or holds nothing. `st` gets its
// metadata.
std::optional<std::string> pointer_text(int dirfd, const char* name, struct stat& st, bool follow) {
    UniqueFd f(::openat(dirfd, name,
                        O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW)));
    if (!f || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    char buf[PATH_MAX + 16];
    const ssize_t got = ::read(f.get(), buf, sizeof buf - 1);
    if (got <= 0) return std::nullopt;
    std::string text(buf, static_cast<std::size_t>(got));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) return std::nullopt;
    return text;
}

// Whether the git directory `dirfd`'s commondir leads to the repository two levels up: what
// `git worktree add` writes in worktrees/NAME (`../..`), whose config is that repository's own.
bool commondir_is_enclosing(int dirfd) {
    struct stat st {};
    const auto text = pointer_text(dirfd, "commondir", st);
    if (!text) return false;
    UniqueFd named(::openat(dirfd, text->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    UniqueFd up(::openat(dirfd, "../..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    struct stat a {
    }, b{};
    return named && up && ::fstat(named.get(), &a) == 0 && ::fstat(up.get(), &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Why the core.worktree of the git directory `dirfd` (at `path`) leads where git must not check
// files out, or "" (see dangerous_repository).
std::string worktree_danger(int dirfd, const std::string& path,
                            const std::vector<std::string>& writable) {
    const auto wt = config_core_worktree(dirfd);
    if (!wt || path.empty()) return {};
    const std::string named = (*wt)[0] == '/' ? *wt : path + "/" + *wt;
    // As git will find it: the directory if it is there, else its parent and its name.
    char real[PATH_MAX];
    std::string where;
    if (::realpath(named.c_str(), real) != nullptr) {
        where = real;
    } else {
        std::string parent = named, name;
        while (!parent.empty() && parent.back() == '/') parent.pop_back();
        const auto slash = parent.rfind('/');
        if (slash == std::string::npos) return "its core.worktree cannot be followed";
        name = parent.substr(slash + 1);
        parent.erase(slash == 0 ? 1 : slash);
        if (name == "." || name == ".." || ::realpath(parent.c_str(), real) == nullptr)
            return "its core.worktree (" + *wt + ") cannot be followed";
        where = std::string(real) + (std::string_view(real) == "/" ? "" : "/") + name;
    }
    // A work tree of this repository: where its .git is, or a checkout whose .git (a file or a
    // link: a submodule's) leads back to it. Anywhere else git would take that directory as
    // the work tree: a relative hooks path or fsmonitor there, and the files its next switch
    // checks out (forty-ninth review: ../../evilwt, hooks planted there).
    if (path_base_name(path) == ".git" && where == path_parent(path)) return {};
    struct stat self {
    }, back{};
    if (UniqueFd w(::open(where.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)); w) {
        if (::fstat(dirfd, &self) == 0 && ::fstatat(w.get(), ".git", &back, 0) == 0 &&
            S_ISDIR(back.st_mode) && back.st_dev == self.st_dev && back.st_ino == self.st_ino)
            return {};
        struct stat gst {};
        if (const auto text = pointer_text(w.get(), ".git", gst);
            const auto target = text ? gitfile_target(*text) : std::nullopt) {
            UniqueFd g(::openat(w.get(), target->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (g && ::fstat(g.get(), &back) == 0 && back.st_dev == self.st_dev &&
                back.st_ino == self.st_ino)
                return {};
        }
    }
    const std::string says = "its config's core.worktree leads to " + where;
    bool inside = false;
    for (const auto& root : writable) {
        if (where == root) return says + ", the top of a writable root (git would check out there)";
        if (where.size() > root.size() && where.compare(0, root.size(), root) == 0 &&
            (root == "/" || where[root.size()] == '/'))
            inside = true;
    }
    if (!inside) return says + ", outside every writable root (git would check out there)";
    if (where == path || where.starts_with(path + "/") ||
        where.find("/.git/") != std::string::npos || where.ends_with("/.git"))
        return says + ", inside a git directory (git would check out there)";
    return says + ", whose .git does not lead back to it (git would take its hooks path and " +
           "fsmonitor from there, and check out there)";
}

std::string dangerous_repository(int dirfd, const HostsOwn& own, const std::string& path,
                                 const std::vector<std::string>& writable) {
    struct stat st {};
    if (!own.commondir && ::fstatat(dirfd, "commondir", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        !commondir_is_enclosing(dirfd))
        return "it has a commondir (git would take its config from elsewhere)";
    if (!own.config) {
        std::vector<std::string> hosts = own.config_entries;
        if (own.template_config != nullptr)
            hosts.insert(hosts.end(), own.template_config->begin(), own.template_config->end());
        if (auto why = config_danger(dirfd, "config", hosts); !why.empty()) return why;
        if (auto why = worktree_danger(dirfd, path, writable); !why.empty()) return why;
    }
    // The per-worktree config git reads with extensions.worktreeConfig: as able to run code.
    if (!own.config_worktree)
        if (auto why = config_danger(dirfd, "config.worktree", own.config_worktree_entries);
            !why.empty())
            return why;
    return own.hooks ? std::string() : hooks_danger(dirfd, own.template_hooks);
}

std::optional<std::string> config_core_worktree(int dirfd) {
    std::string why;
    const auto text = config_text(dirfd, "config", why);
    if (!text) return std::nullopt;
    std::optional<std::string> out;
    for (const auto& e : parse_git_config(*text).entries)
        if (e.section == "core" && !e.has_subsection && e.key == "worktree" && e.has_value &&
            !e.value.empty())
            out = e.value;
    return out;
}

std::optional<std::string> config_text(int dirfd, const char* name, std::string& why) {
    return read_config(dirfd, name, false, why);
}

std::vector<std::string> config_worktree_code(int dirfd) {
    std::vector<std::string> out;
    for (const char* name : {"config", "config.worktree"}) {
        std::string why;
        const auto text = config_text(dirfd, name, why);
        if (!text) continue;
        for (const auto& e : config_code_paths(*text))
            if (relative_to_worktree(e.kind) && e.value[0] != '/' && e.value[0] != '~' &&
                std::find(out.begin(), out.end(), e.value) == out.end())
                out.push_back(e.value);
    }
    return out;
}

namespace {

// host_entry_target_changed, with includes `depth` levels down already: an included file's own
// include.path is relative to that file (forty-seventh review: the second level of a host's
// includes was rewritten unseen). git stops at ten levels.
std::string targets_changed(int base_fd, const std::string& worktree,
                            const std::vector<std::string>& written, const timespec& start,
                            int depth) {
    for (const std::string& entry : written) {
        // The header and the entry as written, read again as git reads them.
        const GitConfigText one = parse_git_config(entry);
        if (one.entries.size() != 1 || !one.entries[0].has_value) continue;
        const GitConfigEntry& e = one.entries[0];
        const std::string& section = e.section;
        const std::string& name = e.key;
        const std::string& target = e.value;
        if (target.empty() || target[0] == '~') continue;  // the home: not the run's to write
        if ((section == "include" && e.has_subsection) ||
            (section == "includeif" && !e.has_subsection))
            continue;
        const std::string label = section + "." + name + " " + target;
        if ((section == "include" || section == "includeif") && name == "path") {
            struct stat st {};
            // Made by the run where there was none, or changed (through a link too).
            if ((::fstatat(base_fd, target.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                 since(st, start)) ||
                changed_since(base_fd, target.c_str(), start))
                return label;
            if (depth >= 10) continue;
            const auto slash = target.rfind('/');
            const std::string dir = slash == std::string::npos ? "."
                                    : slash == 0               ? "/"
                                                               : target.substr(0, slash);
            UniqueFd dfd(::openat(base_fd, dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
            std::string unread;
            const std::string leaf = target.substr(slash + 1);
            const auto text =
                dfd ? read_config(dfd.get(), leaf.c_str(), true, unread) : std::nullopt;
            if (!text) continue;
            std::vector<std::string> more;
            for (auto& e : unusual_config_entries(*text)) more.push_back(std::move(e.written));
            if (auto why = targets_changed(dfd.get(), worktree, more, start, depth + 1);
                !why.empty())
                return label + ", which includes " + why;
        } else if (section == "core" && name == "hookspath") {
            std::string dir = target[0] == '/' ? target : worktree + "/" + target;
            while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
            // husky's layout: hooksPath .husky/_, whose stubs run .husky/<hook>.
            if (dir.ends_with("/.husky/_")) dir.resize(dir.size() - 2);
            struct stat st {};
            if (::lstat(dir.c_str(), &st) == 0 && since(st, start)) return label;
            const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            std::size_t budget = 1024;
            if (fd >= 0 && tree_changed(fd, start, 3, budget)) return label;
        }
    }
    return {};
}

}  // namespace

std::string host_entry_target_changed(int gitdir_fd, const std::string& worktree,
                                      const std::vector<std::string>& written,
                                      const timespec& start) {
    return targets_changed(gitdir_fd, worktree, written, start, 0);
}

std::optional<StoppedDanger> stopped_operation_danger(int dirfd, const timespec& start) {
    const std::string cont = "the host's git rebase --continue would run it";
    for (const char* todo : {"rebase-merge/git-rebase-todo", "sequencer/todo"}) {
        const auto text = changed_text(dirfd, todo, start);
        if (!text) continue;
        for (std::string_view line : lines_of(*text)) {
            for (std::string_view verb : {"exec", "x"})
                if (line.size() > verb.size() && line.starts_with(verb) &&
                    (line[verb.size()] == ' ' || line[verb.size()] == '\t'))
                    return StoppedDanger{
                        todo, "was left by the run with '" + std::string(line) + "': " + cont};
        }
    }
    auto strategy = [&](const char* entry, std::string_view name) -> std::optional<StoppedDanger> {
        if (builtin_strategy(name)) return std::nullopt;
        return StoppedDanger{entry, "was left by the run naming the merge strategy '" +
                                        std::string(name) +
                                        "': the host's git rebase --continue (or cherry-pick "
                                        "--continue) would run git-merge-" +
                                        std::string(name)};
    };
    if (const auto text = changed_text(dirfd, "rebase-merge/strategy", start)) {
        const auto lines = lines_of(*text);
        if (!lines.empty())
            if (auto d = strategy("rebase-merge/strategy", lines.front())) return d;
    }
    // The sequencer's options are a config file: [options] strategy = NAME.
    if (const auto text = changed_text(dirfd, "sequencer/opts", start)) {
        for (const auto& e : parse_git_config(*text).entries)
            if (e.section == "options" && e.key == "strategy" && e.has_value)
                if (auto d = strategy("sequencer/opts", e.value)) return d;
    }
    return std::nullopt;
}

}  // namespace sbx
