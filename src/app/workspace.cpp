#include "app/workspace.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "fs/path.hpp"
#include "policy/trust.hpp"
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

// A workspace policy the user could have written: a regular file of theirs. One of another
// user's (a /tmp/.sbxrun.toml) moves nothing.
bool own_workspace_policy(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::getuid();
}

const char* passwd_home() {
    const passwd* pw = ::getpwuid(::getuid());
    return pw != nullptr ? pw->pw_dir : nullptr;
}

}  // namespace

WorkspaceChoice default_workspace(const std::string& cwd, const std::string& home) {
    WorkspaceChoice here{cwd, "current directory"};
    struct stat start {};
    if (::stat(cwd.c_str(), &start) != 0) return here;
    // HOME by identity, not by spelling: the current directory is physical when PWD is unset
    // or stale (a harness's chdir), and HOME often is not (/home -> var/home on Fedora
    // Silverblue, NFS homes): a home kept in git became the workspace (fourteenth review).
    // And the account's own home as well as $HOME: login shells, sshd and git read the
    // passwd one, which a harness giving its command another HOME leaves where it was
    // (fifteenth review: the real home, kept in git, became the workspace).
    std::vector<struct stat> homes;
    for (const char* h : {home.c_str(), passwd_home()}) {
        struct stat st {};
        if (h != nullptr && *h == '/' && ::stat(h, &st) == 0) homes.push_back(st);
    }
    auto is_home = [&](const std::string& dir, const struct stat& st) {
        return dir == home || std::any_of(homes.begin(), homes.end(), [&](const struct stat& h) {
                   return st.st_dev == h.st_dev && st.st_ino == h.st_ino;
               });
    };
    std::optional<WorkspaceChoice> found;
    std::string dir = cwd;
    for (int depth = 0; depth < 4096; ++depth) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0 || st.st_dev != start.st_dev) break;
        const std::string base = dir == "/" ? std::string() : dir;
        if (dir == "/" || is_home(dir, st)) break;
        if (looks_like_git(base + "/.git")) {
            if (!found) {
                found = WorkspaceChoice{dir, "git work tree"};
            } else if (own_workspace_policy(base + "/" + kWorkspacePolicyName)) {
                // A repository nested in a work tree whose top has the user's .sbxrun.toml
                // does not take the workspace, and with it that policy, away from it: a
                // command could otherwise `git init src` and the next run from src would go
                // without the project's policy (fifteenth outside review).
                return {dir, "git work tree with .sbxrun.toml, above a nested repository"};
            }
        }
        dir = path_parent(dir);
    }
    return found ? *found : here;
}

}  // namespace sbx
