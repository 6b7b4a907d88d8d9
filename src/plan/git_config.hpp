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
// script an interpreter there runs ("python3 tools/x.py"), each with what names it and the
// value (for a command, the path of its program or script); and every other word of a command
// that may name a file (plan/command_words.hpp), protected only when it is one.
enum class ConfigPathKind {
    hooks_path,  // core.hooksPath: relative to the work tree
    include,     // include.path: relative to the config file
    include_if,  // includeIf.<condition>.path: the same
    command,     // a command's program or script: relative to the work tree
    mentioned,   // another word of a command: maybe a file
    run_dir,     // a directory whose files a command runs (find -exec, run-parts)
};
struct ConfigPath {
    ConfigPathKind kind;
    std::string value;
};
// As the key is spelled in messages ("core.hookspath", "include.path", "includeif.path",
// "command", "mentioned").
[[nodiscard]] const char* config_path_key(ConfigPathKind k);
[[nodiscard]] constexpr bool is_include(ConfigPathKind k) {
    return k == ConfigPathKind::include || k == ConfigPathKind::include_if;
}
// Where git takes a relative value of this kind: the work tree's top (else the config's
// directory).
[[nodiscard]] constexpr bool relative_to_worktree(ConfigPathKind k) {
    return k == ConfigPathKind::hooks_path || k == ConfigPathKind::command;
}
[[nodiscard]] std::vector<ConfigPath> config_code_paths(std::string_view text);
[[nodiscard]] std::vector<ConfigPath> config_code_paths(const std::vector<GitConfigEntry>& entries);

// The repositories on this machine the remotes of `entries` lead to (absolute paths, as
// spelled): remote.*.url and pushurl, and remote.pushDefault, branch.*.remote and
// branch.*.pushRemote when they are a path, each rewritten by the longest url.*.insteadOf or
// pushInsteadOf prefix of `entries`, as git does (both, and neither: a superset). A path, a
// file:// URL (%XX decoded), ~/ (in `home`), or one relative to `worktree` (a name no remote
// has, a bare word too) is local; another machine's URL or a remote's name is not. At most
// kMaxLocalRemotes; `truncated` says there were more, which no caller may drop silently: the
// plan refuses to protect a part of them, the after-run check reports a repository with more.
inline constexpr std::size_t kMaxLocalRemotes = 64;
struct LocalRemotes {
    std::vector<std::string> paths;
    bool truncated = false;
};
[[nodiscard]] LocalRemotes local_remote_paths(const std::vector<GitConfigEntry>& entries,
                                              const std::string& worktree, const std::string& home);

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
