// MountPlan -> bubblewrap argv (pure: no system calls; golden-tested in
// test/unit/backend/bwrap_compile_test.cpp).
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

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backend/bwrap_probe.hpp"
#include "inner/inner_spec.hpp"
#include "plan/mount_plan.hpp"
#include "util/result.hpp"

namespace sbx {

// One op of the plan and the descriptor bwrap is handed for it. They travel together so that
// no descriptor can be paired with another op's (as lists aligned by op index allowed, when an
// op was skipped or a list was one short).
struct BwrapMount {
    const MountOp* op = nullptr;  // an op of the plan given to bwrap_plan(), never null
    int fd = -1;  // what bwrap mounts: the plan's checked source (bind_ro, bind_rw, anchor), a
                  // readable-at-EOF fd (hide_file), the host placeholder, bound read-only onto
                  // itself (block_missing); -1 for tmpfs and hide_dir, and under --explain
    // block_missing: the placeholder's identity, which sbxrun-inner checks (unset under
    // --explain, when no placeholder exists yet).
    std::optional<std::pair<dev_t, ino_t>> placeholder_id;
    // block_missing under the entry broker: the identity of the directory that holds the
    // missing name (the plan's descriptor for it), which sbxrun-inner checks (unset under
    // --explain).
    std::optional<std::pair<dev_t, ino_t>> parent_id;
};

// What compile_bwrap mounts, made by bwrap_plan(): every op of a plan, with its descriptor.
struct BwrapPlan {
    std::vector<BwrapMount> mounts;  // one per op of the plan, in its order (parents first)
    std::vector<PinSpec> pins;       // the plan's pinned symlinks, with the text they say
    NetworkMode network = NetworkMode::none;
    std::vector<MountPlan::DotBlock> dot_blocks;  // the plan's: a writable HOME's new dot-names
};

// The plan as bwrap mounts it. Binds get the plan's descriptor; the stand-ins (hide_file's
// empty file, block_missing's placeholder) are the caller's to open and fill in, because
// opening them touches the system and the compile does not. `plan` must outlive the result.
[[nodiscard]] BwrapPlan bwrap_plan(const MountPlan& plan);

// Whether the entry broker (BwrapInputs::entry_broker, inner/entry_broker.hpp) blocks this
// block_missing op instead of a placeholder: every one whose directory exists in the sandbox as
// on the host, i.e. not below a tmpfs or hidden directory of the plan (a placeholder there is
// mounted by bwrap over a mount point it makes, as before).
[[nodiscard]] bool broker_blocks(const BwrapPlan& plan, const BwrapMount& m);

struct BwrapInputs {
    int inner_exe_fd = -1;  // O_RDONLY fd of sbxrun-inner, inherited by bwrap
    int status_fd = -1;     // write end for --json-status-fd (-1: not used)
    InnerSpec inner;        // seccomp, report_fd, chdir, argv...; pins and devpts are
                            // filled in from the plan
    bool explain = false;   // fds not opened yet: render them as "<fd>"
    // sbxrun-inner binds the placeholders read-only itself (InnerSpec::placeholders) instead
    // of bwrap: set when the kernel has mount_setattr (inner/placeholder_bind.hpp).
    bool inner_binds_placeholders = false;
    // Missing protected names are kept by sbxrun-inner's entry broker (InnerSpec::entry_blocks)
    // where broker_blocks() says so, with no placeholder: set when the kernel has Landlock ABI
    // >= 2 and seccomp user notification, unless SBXRUN_ENTRY_BROKER=0.
    bool entry_broker = false;
    // --tty: the host's name of the command's pty (/dev/pts/N), bound onto /dev/console, where
    // the sandbox's own devpts does not hide it: ttyname() then finds it (as bwrap's --dev
    // does for a terminal on stdin). Empty: none.
    std::string console;
    // Reads of the plan's denied paths are watched (InnerSpec::deny_watch): bwrap binds the
    // host's /dev/fuse for sbxrun-inner, which detaches it once opened. Set when the host has
    // a /dev/fuse, unless SBXRUN_DENY_WATCH=0.
    bool watch_denied_reads = false;
};

struct BwrapCommand {
    std::vector<std::string> argv;      // argv[0] = bwrap's path
    std::size_t command_at = 0;         // index of the "--" before sbxrun-inner: argv[1..that)
                                        // are bwrap's own options, which --args FD can carry
    std::vector<int> pass_fds;          // every fd the argv names, to be inherited
    std::vector<std::string> notes;     // what the compile could not express, said by --explain
    // Rules the sandbox does not apply because their place is the sandbox's own (/proc, /dev):
    // said on stderr and in the status document's `approximated` too, never only in --explain
    // (thirty-seventh review: deny = ["/dev/null"] ran silently without it).
    std::vector<std::string> approximated;
};

// bwrap's own cap on its arguments (MAX_ARGS), whether on argv or read through --args FD.
inline constexpr std::size_t kBwrapMaxArgs = 9000;

// bwrap's options (argv[1..command_at)) as the NUL-terminated strings `--args FD` reads.
[[nodiscard]] std::string args_fd_data(const BwrapCommand& cmd);

// The argv that hands bwrap its options through `--args FD` (the command stays on argv).
[[nodiscard]] std::vector<std::string> argv_with_args_fd(const BwrapCommand& cmd, int fd);

// Errors: unsupported (bwrap too old, too many arguments); internal when, outside --explain,
// a mount lacks its descriptor or a placeholder its identity.
[[nodiscard]] Result<BwrapCommand> compile_bwrap(const BwrapPlan& plan, const BwrapInfo& bwrap,
                                                 const BwrapInputs& in);

}  // namespace sbx
