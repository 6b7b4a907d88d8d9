// What answering a seccomp user notification needs, whatever the call: reading the calling
// process's memory, taking its descriptors, and acting without capabilities.
//
// Shared by the calls the Landlock backend mediates in sbxrun (metadata calls,
// run/metadata_notify.hpp; entry calls, run/entry_notify.hpp) and by sbxrun-inner's entry
// broker under bwrap (inner/entry_broker.hpp): one implementation for both.
#pragma once

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "util/unique_fd.hpp"

namespace sbx {

// Read `len` bytes at `addr` of process `pid`: 0 or EFAULT.
[[nodiscard]] int read_mem(pid_t pid, std::uint64_t addr, void* buf, std::size_t len);

// A NUL-terminated string of at most `max` bytes (without the NUL), read page by page so that a
// string near the end of a mapping is not refused for the bytes after it. 0, EFAULT or
// `too_long`.
[[nodiscard]] int read_cstr(pid_t pid, std::uint64_t addr, std::size_t max, int too_long,
                            std::string& out);

// The command's effective capabilities are empty (as root too): so are sbxrun's while it acts.
class CapsCleared {
public:
    CapsCleared();
    ~CapsCleared();
    CapsCleared(const CapsCleared&) = delete;
    CapsCleared& operator=(const CapsCleared&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }

private:
    __user_cap_header_struct hdr_{};
    __user_cap_data_struct saved_[2]{};
    bool ok_ = false;
    bool restore_ = true;
};

// One notification being answered.
struct NotifyRequest {
    const seccomp_notif& n;
    int listener;
    UniqueFd pidfd;

    [[nodiscard]] pid_t pid() const { return static_cast<pid_t>(n.pid); }
    [[nodiscard]] std::uint64_t arg(int i) const { return n.data.args[i]; }

    // The command's descriptor `raw`, as a descriptor of ours: 0, EBADF or EPERM.
    [[nodiscard]] int take_fd(std::uint64_t raw, UniqueFd& out);
    // The same from the descriptor table of the caller's thread group leader, which is what
    // /proc/self/fd shows (a thread may have a table of its own: unshare(CLONE_FILES)).
    [[nodiscard]] int take_leader_fd(std::uint64_t raw, UniqueFd& out);
    // The caller's thread group id (/proc/TID/status); 0 if it cannot be read.
    [[nodiscard]] pid_t tgid() const;
    // Where a relative path starts: the dirfd `raw`, or the command's cwd for AT_FDCWD.
    [[nodiscard]] int take_base(std::uint64_t raw, UniqueFd& out);
    // Whether the notification is still pending: what was read from the command's memory was
    // read from the process that made the call, not from one that reused its pid.
    [[nodiscard]] bool still_valid() const;

private:
    int open_pidfd();
};

// Ask the kernel (6.6+) to run the stopped caller on the CPU that answers it, and the broker on
// the caller's CPU when a call arrives (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP): each call is a
// hand-over between two processes, and waking one on an idle CPU is most of a trip's cost (on a
// 2-CPU VM, 100 us a call against 28). Older kernels refuse the flag: nothing changes.
void request_sync_wakeup(int listener) noexcept;

// Send the answer `-err` (0: success, value 0).
void answer_errno(int listener, std::uint64_t id, int err) noexcept;

}  // namespace sbx
