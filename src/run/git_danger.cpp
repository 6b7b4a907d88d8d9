#include "run/git_danger.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

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
};
constexpr std::string_view kPlainSectionKeys[] = {"remote.url",    "remote.fetch",
                                                  "branch.remote", "branch.merge",
                                                  "submodule.url", "submodule.active"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The text of the config file `name` of a git directory: nullopt with `why` set when it cannot
// be judged, "" when there is none.
std::optional<std::string> config_text(int dirfd, const char* name, std::string& why) {
    // O_NONBLOCK: a FIFO named config would otherwise block sbxrun here forever, after the
    // command ended, with --timeout long spent (found by the sixth outside review).
    UniqueFd cfg(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
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

// Why the hooks of a git directory would run code: a hook that is not one of git's samples.
std::string hooks_danger(int dirfd) {
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

// Every key of a git config text that is not plain, in order.
std::vector<UnusualEntry> unusual_config_entries(std::string_view text) {
    std::vector<UnusualEntry> out;
    std::string section, header;  // "core"; the header line as written
    std::string sub;              // [remote "origin"]: "origin", for messages
    bool subsection = false;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[') {
            header = std::string(line);
            const auto close = line.find(']');
            if (close == std::string_view::npos || close + 1 != line.size()) {
                // "[x] key = v" or no "]": odd, reported as written
                out.push_back({std::string(line), header});
                section.clear();
                continue;
            }
            std::string_view head = line.substr(1, close - 1);
            const auto space = head.find_first_of(" \t\"");
            subsection = space != std::string_view::npos;
            section = lower(head.substr(0, space));
            const auto q1 = head.find('"'), q2 = head.rfind('"');
            sub = subsection && q1 != q2 ? std::string(head.substr(q1 + 1, q2 - q1 - 1)) : "";
            continue;
        }
        std::string_view key = line.substr(0, line.find_first_of(" \t="));
        const std::string name = lower(key);
        const std::string written = header + "\n" + std::string(line);
        if (section.empty() || name.empty()) {
            out.push_back({std::string(line), written});
            continue;
        }
        const std::string full = section + "." + name;
        bool plain = false;
        if (!subsection)
            for (auto k : kPlainKeys) plain = plain || full == k;
        else
            for (auto k : kPlainSectionKeys) plain = plain || full == k;
        if (!plain) out.push_back({subsection ? section + "." + sub + "." + name : full, written});
    }
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
std::optional<std::string> pointer_text(int dirfd, const char* name, struct stat& st) {
    UniqueFd f(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
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

std::string dangerous_repository(int dirfd, const HostsOwn& own) {
    struct stat st {};
    if (!own.commondir && ::fstatat(dirfd, "commondir", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        !commondir_is_enclosing(dirfd))
        return "it has a commondir (git would take its config from elsewhere)";
    if (!own.config)
        if (auto why = config_danger(dirfd, "config", own.config_entries); !why.empty()) return why;
    // The per-worktree config git reads with extensions.worktreeConfig: as able to run code.
    if (!own.config_worktree)
        if (auto why = config_danger(dirfd, "config.worktree", own.config_worktree_entries);
            !why.empty())
            return why;
    return own.hooks ? std::string() : hooks_danger(dirfd);
}

}  // namespace sbx
