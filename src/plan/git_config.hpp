// A git config file read as git reads it (git's config.c): sections and keys case-insensitive,
// subsections as written, values unquoted and unescaped, a `;` or `#` outside quotes ending the
// value, a backslash at a line's end joining the next. The plan reads the protected
// repository's config for what it names as code (protect_git.cpp); the after-run git check
// reads nested repositories' configs for keys that run code (run/git_danger.hpp). Both must
// see what git sees: a reader of their own kept inline comments in a value and missed
// continued lines, and a hooks path git used went unprotected (forty-eighth review).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sbx {

struct GitConfigEntry {
    std::string section;     // lower case: "core", "includeif"
    std::string subsection;  // as written ([remote "Origin"]), lower case in [section.sub]
    bool has_subsection = false;
    std::string key;    // lower case: "fsmonitor"
    std::string value;  // as git takes it; "" for a key without '=' (boolean true)
    bool has_value = false;
    // The entry as written: its section header and its own text (continued lines included),
    // to tell the host's own entries from the run's.
    std::string written;
};

struct GitConfigText {
    std::vector<GitConfigEntry> entries;
    // Where git would refuse the file (a bad header, key or escape, an unclosed quote): the
    // text from there to its line's end. git stops there and runs nothing from the file.
    bool valid = true;
    std::string bad;
};

[[nodiscard]] GitConfigText parse_git_config(std::string_view text);

// The entries of a git config text that name files git reads code from: core.hooksPath (the
// directory of hooks git runs), include.path / includeIf.<condition>.path (more config), and
// the program of a command git runs when it is named by a path (core.fsmonitor, aliases,
// pagers, editors, diff, filter and merge drivers, credential helpers, gpg.program) and the
// script an interpreter there runs ("python3 tools/x.py"), as {key, value}:
// "core.hookspath", "include.path", "includeif.path" or "command", and the value (for a
// command, the path of its program or script); and "mentioned", every other word of a command
// that may name a file (plan/command_words.hpp), protected only when it is one.
struct ConfigPath {
    std::string key;
    std::string value;
};
[[nodiscard]] std::vector<ConfigPath> config_code_paths(std::string_view text);
[[nodiscard]] std::vector<ConfigPath> config_code_paths(const std::vector<GitConfigEntry>& entries);

// The repositories on this machine the remotes of `entries` lead to (absolute paths, as
// spelled): remote.*.url and pushurl, and remote.pushDefault, branch.*.remote and
// branch.*.pushRemote when they are a path, each rewritten by the longest url.*.insteadOf or
// pushInsteadOf prefix of `entries`, as git does (both, and neither: a superset). A path, a
// file:// URL (%XX decoded), ~/ (in `home`), or one relative to `worktree` (a name no remote
// has, a bare word too) is local; another machine's URL or a remote's name is not. At most 16.
[[nodiscard]] std::vector<std::string> local_remote_paths(
    const std::vector<GitConfigEntry>& entries, const std::string& worktree,
    const std::string& home);

// The remote a file of a git directory's older forms defines (remote.c), as remote.<name>.url
// entries: `kind` "remotes" (each "URL: x" line of remotes/<name>) or "branches" (the first
// line of branches/<name>, "x#branch", without its branch).
[[nodiscard]] std::vector<GitConfigEntry> legacy_remote_entries(std::string_view kind,
                                                                const std::string& name,
                                                                std::string_view text);

// Where git looks for the repository of a local path, in order (path.c's enter_repo): the
// first that is a git directory is the one it uses.
[[nodiscard]] std::vector<std::string> local_repository_candidates(const std::string& path);

}  // namespace sbx
