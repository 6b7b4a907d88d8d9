// MountPlan -> Landlock ruleset (pure, given a directory lister).
//
// Landlock grants rights beneath a directory and can never take them back deeper down, so it
// cannot carve a read-only hole (protect) out of a writable tree, nor a hidden hole (deny) out
// of a readable one, nor pin a symlink inside a writable directory. What happens then is
// backend.on_unenforceable:
//   approximate  keep every protection, give up permission: the directory above a hole keeps
//                only the rights the hole allows, and every *other* entry of it gets the full
//                rights beneath it (recursively down to the hole; a symlink entry gets no rule).
//                So in a writable root with a protected .git, the root's own rule cannot
//                create, remove or rename entries: the supervisor does that for the command
//                (LandlockRestrictedDir below), so only hard links and unix sockets are lost
//                at the top of the root and in what is new there; under read = ["/"]
//                with deny ~/.ssh, "/", "/home" and "~" cannot be listed but everything else
//                reads as before. Each such loss is one line of `approximated`.
//   escalate     any such gap is Error(ErrorKind::unenforceable) (exit 122).
//   weaken       the hole is dropped (its protection is not enforced): one line of `weakened`.
// The same rule applies to gaps of an older ABI (see landlock_apply.hpp for the two a seccomp
// filter can stand in for: truncate below ABI 3, abstract unix sockets below ABI 6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/landlock_dir_lister.hpp"
#include "inner/inner_spec.hpp"
#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

struct LandlockCompiled {
    LandlockSpec spec;                      // rule fds: plan.fds[...] or fds below
    std::vector<UniqueFd> fds;              // descriptors the compile opened (siblings, /dev)
    std::vector<std::string> approximated;  // permission given up, one human-readable line each
    std::vector<std::string> weakened;      // protection dropped (on_unenforceable = weaken)
    std::vector<LandlockRestrictedDir> restricted;  // write walks that lost creation rights
    // Rule fds of the files the caller gave the command to write on fds 0-2
    // (DirLister::std_write_files): writable by name, but their mode, owner, times and xattrs
    // are the caller's (the metadata guard must not read WRITE_FILE there as leave to change
    // them).
    std::vector<int> handed_over;
};

// `abi` is the effective ABI (landlock_effective_abi(), 1..7). The plan must outlive the
// result (rules refer to its descriptors). Errors: ErrorKind::unenforceable (escalate),
// ErrorKind::unsupported (abi < 1), ErrorKind::os from the lister.
[[nodiscard]] Result<LandlockCompiled> compile_landlock(const MountPlan& plan, int abi,
                                                        OnUnenforceable on_unenforceable,
                                                        DirLister& lister);

// The built-in device nodes granted read+write (+ioctl) when /dev is visible: commands write
// to /dev/null and open /dev/tty whatever the policy says about "/". Not /dev/pts: only the
// terminals on fds 0-2 (DirLister::std_terminals) are granted, and /dev/pts is carved out of
// the read roots, so no other terminal of the host can be read or written.
[[nodiscard]] const std::vector<std::string>& landlock_builtin_devices();

}  // namespace sbx
