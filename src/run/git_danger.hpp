// What makes a git directory one the host's git would run code from: the keys of its config
// (and config.worktree) that git init and git clone do not write, a commondir that takes the
// config from elsewhere, and hooks that are not git's samples. The after-run git check
// (run/git_integrity) decides where to look and what the run changed; this judges what it
// finds there. Every file is opened relative to the git directory's fd, never followed
// (O_NOFOLLOW) and never waited on (O_NONBLOCK: a FIFO named config).
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sbx {

// Change times against the run's start (CLOCK_REALTIME_COARSE): what the run changed.
// Whether `st` changed at or after `start`.
[[nodiscard]] bool since(const struct stat& st, const timespec& start);
// Whether `name` in `dirfd`, or what it leads to when it is a link, changed since `start`.
[[nodiscard]] bool changed_since(int dirfd, const char* name, const timespec& start);
// Whether anything in the directory on `fd` (taken over and closed) changed since `start`,
// down to `depth` levels of subdirectories, links followed; past `budget` entries, as if so.
[[nodiscard]] bool tree_changed(int fd, const timespec& start, int depth, std::size_t& budget);

// A key of a git config text that is not plain: its name for messages ("core.fsmonitor",
// "alias.co", or the line when it cannot be read as a key), and the entry as written (its
// section header and its line), to tell the host's own entries from the run's.
struct UnusualEntry {
    std::string key;
    std::string written;
};

// Every key of a git config text that is not one git init or git clone writes, in order.
[[nodiscard]] std::vector<UnusualEntry> unusual_config_entries(std::string_view text);

// The entries of the config file `name` ("config", "config.worktree") of the git directory
// `dirfd` that are not plain, as written: recorded before the run as the host's own. Empty
// when there is no such file or it cannot be read (then it is judged whole after the run).
[[nodiscard]] std::vector<std::string> unusual_written(int dirfd, const char* name);

// The path a small pointer file of git's names (a commondir; a .git file, "gitdir: " cut off
// by the caller), its line ends removed: nullopt when `name` in `dirfd` is no regular file
// or holds nothing. `st` gets its metadata. A final link is not followed unless `follow` (git
// follows a .git that is a link; it reads commondir and gitdir as they are).
[[nodiscard]] std::optional<std::string> pointer_text(int dirfd, const char* name, struct stat& st,
                                                      bool follow = false);

// Whether the git directory `dirfd`'s commondir leads to the repository two levels up: what
// `git worktree add` writes in worktrees/NAME (`../..`), whose config is that repository's own.
[[nodiscard]] bool commondir_is_enclosing(int dirfd);

// What of a known git directory the run left as the host had it: that part is the host's own,
// not the run's, and is not judged (forty-fourth review: `git checkout -b` in a nested
// repository whose config the host had given submodule URLs ended 120).
// The hooks of the host's git template directory (init.templateDir, $GIT_TEMPLATE_DIR), by
// name and content: git init and git clone copy them into every repository they make.
using TemplateHooks = std::vector<std::pair<std::string, std::string>>;

// The hooks/ files of the template directory `dir` (at most 64, each at most 64 KiB; links
// and other entries left out), read before the run: empty when there is none.
[[nodiscard]] TemplateHooks read_template_hooks(const std::string& dir);

struct HostsOwn {
    bool commondir = false, config = false, config_worktree = false, hooks = false;
    // The entries of config and config.worktree that are not plain, as the host had them.
    std::vector<std::string> config_entries, config_worktree_entries;
    // A hook that is one of these, byte for byte, is the host's template's, wherever it is
    // (review 50: with git-secrets' hooks in init.templateDir every clone ended 120).
    const TemplateHooks* template_hooks = nullptr;
    // The unusual entries of those template directories' config files, as written: git init
    // copies that file into every repository it makes (review 53: `diff.mnemonicPrefix` in the
    // template's config made every `git init` end 120).
    const std::vector<std::string>* template_config = nullptr;
};

// Why the git directory `dirfd` would make the host's git run code ("it has a hook,
// hooks/post-checkout"), or "" when nothing in it would, leaving out what `own` says is the
// host's.
//
// Its core.worktree (a plain key: a submodule's git directory names its checkout with it) is
// judged by where it leads: git checks files out there, so one the run pointed at a git
// directory (`../../.git/hooks`), at the top of a writable root (where protected names such
// as .envrc lie) or outside every writable root (`$HOME`) would have the host's next `git
// switch` write there (forty-seventh review). `path` is the git directory's, `writable` the
// plan's writable roots (canonical).
[[nodiscard]] std::string dangerous_repository(int dirfd, const HostsOwn& own = {},
                                               const std::string& path = {},
                                               const std::vector<std::string>& writable = {});

// The value of core.worktree in the config of the git directory `dirfd` (the last one, as git
// takes it), or nullopt: where its work tree is, and its index's paths with it.
[[nodiscard]] std::optional<std::string> config_core_worktree(int dirfd);

// The text of the config file `name` ("config", "config.worktree") of the git directory
// `dirfd`, never followed, at most 64 KiB: "" when there is none, nullopt (with `why`) when it
// cannot be judged (not a regular file, too large).
[[nodiscard]] std::optional<std::string> config_text(int dirfd, const char* name, std::string& why);

// What the config and config.worktree of the git directory `dirfd` name relative to its work
// tree: a relative core.hooksPath, the program or script of a command ("tools/fsmon.sh"). git
// runs them from the work tree: the after-run check judges a change the run made there, as
// it does for the host's own configuration's (git_judge.hpp).
[[nodiscard]] std::vector<std::string> config_worktree_code(int dirfd);

// The first file an entry of the host's own config names that the run changed since `start`:
// an include.path or includeIf.*.path (relative to the git directory `gitdir_fd`) and what is
// in a core.hooksPath (relative to `worktree`, where git runs hooks), as "include.path
// extra.cfg", or "". `written` are the entries as unusual_written() recorded them. The entry
// is the host's, but what it names is code the host's git reads (forty-sixth review: the
// run wrote an fsmonitor into the file the host's include.path named).
[[nodiscard]] std::string host_entry_target_changed(int gitdir_fd, const std::string& worktree,
                                                    const std::vector<std::string>& written,
                                                    const timespec& start);

// A rebase or cherry-pick the run left stopped in the git directory `dirfd` that would run a
// command of the run's when the host continues it (`git rebase --continue`, which git status
// suggests): an exec line in its todo list, or a merge strategy that is not one of git's own
// (git runs git-merge-STRATEGY, found on its PATH, or where a name with a slash leads: the
// forty-sixth review's `x/../evil.sh`). Only files changed since `start` count.
struct StoppedDanger {
    std::string entry;  // "rebase-merge/git-rebase-todo", relative to the git directory
    std::string why;    // "was left by the run with 'exec make': the host's ... would run it"
};
[[nodiscard]] std::optional<StoppedDanger> stopped_operation_danger(int dirfd,
                                                                    const timespec& start);

}  // namespace sbx
