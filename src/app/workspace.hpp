// Which directory `${workspace}` stands for when --workspace is not given.
#pragma once

#include <string>

namespace sbx {

struct WorkspaceChoice {
    std::string path;
    const char* source;  // "--workspace", "git work tree", "current directory"
};

// The top level of the git work tree that holds `cwd` (the nearest directory, cwd itself
// included, with a `.git` that git would take for one (a directory with a HEAD, or a
// "gitdir: " file), as `git rev-parse --show-toplevel` finds it, not crossing a
// filesystem boundary as git does not by default); `cwd` itself when there is none, or when
// that top level is `/` or `home`: `cd src && sbxrun -- make` may write ../build, but a home
// directory kept in git (dotfiles) must not make every command's workspace the whole home.
// `cwd` is absolute and normalised; the walk is by name, on the path the user knows.
[[nodiscard]] WorkspaceChoice default_workspace(const std::string& cwd, const std::string& home);

}  // namespace sbx
