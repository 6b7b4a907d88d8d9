#include "app/workspace.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fs/path.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// What git itself would take for a work tree's `.git`: a directory with a HEAD, or a file that
// starts "gitdir: " (a worktree, a submodule). An empty file (a placeholder another run left
// for a missing protected name), a stray link or a directory of that name is not one: it must
// not make some parent, such as /tmp, every command's workspace.
bool looks_like_git(const std::string& dot_git) {
    struct stat st {};
    if (::lstat(dot_git.c_str(), &st) != 0) return false;
    if (S_ISDIR(st.st_mode)) {
        struct stat head {};
        return ::lstat((dot_git + "/HEAD").c_str(), &head) == 0 && !S_ISDIR(head.st_mode);
    }
    if (!S_ISREG(st.st_mode)) return false;
    UniqueFd fd(::open(dot_git.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    char prefix[8];
    return fd && ::read(fd.get(), prefix, sizeof prefix) == static_cast<ssize_t>(sizeof prefix) &&
           std::memcmp(prefix, "gitdir: ", sizeof prefix) == 0;
}

}  // namespace

WorkspaceChoice default_workspace(const std::string& cwd, const std::string& home) {
    WorkspaceChoice here{cwd, "current directory"};
    struct stat start {};
    if (::stat(cwd.c_str(), &start) != 0) return here;
    // HOME by identity, not by spelling: the current directory is physical when PWD is unset
    // or stale (a harness's chdir), and HOME often is not (/home -> var/home on Fedora
    // Silverblue, NFS homes): a home kept in git became the workspace (fourteenth review).
    struct stat home_st {};
    const bool have_home = !home.empty() && ::stat(home.c_str(), &home_st) == 0;
    std::string dir = cwd;
    for (int depth = 0; depth < 4096; ++depth) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0 || st.st_dev != start.st_dev) return here;
        if (looks_like_git(dir == "/" ? "/.git" : dir + "/.git")) {
            const bool is_home = dir == home || (have_home && st.st_dev == home_st.st_dev &&
                                                 st.st_ino == home_st.st_ino);
            if (dir == "/" || is_home) return here;
            return {dir, "git work tree"};
        }
        if (dir == "/") return here;
        dir = path_parent(dir);
    }
    return here;
}

}  // namespace sbx
