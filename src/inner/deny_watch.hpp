// Reads of denied paths, seen (issue 15), under bwrap.
//
// A filesystem.deny path is an empty, inaccessible directory or file in the sandbox (bwrap's
// `--perms 0000 --tmpfs` or `--ro-bind-data`). A read of it fails in the kernel's permission
// check, which no seccomp filter sees: the path is in memory, and the call is an open or a
// lookup like any other. So sbxrun-inner mounts, over each such path, a FUSE file system of its
// own that has nothing in it and answers every request that would read it with EACCES: the same
// refusal as before, but the kernel now asks a process first, and that process notes what was
// asked for. Nothing else changes: the file system is read-only (creating in it fails with EROFS
// in the kernel, before any request, and the entry broker notes that as before), it shows what
// bwrap's placeholder showed (an empty directory or file, mode 0000), and it has no content to
// give.
//
// The answering process is forked by sbxrun-inner right after the mounts, before anything of
// sbxrun-inner touches those paths (a lookup there waits for its answer). It keeps only the
// /dev/fuse descriptors, drops every capability, and runs under an allowlist filter (read,
// write, poll, close, exit: build_deny_watch_filter). What it saw goes into a table in memory it
// shares with sbxrun-inner, which reads it once the command has ended (stop_deny_watch). Should
// the command kill it, every request fails with ENOTCONN: the paths stay unreadable. Should it
// stop it (SIGSTOP), the command's own reads of those paths wait, as a `sleep` would
// (--timeout ends the run); nothing is revealed either way.
//
// Needs /dev/fuse in the sandbox (bwrap binds it when the host has one; sbxrun-inner detaches
// it again once opened, so the command has none) and the right to open it: root, or a host
// whose /dev/fuse is mode 0666 (most distributions). Otherwise the paths stay as bwrap made
// them and their reads are refused unseen, as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inner/denial_log.hpp"
#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// What one request asked for, when it was a read of the watched path.
struct ObservedRead {
    bool seen = false;
    std::string_view name;  // the entry looked up below the path (a view into the request);
                            // empty: the path itself
};

// The answer to one FUSE request `in` (`in_len` bytes, as read from /dev/fuse) for a mount whose
// root is a directory or a file, owned by uid:gid, dated `now` (seconds). Written to `out`
// (kFuseAnswerMax bytes); its length, or 0 when the request gets no answer (FORGET, INTERRUPT,
// a malformed request). `read` says whether the request was one the report counts (a lookup,
// an open, an access check of the path).
inline constexpr std::size_t kFuseAnswerMax = 256;
[[nodiscard]] std::size_t answer_fuse_request(const unsigned char* in, std::size_t in_len,
                                              bool directory, std::uint32_t uid, std::uint32_t gid,
                                              std::uint64_t now, unsigned char* out,
                                              ObservedRead& read);

// Mount the watcher over each path and fork the answering process. Before the capabilities
// are dropped (mount needs CAP_SYS_ADMIN in the sandbox's user namespace), after the plan's
// mounts are verified. An error leaves nothing mounted and nothing running: the paths stay as
// bwrap made them (the caller goes on; their reads are then unseen).
[[nodiscard]] Status start_deny_watch(const std::vector<DenyWatchSpec>& specs);

// The command runs with the watcher's uid and may stop it (SIGSTOP). A lookup of a denied path
// then waits for an answer that does not come, and so would sbxrun-inner's own lookups for
// the metadata calls it performs for the command: the whole run hung after the command ended,
// a single SIGTERM unheard (fortieth review). Only the watcher's parent learns that it stopped:
// a thread of sbxrun-inner waits for that alone and lets it go on at once. Called last in the
// setup, so that the thread has what the command's parent has (no capabilities, Landlock,
// seccomp); does nothing when no watcher runs.
void keep_deny_watch_going() noexcept;

// Once the command has ended: end the answering process, if one was started, and add what it
// saw to `log` (op read). Allocates (the log); never throws.
void stop_deny_watch(DenialLog* log) noexcept;

}  // namespace sbx
