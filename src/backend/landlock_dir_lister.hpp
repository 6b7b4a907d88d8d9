// The seam between the Landlock compile and the filesystem: listing a directory through its fd
// and opening a child without following symlinks. The compile needs listings to grant rights
// on each sibling of a protected or denied path; tests replace the lister with a fake tree.
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

struct DirEntryInfo {
    std::string name;
    bool is_dir = false;
    bool is_symlink = false;  // never followed: a symlink child gets no rule
};

class DirLister {
public:
    virtual ~DirLister() = default;
    // The entries of the directory `dir_fd` refers to (without "." and ".."), sorted by name.
    [[nodiscard]] virtual Result<std::vector<DirEntryInfo>> list(int dir_fd) = 0;
    // An O_PATH descriptor of `name` in `dir_fd`, never following a symlink. The listing can be
    // stale by then (another program's temp files come and go): when the entry is gone, or is
    // no longer a directory (is_dir) / a non-directory non-link (!is_dir), the error has
    // sys_errno ENOENT and the caller may skip it.
    [[nodiscard]] virtual Result<UniqueFd> open_child(int dir_fd, const std::string& name,
                                                      bool is_dir) = 0;
    // An O_PATH descriptor of an absolute built-in path (the /dev nodes every command needs),
    // refusing any symlink on the way; not_found when it does not exist.
    [[nodiscard]] virtual Result<UniqueFd> open_builtin(const std::string& abs_path) = 0;
    // Descriptors of the terminals the command is given on its standard fds 0-2 (the only
    // ones of /dev/pts it may reach). None by default: a fake tree has no terminals.
    [[nodiscard]] virtual std::vector<UniqueFd> std_terminals() { return {}; }
    // Descriptors of the files (regular files and FIFOs, not terminals) the caller gave the
    // command on fds 0-2 opened for writing: it may reopen them by name for writing
    // (`echo x >/dev/stderr` into a log outside the roots), as it may already write them.
    [[nodiscard]] virtual std::vector<UniqueFd> std_write_files() { return {}; }
};

// The real lister: openat(O_PATH|O_NOFOLLOW), fdopendir on a reopened O_DIRECTORY descriptor,
// openat2(RESOLVE_NO_SYMLINKS) for built-ins.
class RealDirLister final : public DirLister {
public:
    Result<std::vector<DirEntryInfo>> list(int dir_fd) override;
    Result<UniqueFd> open_child(int dir_fd, const std::string& name, bool is_dir) override;
    Result<UniqueFd> open_builtin(const std::string& abs_path) override;
    // `terminals`: the descriptors whose terminals the command is given (sbxrun's fds 0-2,
    // or under --tty the pty's slave alone). `stdio`: the descriptors the command gets as its
    // own fds 0-2 (none under --tty, which gives it the pty).
    explicit RealDirLister(std::vector<int> terminals = {0, 1, 2}, std::vector<int> stdio = {})
        : terminals_(std::move(terminals)), stdio_(std::move(stdio)) {}
    // dup()s of those of `terminals` that are terminals (isatty).
    std::vector<UniqueFd> std_terminals() override;
    // dup()s of those of `stdio` that are regular files or FIFOs opened for writing.
    std::vector<UniqueFd> std_write_files() override;

private:
    std::vector<int> terminals_;
    std::vector<int> stdio_;
};

}  // namespace sbx
