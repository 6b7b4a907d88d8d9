// What makes a git directory one the host's git would run code from: the keys of its config
// (and config.worktree) that git init and git clone do not write, a commondir that takes the
// config from elsewhere, and hooks that are not git's samples. The after-run git check
// (run/git_integrity) decides where to look and what the run changed; this judges what it
// finds there. Every file is opened relative to the git directory's fd, never followed
// (O_NOFOLLOW) and never waited on (O_NONBLOCK: a FIFO named config).
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx {

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
// or holds nothing. `st` gets its metadata.
[[nodiscard]] std::optional<std::string> pointer_text(int dirfd, const char* name,
                                                      struct stat& st);

// Whether the git directory `dirfd`'s commondir leads to the repository two levels up: what
// `git worktree add` writes in worktrees/NAME (`../..`), whose config is that repository's own.
[[nodiscard]] bool commondir_is_enclosing(int dirfd);

// What of a known git directory the run left as the host had it: that part is the host's own,
// not the run's, and is not judged (forty-fourth review: `git checkout -b` in a nested
// repository whose config the host had given submodule URLs ended 120).
struct HostsOwn {
    bool commondir = false, config = false, config_worktree = false, hooks = false;
    // The entries of config and config.worktree that are not plain, as the host had them.
    std::vector<std::string> config_entries, config_worktree_entries;
};

// Why the git directory `dirfd` would make the host's git run code ("it has a hook,
// hooks/post-checkout"), or "" when nothing in it would, leaving out what `own` says is the
// host's.
[[nodiscard]] std::string dangerous_repository(int dirfd, const HostsOwn& own = {});

}  // namespace sbx
