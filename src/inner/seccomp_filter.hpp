// The seccomp filter installed just before exec (after no_new_privs, Landlock): by sbxrun-inner
// inside bwrap, and by sbxrun's own child for the Landlock backend (inner/direct_exec.hpp).
//
// The programs are generated with libseccomp when sbxrun is built (seccomp_build.cpp holds the
// rules, seccomp_gen.cpp writes the table): a run only picks one, which is a copy, and loads it,
// which is one system call. The two are separate so that a forked child can load a program its
// parent picked, without allocating between fork and exec.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// Pick and load the filter for `profile`. SeccompProfile::none is a no-op unless
// `refuse_unix_sockets`, which adds socket(AF_UNIX, ...) -> EAFNOSUPPORT to any profile
// (socketpair(AF_UNIX) is left alone). Refused calls fail with EPERM (EAFNOSUPPORT for socket
// families), never kill the process, so the command sees an ordinary error it can report.
// broker_parent: the filter of sbxrun-inner itself when it is the entry broker
// (inner/entry_broker.hpp), which reads the command's memory (process_vm_readv) and resolves
// its paths with openat2: neither is refused. The command gets both refusals back from the
// broker's filter (build_entry_filter), stacked on this one.
[[nodiscard]] Status install_seccomp(SeccompProfile profile, bool refuse_unix_sockets = false,
                                     bool broker_parent = false);

// A classic-BPF seccomp program as libseccomp generated it; empty means "no filter".
using SeccompProgram = std::vector<sock_filter>;

// The program install_seccomp() would load, without loading it.
// host_ipc: the command shares the host's IPC namespace (the Landlock backend): System V IPC
// is refused too.
[[nodiscard]] Result<SeccompProgram> build_seccomp(SeccompProfile profile,
                                                   bool refuse_unix_sockets = false,
                                                   bool host_ipc = false,
                                                   bool broker_parent = false);

// The Landlock backend's stand-ins for what the ABI cannot refuse (inner/landlock_apply.hpp):
// truncate(2) with EPERM, socket(AF_UNIX) with EAFNOSUPPORT; empty when neither is asked for.
[[nodiscard]] SeccompProgram compensation_program(bool refuse_truncate, bool refuse_unix_socket);

// Load a built program on the calling thread: seccomp(SECCOMP_SET_MODE_FILTER, 0, prog), as
// libseccomp's own seccomp_load does without TSYNC or log flags. Requires no_new_privs (or
// CAP_SYS_ADMIN). Async-signal-safe: returns 0 or an errno value, allocates nothing. An empty
// program is not loaded.
[[nodiscard]] int load_seccomp(const SeccompProgram& program) noexcept;

}  // namespace sbx
