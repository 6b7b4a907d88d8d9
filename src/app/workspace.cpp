#include "app/workspace.hpp"

#include <sys/stat.h>

#include "fs/path.hpp"

namespace sbx {

WorkspaceChoice default_workspace(const std::string& cwd, const std::string& home) {
    WorkspaceChoice here{cwd, "current directory"};
    struct stat start {};
    if (::stat(cwd.c_str(), &start) != 0) return here;
    std::string dir = cwd;
    for (int depth = 0; depth < 4096; ++depth) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0 || st.st_dev != start.st_dev) return here;
        struct stat git {};
        const std::string dot_git = dir == "/" ? "/.git" : dir + "/.git";
        // A directory (a repository) or a file ("gitdir: ...": a worktree or a submodule).
        if (::lstat(dot_git.c_str(), &git) == 0 && (S_ISDIR(git.st_mode) || S_ISREG(git.st_mode))) {
            if (dir == "/" || dir == home) return here;
            return {dir, "git work tree"};
        }
        if (dir == "/") return here;
        dir = path_parent(dir);
    }
    return here;
}

}  // namespace sbx
