// Under bwrap, what a read-only mount does not stop: opening a FIFO or a device node for
// writing. The kernel refuses EROFS for a regular file on a read-only mount, but a FIFO of the
// host (a daemon's control FIFO, another user's) opens for writing through one, and its reader
// gets what the command writes (the twenty-sixth outside review; sbxrun(1) says the rest of the
// system is read-only). A Landlock ruleset for the command's child that handles only
// LANDLOCK_ACCESS_FS_WRITE_FILE (and TRUNCATE, ABI 3: truncate(2) of /proc/self/fd/0 reached
// the caller's stdin file on its host mount), granted beneath every writable mount of the sandbox's
// view
// (/proc/self/mountinfo: the writable roots, /dev's tmpfs with its nodes, /dev/pts, a private
// /tmp) and on the command's own stdin, stdout and stderr when they are files the caller opened
// for writing (a log file, reopened as /dev/stderr), refuses the rest with EACCES. For a regular
// file on a read-only mount nothing changes: the kernel answers EROFS before Landlock is asked.
// Pipes and sockets are not files Landlock sees. REFER is granted with writing (write_layer.cpp
// says why); on a kernel with Landlock ABI 1 every Landlock layer refuses links and renames
// between directories, which sbxrun(1) says.
//
// Built by sbxrun-inner in the sandbox's view, entered by the command's child before exec
// (sbxrun-inner itself stays outside it). Needs Landlock (ABI 1); without it the gap stays,
// as sbxrun(1) says.
#pragma once

#include <initializer_list>
#include <vector>

#include "inner/mount_table.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// The ruleset, or an error (nothing is granted twice; a mount point that cannot be opened gets
// no rule, so writes beneath it are refused rather than allowed).
[[nodiscard]] Result<UniqueFd> prepare_write_layer(const std::vector<MountPoint>& mounts,
                                                   std::initializer_list<int> stdio);

// landlock_restrict_self(ruleset): 0 or errno. Async-signal-safe (for the forked child).
[[nodiscard]] int enter_write_layer(int ruleset) noexcept;

}  // namespace sbx
