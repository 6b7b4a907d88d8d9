// Answering the Landlock sandbox's metadata calls (inner/metadata_filter.hpp) in sbxrun.
//
// For each notification: the object the call names is resolved once, to a descriptor, the way
// the kernel would resolve it for the command (its cwd or dirfd, taken with pidfd_getfd or
// /proc/PID/cwd; l*/AT_SYMLINK_NOFOLLOW honoured; magic links refused), the notification is
// checked to be still alive after the command's memory was read, the guard decides on that
// descriptor (run/metadata_guard.hpp), and sbxrun performs the call itself on the descriptor,
// with its effective capabilities cleared (as the command's are) and the command's uid/gid, and
// answers with its result. Never SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel would resolve
// the path again, after the command had a chance to swap a symlink. Whatever cannot be decided
// (a foreign ABI, unreadable memory, an object gone or moving) is refused, never allowed.
#pragma once

#include "inner/denial_log.hpp"
#include "run/connect_guard.hpp"
#include "run/metadata_guard.hpp"

namespace sbx {

// Read one pending notification from `listener` and answer it. Never fails: a notification
// whose process is gone is dropped, anything else gets an answer.
// `connect`: connect(2) calls too (run/connect_guard.hpp), a blocking one answered later
// through `pending`; nullptr when none are sent.
void answer_metadata_call(int listener, const MetadataGuard& guard, const ConnectGuard* connect,
                          PendingConnects* pending, DenialLog* log) noexcept;

// Receive the listener the child sends over `sock` (SCM_RIGHTS); -1 if none arrived.
[[nodiscard]] int receive_listener(int sock) noexcept;

}  // namespace sbx
