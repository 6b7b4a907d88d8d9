// Placeholders for missing protected names (spec section 4, missing_protected = "block").
//
// To stop a sandboxed command from creating a missing protected name (.agents, the target of
// a dangling .codex link), the run puts an empty placeholder there and mounts it read-only in
// the sandbox. The host must be left exactly as it was, also when several runs share one
// workspace, so placeholders are shared and reference-counted with flock(2):
//
//   - every run using a placeholder holds LOCK_SH on its own open file description of it;
//   - on release a run tries to convert to LOCK_EX|LOCK_NB: success means no other run uses
//     it, and the run removes it (only if the name still refers to that inode and it is still
//     empty); failure means another run holds it and will remove it in turn;
//   - a run joining an existing placeholder locks it, then re-checks that the name still
//     refers to the locked inode (a releaser may have removed it meanwhile), else retries.
//   - a new placeholder is built aside (O_TMPFILE, or a temporary name for directories),
//     marked and locked, and only then given its name atomically without replacing anything
//     (linkat / renameat2(RENAME_NOREPLACE)), so no run ever sees an unmarked or unlocked one.
//
// Mark: the extended attribute user.sbxrun.placeholder = "sbxrun-placeholder-v1". It is what
// tells a placeholder from the user's own empty files. It is forgeable (see
// placeholder_in_use()), so the plan joins an existing one only while a run holds it; a
// crashed run's leftover is then kept like any file (read-only in the sandbox), not removed.
// Nothing without the mark is ever joined or removed, and nothing is followed (every open is
// O_NOFOLLOW). On a filesystem without user xattrs the placeholder still works for its own run
// (removal is by inode identity) but cannot be shared: another run sees an existing unmarked name.
// Files are mode 0444, directories 0555.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

inline constexpr const char* kPlaceholderXattr = "user.sbxrun.placeholder";
inline constexpr const char* kPlaceholderMark = "sbxrun-placeholder-v1";

class Placeholder {
public:
    Placeholder() = default;
    Placeholder(Placeholder&&) noexcept = default;
    Placeholder& operator=(Placeholder&& o) noexcept {
        if (this != &o) {
            (void)release();
            parent_ = std::move(o.parent_);
            fd_ = std::move(o.fd_);
            path_ = std::move(o.path_);
            name_ = std::move(o.name_);
            directory_ = o.directory_;
            created_ = o.created_;
            marked_ = o.marked_;
        }
        return *this;
    }
    ~Placeholder() { (void)release(); }

    [[nodiscard]] const std::string& path() const { return path_; }  // parent_path + "/" + name
    [[nodiscard]] int fd() const { return fd_.get(); }  // holds the shared lock; -1 once released
    [[nodiscard]] bool directory() const { return directory_; }
    [[nodiscard]] bool created() const { return created_; }  // false: joined an existing one
    [[nodiscard]] bool marked() const { return marked_; }    // false: the fs has no user xattrs

    // Drop this run's use; remove the placeholder when no other run uses it. Idempotent.
    // Errors (the placeholder was left in place): ErrorKind::os, e.g. ENOTEMPTY when something
    // was put into it from outside the sandbox.
    Status release();

private:
    friend Result<Placeholder> acquire_placeholder(int, const std::string&, const std::string&,
                                                   bool);
    UniqueFd parent_;
    UniqueFd fd_;
    std::string path_;
    std::string name_;
    bool directory_ = false;
    bool created_ = false;
    bool marked_ = false;
};

// Create or join the placeholder `name` (one component) in the directory `parent_dirfd`
// (O_PATH is fine) whose path is `parent_path`. Errors: ErrorKind::os EEXIST when the name
// exists and is not a placeholder of the same kind (it is never touched); EINVAL for a bad
// name; EAGAIN when the name kept changing; ErrorKind::unsupported when a directory
// placeholder cannot be named atomically on this filesystem.
[[nodiscard]] Result<Placeholder> acquire_placeholder(int parent_dirfd,
                                                      const std::string& parent_path,
                                                      const std::string& name, bool directory);

// True when `fd` (any kind, O_PATH included) refers to an empty regular file, or a directory,
// carrying sbxrun's placeholder mark.
[[nodiscard]] bool is_placeholder(int fd);

// True when some run holds the placeholder `fd` refers to (a shared flock on it that an
// exclusive non-blocking one cannot take). The mark alone is forgeable: Landlock does not
// govern setxattr, so a command under it can put user.sbxrun.placeholder on any empty file
// its user may write, even a read-only protected one. So the plan takes an existing marked
// file for a placeholder (missing, to be joined and removed afterwards) only while a run
// holds it; one nobody holds, forged or a crashed run's leftover, is kept like any file.
[[nodiscard]] bool placeholder_in_use(int fd);

}  // namespace sbx
