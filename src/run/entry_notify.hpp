// Answering the Landlock sandbox's entry calls (inner/entry_calls.hpp) in sbxrun.
//
// Landlock keeps a protected entry of a writable root (`.git`, a `.claude` that must not be
// created) only by withholding creation, removal and renaming in the root directory itself,
// and what is new there inherits those reduced rights. For each trapped call sbxrun asks the
// guard (run/metadata_guard.hpp) two questions about the entry it names, resolved once to its
// directory's descriptor and its last name:
//   - would Landlock allow it natively (the compiled rules)? Then the kernel goes on with the
//     call (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and Landlock decides it as if sbxrun were not
//     there; sbxrun's view being stale or wrong can only make it refuse.
//   - does the policy allow it (entry_rights/policy_rights: a restricted directory, its
//     entries that lead to no hole, what is new beneath it)? Then sbxrun performs it itself on
//     the directory's descriptor, with the command's umask and its own capabilities cleared,
//     and answers with the result (a new descriptor is installed in the command with
//     SECCOMP_IOCTL_NOTIF_ADDFD). Every decided call names one entry of one directory
//     descriptor: no path is resolved again after the decision, a created file is opened with
//     O_EXCL | O_NOFOLLOW, an existing one is reopened through the descriptor that was checked.
//   - otherwise: the kernel goes on and Landlock refuses.
// So CONTINUE is safe here, unlike for metadata calls: Landlock still enforces underneath.
#pragma once

#include <linux/seccomp.h>

#include "inner/denial_log.hpp"
#include "inner/entry_calls.hpp"
#include "run/metadata_guard.hpp"

namespace sbx {

// Answer the notification `n` (already received) of the entry call `call`. Never fails: a
// notification whose process is gone is dropped, anything else gets an answer. A call that
// neither Landlock nor the policy allows is added to `log` (may be null) as the kernel goes on
// to refuse it (inner/denial_log.hpp).
void answer_entry_call(int listener, const seccomp_notif& n, const entry_calls::Call& call,
                       const MetadataGuard& guard, DenialLog* log) noexcept;

// link(2) and linkat(2): the kernel goes on (CONTINUE is safe: Landlock decides); a new name
// neither Landlock nor the policy allows is added to `log`. For the report only: a link the
// policy allows where Landlock refuses it stays refused (sbxrun(1), BACKENDS).
void answer_link_call(int listener, const seccomp_notif& n, const entry_calls::LinkCall& call,
                      const MetadataGuard& guard, DenialLog* log) noexcept;

// truncate(2) of a path: as an open for writing without O_CREAT. Landlock's when it allows it;
// performed by sbxrun on the descriptor it checked when only the policy does (a file new at
// the top of a writable root); otherwise the kernel goes on to refuse it, noted.
void answer_truncate_call(int listener, const seccomp_notif& n, const MetadataGuard& guard,
                          DenialLog* log) noexcept;

}  // namespace sbx
