// Performing an entry call (inner/entry_calls.hpp) for a process that a seccomp filter stopped,
// and answering its notification: the policy-free half of both entry brokers, sbxrun's under
// the Landlock backend (run/entry_notify.hpp) and sbxrun-inner's under bwrap
// (inner/entry_broker.hpp). Each decides with its own rules; both resolve and act here.
//
// Every call names one entry of one directory descriptor, resolved once (locate_entry): no path
// is resolved again after the decision, a created file is opened with O_EXCL | O_NOFOLLOW, and
// the notification is checked to be still pending (the memory read was the caller's) just
// before acting. The command's umask is applied by hand, with the broker's own cleared.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "inner/denial_log.hpp"
#include "inner/entry_calls.hpp"
#include "inner/notify_request.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// How a notification is answered.
struct NotifyReply {
    enum class Kind { go_on, error, fd } kind = Kind::go_on;
    int err = 0;
    UniqueFd file;
    bool cloexec = false;

    static NotifyReply go_on() { return {}; }  // SECCOMP_USER_NOTIF_FLAG_CONTINUE
    static NotifyReply result(int e) {         // 0 (success) or an errno
        NotifyReply r;
        r.kind = Kind::error;
        r.err = e;
        return r;
    }
    static NotifyReply descriptor(UniqueFd f, bool cloexec) {
        NotifyReply r;
        r.kind = Kind::fd;
        r.file = std::move(f);
        r.cloexec = cloexec;
        return r;
    }
};

// An entry a call names: its directory, resolved once, and its last name.
struct EntryRef {
    UniqueFd dir;
    std::string name;
};

// What locate_entry found.
enum class Located {
    yes,        // e holds the directory and the name
    fails,      // the directory part does not exist or is not a directory: the call's answer
    undecided,  // anything else: the kernel goes on and decides (Landlock refuses in P)
};

// Resolve (dirfd, path) of the call the way the kernel does for the caller, up to the last
// component: the base is the caller's dirfd (pidfd_getfd) or cwd (/proc/PID/cwd), the rest is
// opened with openat2(RESOLVE_NO_MAGICLINKS).
//   - A directory part that does not resolve (ENOENT, ENOTDIR), also when resolved without
//     any symbolic link, is `fails`, with `err` set: the broker answers it, as the kernel would
//     at this instant. (Through a link it stays undecided: /proc/self is this process.) Letting the
//     kernel go on instead is a race, not a refusal: another thread may make the directory
//     meanwhile, and the call then meets Landlock in a directory that has no rule: EACCES where the
//     command expects ENOENT (Node's recursive mkdir, which tries the deepest path first, failed
//     `npm ci` so).
//   - Anything odd (a magic link, ".", ".." or nothing last, unreadable memory, no base) is
//     `undecided`.
[[nodiscard]] Located locate_entry(NotifyRequest& rq, int dirfd_arg, int path_arg, EntryRef& e,
                                   int& err);

// The entry's path as this process sees it (the directory's /proc/self/fd link, then the name):
// for the denial report (inner/denial_log.hpp). "" if the directory has no path.
[[nodiscard]] std::string entry_path(const EntryRef& e);

// Add the entry to the denial report (`log` may be null; inner/denial_log.hpp): both brokers
// call this where they refuse a call or let the kernel go on to refuse it.
void note_refusal(DenialLog* log, RefusedOp op, const EntryRef& e);

// The same for the object behind a descriptor of this process, under the path the kernel has
// for it (a metadata call through a symbolic link is reported where it landed).
void note_refusal_at(DenialLog* log, RefusedOp op, int object);

// Where open(O_CREAT) of `e` would make a file when `e` is a dangling symbolic link: the
// directory its text names (opened O_PATH, never through a magic link) and its last name,
// missing there. nullopt when `e` is no link, its target exists, or its text ends in "/", "."
// or "..". For the denial report only (`ln -s .envrc x; echo >x` is a create of .envrc): the
// kernel decides, and a link changed in between makes the report wrong, never the sandbox
// weaker.
[[nodiscard]] std::optional<EntryRef> dangling_link_target(const EntryRef& e);

// Whether the entry's directory is on a read-only mount (the kernel answers EROFS for a change).
[[nodiscard]] bool on_read_only_mount(const EntryRef& e);
// Whether opening the existing entry for writing (through a final symlink) is refused because
// it is on a read-only mount: a protected file is a read-only mount of its own in a writable
// directory (fourteenth review: the report missed writes to protected files under bwrap). Not
// a device (written whatever its mount), not a file the user may not write anyway (EACCES
// comes first); a FIFO there is (bwrap's write layer refuses it).
[[nodiscard]] bool opens_read_only_mount(const EntryRef& e);

// Whether the entry is the root of a mount (not following a last symlink, crossing a mount
// on it): the kernel answers EBUSY to its removal or rename. Under bwrap the plan's pinned
// links, anchors and protected paths in writable directories are such mounts (the report
// missed those refusals until the fourteenth session).
[[nodiscard]] bool is_mount_point(const EntryRef& e);

// Whether the entry exists (not following a last symlink).
[[nodiscard]] bool entry_exists(const EntryRef& e);

// locate_entry for a broker: true when located; otherwise false with `answer` set (the
// failure's errno, or go on).
[[nodiscard]] bool locate_or_answer(NotifyRequest& rq, int dirfd_arg, int path_arg, EntryRef& e,
                                    NotifyReply& answer);

// The caller's umask (the Umask line of /proc/PID/status); 022 if it cannot be read.
[[nodiscard]] mode_t umask_of(pid_t pid);

// The broker's own umask is 0 while it acts (the caller's is applied by hand).
class UmaskCleared {
public:
    UmaskCleared();
    ~UmaskCleared();
    UmaskCleared(const UmaskCleared&) = delete;
    UmaskCleared& operator=(const UmaskCleared&) = delete;

private:
    mode_t saved_;
};

// The Landlock right that creates an entry of this type (0 for devices and unknown types) and
// the one that removes it.
[[nodiscard]] std::uint64_t make_right(mode_t type);
[[nodiscard]] std::uint64_t remove_right(mode_t type);

// The open(2) flags and mode of an open/openat/creat notification.
struct OpenArgs {
    std::uint64_t flags = 0;
    mode_t mode = 0;
};
[[nodiscard]] OpenArgs open_args(const NotifyRequest& rq, const entry_calls::Call& c);

// Create the missing file e for the caller (O_CREAT | O_EXCL | O_NOFOLLOW, its umask) and hand
// it the descriptor. Made meanwhile and no O_EXCL: go_on (the kernel opens what exists).
[[nodiscard]] NotifyReply create_file(NotifyRequest& rq, const EntryRef& e, const OpenArgs& a);

// mkdirat / mknodat (regular, fifo, socket only: anything else EPERM) / symlinkat to `target`.
[[nodiscard]] NotifyReply make_entry(NotifyRequest& rq, entry_calls::Op op, const EntryRef& e,
                                     mode_t mode, const std::string& target);

// unlinkat(flags: 0 or AT_REMOVEDIR).
[[nodiscard]] NotifyReply remove_entry(NotifyRequest& rq, const EntryRef& e, int flags);

// renameat2(flags: RENAME_NOREPLACE / RENAME_EXCHANGE).
[[nodiscard]] NotifyReply rename_entry(NotifyRequest& rq, const EntryRef& from, const EntryRef& to,
                                       unsigned flags);

// The command's hard link `to` of `from`, made for it. `follow` (AT_SYMLINK_FOLLOW): a final
// symbolic link of `from` is followed, never through a magic link (its text is resolved here,
// where /proc/self is the broker).
[[nodiscard]] NotifyReply link_entry(NotifyRequest& rq, const EntryRef& from, const EntryRef& to,
                                     bool follow);

// Send the answer (a descriptor through SECCOMP_IOCTL_NOTIF_ADDFD). Never fails: a notification
// whose process is gone is dropped.
void send_reply(int listener, std::uint64_t id, NotifyReply& r) noexcept;

}  // namespace sbx
