// Opening a path that must not cross any symlink: the one way the security path reaches a
// place it checked (or will check) by name. A plan's paths are canonical, so a symlink on the
// way means the tree changed since it was planned; following it would put the check, or the
// mount, somewhere else.
#pragma once

#include <sys/types.h>

#include "util/unique_fd.hpp"

namespace sbx {

// openat2(dirfd, path, flags | O_CLOEXEC, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): a
// symlink anywhere fails with ELOOP, except that O_PATH | O_NOFOLLOW returns a final symlink
// itself (as openat2 does). EAGAIN (a concurrent rename or mount elsewhere) is retried a
// bounded number of times, then returned rather than looped on forever. Without openat2
// (Linux < 5.6, or a filter that says ENOSYS) the path is walked one component at a time with
// O_NOFOLLOW, with the same answers, and "." or ".." components are refused (EINVAL).
// Returns an invalid fd with errno set on failure. No allocation: safe after fork().
[[nodiscard]] UniqueFd open_no_symlinks(int dirfd, const char* path, int flags) noexcept;

// The directory at absolute `path` (O_PATH), reached without crossing a symlink, after making
// at most its last `create_last` components when they are missing (mkdir with `mode`, then
// opened the same way, so a name raced into a link is refused, not followed). For sbxrun's own
// directories ($XDG_CACHE_HOME/sbxrun): a missing ancestor above those is not ours to make.
// Returns an invalid fd with errno set on failure ("." or ".." components: EINVAL).
[[nodiscard]] UniqueFd make_dir_no_symlinks(const char* path, int create_last,
                                            mode_t mode) noexcept;

// The walk open_no_symlinks() falls back to without openat2, exposed so that its unit tests
// can run it on a kernel that has openat2.
[[nodiscard]] UniqueFd open_no_symlinks_walk(int dirfd, const char* path, int flags) noexcept;

}  // namespace sbx
