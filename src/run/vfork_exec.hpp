// Start a child that borrows sbxrun's memory until it execs, as glibc's posix_spawn does
// (clone with CLONE_VM | CLONE_VFORK on a stack of its own), instead of fork()'s copy of the
// whole process.
//
// Why: on the path of every command. A fork copies the page tables, and every page either
// process writes before the child's exec is copied once more; here (a 2-CPU VM, where each
// fault traps to the hypervisor) fork + exec + reap of a small child costs 1 to 1.5 ms more
// than the same through vfork (bench/notes.md). Boost.Process v2 has a vfork_launcher, but it
// allocates in the child and leaves it through exit(), which would run sbxrun's atexit
// handlers and flush its stdio on the shared memory; so this is sbxrun's own, and small.
//
// The rules the child obeys (it runs on borrowed memory while sbxrun waits):
// - `child` must not return on success: it execs (or _exits). Returning means failure, with
//   an errno, which vfork_exec() hands back to the parent.
// - Only system calls and writes to its own stack, on the success path: no allocation, no
//   lock, no change to a global. (An error path may allocate: sbxrun, single-threaded and
//   suspended, holds no lock, so at worst that memory is never freed.)
// - Every signal handler is reset to the default in the child before `child` runs, and all
//   signals stay blocked until `child` sets its own mask: a handler of sbxrun's running in
//   the child would act on sbxrun's memory.
// sbxrun calls it with one thread (the proxy's resolver thread starts after the spawn).
#pragma once

#include <sys/types.h>

#include "util/result.hpp"

namespace sbx {

// Runs child(arg) in the new process, with every signal blocked; returns its pid once it has
// exec'd, or the errno `child` returned (the child is then reaped).
[[nodiscard]] Result<pid_t> vfork_exec(int (*child)(void* arg) noexcept, void* arg,
                                       const char* what);

// The same, started in the cgroup whose directory `cgroup_dir` is (clone3 CLONE_INTO_CGROUP,
// Linux 5.7): joining one from inside the child (a write to cgroup.procs) waits for an RCU
// grace period, 7-17 ms a run on this 2-CPU VM, most of the Landlock backend's start-up.
// clone3 cannot take a function to run on a stack of its own without assembly, so this child
// is a fork (its memory copied, as posix_spawn's is not): about 1 ms more than vfork_exec, and
// the child's failure comes back over a close-on-exec pipe. The child must obey the same rules.
// An error with sys_errno ENOSYS: the kernel has no clone3 or CLONE_INTO_CGROUP; nothing was
// started, and the caller may join the cgroup from inside a vfork_exec child instead.
[[nodiscard]] Result<pid_t> fork_exec_into_cgroup(int (*child)(void* arg) noexcept, void* arg,
                                                  const char* what, int cgroup_dir);

}  // namespace sbx
