// Symlink-aware path resolution through file descriptors.
//
// resolve() walks an absolute path component by component with O_PATH|O_NOFOLLOW descriptors,
// records every symlink it crosses, and returns a descriptor of what it reached. What later
// stages mount or hand to Landlock is that descriptor, never the path string again, so a
// concurrent swap on the host cannot change what was checked.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// One symlink crossed during resolution.
struct SymlinkHop {
    std::string link;       // absolute path of the link itself (its parent resolved, no links)
    std::string link_text;  // what readlink says
    std::string parent;     // canonical path of the directory holding the link
    dev_t parent_dev = 0;   // identity of that directory, to match it against writable roots
    ino_t parent_ino = 0;
};

struct Resolved {
    std::string requested;          // the absolute path asked for (lexically normalised)
    std::string real;               // canonical path reached (for a missing path: real parent +
                                    // the missing components, lexically joined; only the first
                                    // one when a ".." follows it, as where the rest leads
                                    // depends on what is made there)
    bool exists = false;            // false: some trailing components do not exist
    std::string missing_tail;       // the components that do not exist, e.g. ".agents" or "a/b"
    bool dangling = false;          // the first missing component came from a symlink's text
                                    // (a dangling link), not from the requested path itself
    bool dotdot_after = false;      // a ".." followed the missing component (see `real`)
    UniqueFd fd;                    // O_PATH fd of `real` when it exists, else of the deepest
                                    // existing directory (the parent the missing part would be in);
                                    // O_RDONLY|O_DIRECTORY instead when `readable`
    // Instead of fd, when the answer came from a directory its maker keeps open (the plan's
    // listing of a top, plan/draft.hpp): not owned, valid while that maker lives. resolve()
    // itself never sets it.
    int borrowed_fd = -1;
    [[nodiscard]] int descriptor() const { return fd ? fd.get() : borrowed_fd; }
    struct stat st {};              // fstat of fd
    std::vector<SymlinkHop> chain;  // every symlink crossed, in order
    // Every directory a ".." was taken out of (canonical), in the path or in a link's text:
    // what must not be renamed for the same spelling to lead to the same place.
    std::vector<std::string> climbed;
    bool readable = false;          // fd is O_RDONLY|O_DIRECTORY, not O_PATH (readable_dir): a
                                    // directory getdents64 can list from its start
};

enum class ResolverImpl { automatic, openat2, walk };

struct ResolveOptions {
    ResolverImpl impl = ResolverImpl::automatic;  // automatic: openat2 when the kernel has it
    int max_symlinks = 40;                        // like the kernel's MAXSYMLINKS
    bool follow_final = true;                     // false: stop at a final symlink (O_NOFOLLOW)
    // true: when the result is an existing directory, hand it over opened
    // O_RDONLY|O_DIRECTORY|O_NONBLOCK (Resolved::readable) so that a caller about to list it
    // needs no second open; O_PATH as usual when that open is refused (an unreadable
    // directory) or without openat2. O_DIRECTORY: nothing but a directory is ever opened for
    // reading (never a FIFO or a device). Mounting it (via /proc/self/fd) or giving it to
    // Landlock works as with O_PATH: both take any descriptor.
    bool readable_dir = false;
};

// Errors: ErrorKind::loop (loop or chain over max_symlinks), ErrorKind::os (a component cannot
// be opened: EACCES, ENOTDIR, ...; path names the component), ErrorKind::not_found is NOT an
// error here: a missing tail is reported through Resolved::exists.
// ErrorKind::escape (errno ELOOP): a procfs magic link (/proc/self/cwd, /proc/<pid>/fd/N, ...)
// was met; its text does not name what it refers to, so it is never followed.
// A path that does not start with "/" is ErrorKind::os EINVAL; ResolverImpl::openat2 on a kernel
// without it is ErrorKind::unsupported.
// A trailing slash (or "/.") makes the last component a directory that is always followed.
// A path that changes during resolution (checked by re-opening the result and comparing
// dev/ino) is retried a few times and then reported as ErrorKind::os with EAGAIN.
[[nodiscard]] Result<Resolved> resolve(const std::string& absolute_path,
                                       const ResolveOptions& opts = {});

// True when the running kernel supports openat2(2) (cached after the first call).
[[nodiscard]] bool have_openat2();

}  // namespace sbx
