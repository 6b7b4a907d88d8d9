// /proc/sys read-only inside bwrap's sandbox.
//
// The sandbox's /proc is a fresh procfs of its PID namespace, but the sysctls under /proc/sys
// are mostly global (kernel.core_pattern, vm.*), and their files belong to the host's root: a
// run as root is that owner, so without this it could open them for writing (no capability is
// needed for the owner's write; core_pattern alone is host root). bwrap means to cover
// /proc/sys, but it checks access(W_OK) on the directory (mode 0555), which fails, and skips it.
#pragma once

#include "util/result.hpp"

namespace sbx {

// Bind /proc/sys onto itself and remount the bind read-only (nosuid, nodev, noexec kept, as the
// procfs mount has them locked). Needs CAP_SYS_ADMIN in the user namespace that owns the mount
// namespace: called before the capabilities are dropped.
[[nodiscard]] Status make_proc_sys_readonly();

}  // namespace sbx
