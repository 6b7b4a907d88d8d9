// Applying a Landlock ruleset to the calling thread (after no_new_privs), and the
// Landlock constants both the compile (backend) and the apply (inner) use.
//
// Debian 12's <linux/landlock.h> stops at ABI 2, so every access bit is defined here with the
// kernel's values (include/uapi/linux/landlock.h); this header has no kernel-header dependency.
#pragma once

#include <cstdint>

#include "inner/inner_spec.hpp"
#include "inner/seccomp_filter.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

namespace ll {
// Filesystem rights (ABI 1: bits 0-12; ABI 2: REFER; ABI 3: TRUNCATE; ABI 5: IOCTL_DEV).
inline constexpr std::uint64_t kExecute = 1ull << 0;
inline constexpr std::uint64_t kWriteFile = 1ull << 1;
inline constexpr std::uint64_t kReadFile = 1ull << 2;
inline constexpr std::uint64_t kReadDir = 1ull << 3;
inline constexpr std::uint64_t kRemoveDir = 1ull << 4;
inline constexpr std::uint64_t kRemoveFile = 1ull << 5;
inline constexpr std::uint64_t kMakeChar = 1ull << 6;
inline constexpr std::uint64_t kMakeDir = 1ull << 7;
inline constexpr std::uint64_t kMakeReg = 1ull << 8;
inline constexpr std::uint64_t kMakeSock = 1ull << 9;
inline constexpr std::uint64_t kMakeFifo = 1ull << 10;
inline constexpr std::uint64_t kMakeBlock = 1ull << 11;
inline constexpr std::uint64_t kMakeSym = 1ull << 12;
inline constexpr std::uint64_t kRefer = 1ull << 13;
inline constexpr std::uint64_t kTruncate = 1ull << 14;
inline constexpr std::uint64_t kIoctlDev = 1ull << 15;

inline constexpr std::uint64_t kFsAbi1 = (1ull << 13) - 1;  // the 13 basic rights
inline constexpr std::uint64_t kMake =
    kMakeChar | kMakeDir | kMakeReg | kMakeSock | kMakeFifo | kMakeBlock | kMakeSym;
inline constexpr std::uint64_t kRemove = kRemoveDir | kRemoveFile;
// Rights that change the entries of a directory (create, delete, rename into or out of it).
inline constexpr std::uint64_t kEntry = kMake | kRemove | kRefer;
// The rights Landlock accepts on a rule whose fd is not a directory.
inline constexpr std::uint64_t kFileOnly =
    kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;

// Network rights (ABI 4) and scopes (ABI 6).
inline constexpr std::uint64_t kNetBindTcp = 1ull << 0;
inline constexpr std::uint64_t kNetConnectTcp = 1ull << 1;
inline constexpr std::uint64_t kScopeAbstractUnix = 1ull << 0;
inline constexpr std::uint64_t kScopeSignal = 1ull << 1;

// The newest ABI this code knows (7 adds only audit-logging flags, which we do not use).
inline constexpr int kNewestKnownAbi = 7;

// Every filesystem right ABI `abi` knows (0 for abi < 1).
[[nodiscard]] constexpr std::uint64_t fs_rights_for_abi(int abi) {
    if (abi < 1) return 0;
    std::uint64_t m = kFsAbi1;
    if (abi >= 2) m |= kRefer;
    if (abi >= 3) m |= kTruncate;
    if (abi >= 5) m |= kIoctlDev;
    return m;
}
[[nodiscard]] constexpr std::uint64_t net_rights_for_abi(int abi) {
    return abi >= 4 ? (kNetBindTcp | kNetConnectTcp) : 0;
}
[[nodiscard]] constexpr std::uint64_t scopes_for_abi(int abi) {
    return abi >= 6 ? (kScopeAbstractUnix | kScopeSignal) : 0;
}
}  // namespace ll

// The Landlock ABI the running kernel offers (0 when Landlock is absent or disabled).
[[nodiscard]] int landlock_kernel_abi();

// The ABI sbxrun uses: min(kernel ABI, ll::kNewestKnownAbi, $SBXRUN_LANDLOCK_ABI_MAX).
// SBXRUN_LANDLOCK_ABI_MAX is a test knob that can only *lower* the ABI (a value above the
// kernel's, or not a number in 0..7, is ignored); 0 makes Landlock look absent. This is the only
// place the variable is read.
[[nodiscard]] int landlock_effective_abi();

// The raw calls, for sbxrun-inner's own small rulesets (the entry broker's, the write layer's)
// that handle a few filesystem rights and grant them beneath descriptors.
// A ruleset handling `handled_fs` only: its descriptor (close-on-exec), or -1 with errno.
[[nodiscard]] int landlock_create_fs_ruleset(std::uint64_t handled_fs);
// Grant `access` beneath (or on) what `fd` names: 0 or errno.
[[nodiscard]] int landlock_add_path_rule(int ruleset, int fd, std::uint64_t access);
// landlock_restrict_self: 0 or errno. Async-signal-safe (for a forked child).
[[nodiscard]] int landlock_restrict(int ruleset) noexcept;

// A ruleset built and filled, not yet enforced, with the seccomp stand-ins it needs (below).
struct PreparedLandlock {
    UniqueFd ruleset;
    SeccompProgram compensation;  // empty when the ABI has everything the spec asks for
};

// Create the ruleset described by spec and add each rule through its fd. The rules' fds are
// only read here: the prepared ruleset no longer needs them.
[[nodiscard]] Result<PreparedLandlock> prepare_landlock(const LandlockSpec& spec);

// Enforce a prepared ruleset on the calling thread, then load its compensation filter.
// Requires no_new_privs (or CAP_SYS_ADMIN). Async-signal-safe: returns 0 or an errno value.
[[nodiscard]] int enforce_landlock(const PreparedLandlock& prepared) noexcept;

// prepare_landlock() + enforce_landlock(): what sbxrun-inner does.
//
// The masks in spec may carry two requests beyond spec.abi, which the compile sets under
// on_unenforceable = approximate and which are kept by a small extra seccomp filter instead:
//   ll::kTruncate in handled_fs with abi < 3   -> truncate(2)/truncate64(2) by path refused (EPERM)
//   ll::kScopeAbstractUnix in scoped, abi < 6  -> socket(AF_UNIX) refused (EAFNOSUPPORT);
//                                                 socketpair() still works (it has no address)
// Every other bit beyond spec.abi (e.g. the signal scope below ABI 6) is dropped: the compile
// reported it as weakened or refused to run.
[[nodiscard]] Status apply_landlock(const LandlockSpec& spec);

}  // namespace sbx
