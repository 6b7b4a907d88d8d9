// MountPlan -> bubblewrap argv (pure: no system calls; golden-tested).
//
// Every source is handed to bwrap as the descriptor the plan checked (--ro-bind-fd/--bind-fd),
// and every destination is the canonical path, which holds no symlink. bwrap runs as the
// payload sbxrun-inner, exec'ed as /proc/self/fd/N, which pins links, mounts devpts, drops every
// capability and finally runs the command.
//
// The sandbox gets CAP_SYS_ADMIN over its own mount namespace only so that sbxrun-inner can
// pin symlinks (open_tree + move_mount) and mount devpts; for that reason /dev is assembled
// from a tmpfs and device binds instead of bwrap's --dev (which makes bwrap switch to a second
// user namespace that no longer owns the mount namespace).
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "backend/bwrap_probe.hpp"
#include "inner/inner_spec.hpp"
#include "plan/mount_plan.hpp"
#include "util/result.hpp"

namespace sbx {

struct BwrapInputs {
    int inner_exe_fd = -1;              // O_RDONLY fd of sbxrun-inner, inherited by bwrap
    int status_fd = -1;                 // write end for --json-status-fd (-1: not used)
    std::vector<int> empty_data_fds;    // one readable-at-EOF fd per hide_file op, in op order
    std::vector<int> placeholder_fds;   // one fd per block_missing op, in op order: the host
                                        // placeholder, bound read-only onto itself
    std::vector<std::pair<dev_t, ino_t>> placeholder_ids;  // their identities, same order
                                                           // (empty under explain)
    InnerSpec inner;                    // seccomp, report_fd, chdir, argv...; pins and devpts
                                        // are filled in from the plan
    bool explain = false;               // fds not opened yet: render them as "<fd>"
};

struct BwrapCommand {
    std::vector<std::string> argv;      // argv[0] = bwrap's path
    std::size_t command_at = 0;         // index of the "--" before sbxrun-inner: argv[1..that)
                                        // are bwrap's own options, which --args FD can carry
    std::vector<int> pass_fds;          // every fd the argv names, to be inherited
    std::vector<std::string> notes;     // what the compile could not express, said by --explain
};

// bwrap's own cap on its arguments (MAX_ARGS), whether on argv or read through --args FD.
inline constexpr std::size_t kBwrapMaxArgs = 9000;

[[nodiscard]] std::size_t count_ops(const MountPlan& plan, OpKind kind);

// bwrap's options (argv[1..command_at)) as the NUL-terminated strings `--args FD` reads.
[[nodiscard]] std::string args_fd_data(const BwrapCommand& cmd);

// The argv that hands bwrap its options through `--args FD` (the command stays on argv).
[[nodiscard]] std::vector<std::string> argv_with_args_fd(const BwrapCommand& cmd, int fd);

[[nodiscard]] Result<BwrapCommand> compile_bwrap(const MountPlan& plan, const BwrapInfo& bwrap,
                                                 const BwrapInputs& in);

}  // namespace sbx
