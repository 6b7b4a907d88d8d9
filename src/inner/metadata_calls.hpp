// The metadata system calls that Landlock has no right for (chmod, chown, utimes, xattrs) and
// that sbxrun therefore mediates under the Landlock backend (run/metadata_notify.hpp), by
// number, for the native ABI. Header-only: both the filter (inner) and the supervisor (run)
// need the same list, and the two must never disagree.
//
// Debian 12's kernel headers stop at Linux 6.1: the newer calls are numbered here. Their
// numbers are the same on every architecture (the unified table starting at 424).
#pragma once

#include <linux/audit.h>
#include <sys/syscall.h>

namespace sbx::metadata_calls {

#if defined(__x86_64__)
inline constexpr unsigned kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
inline constexpr unsigned kNativeArch = AUDIT_ARCH_AARCH64;
#else
inline constexpr unsigned kNativeArch = 0;  // unknown: the filter build refuses (see there)
#endif

inline constexpr long kFchmodat2 = 452;
inline constexpr long kSetxattrat = 463;
inline constexpr long kRemovexattrat = 466;
inline constexpr long kFileSetattr = 469;  // refused outright, like FS_IOC_FSSETXATTR

// What a mediated call does, and where it names its object.
enum class Op { chmod, chown, utime, utimes, utimensat, setxattr, removexattr };
enum class Names {
    path,  // arg 0 is a path, resolved from the cwd (follow: !nofollow)
    fd,    // arg 0 is a descriptor
    at,    // arg 0 is a dirfd, arg 1 a path; flags (if any) in arg `flags_arg`
};
struct Call {
    long nr;
    Op op;
    Names names;
    bool nofollow;  // the l* variants
    int flags_arg;  // the AT_* flags argument, -1 if the call has none
};

inline constexpr Call kCalls[] = {
#ifdef SYS_chmod
    {SYS_chmod, Op::chmod, Names::path, false, -1},
#endif
    {SYS_fchmod, Op::chmod, Names::fd, false, -1},
    {SYS_fchmodat, Op::chmod, Names::at, false, -1},
    {kFchmodat2, Op::chmod, Names::at, false, 3},
#ifdef SYS_chown
    {SYS_chown, Op::chown, Names::path, false, -1},
#endif
#ifdef SYS_lchown
    {SYS_lchown, Op::chown, Names::path, true, -1},
#endif
    {SYS_fchown, Op::chown, Names::fd, false, -1},
    {SYS_fchownat, Op::chown, Names::at, false, 4},
#ifdef SYS_utime
    {SYS_utime, Op::utime, Names::path, false, -1},
#endif
#ifdef SYS_utimes
    {SYS_utimes, Op::utimes, Names::path, false, -1},
#endif
#ifdef SYS_futimesat
    {SYS_futimesat, Op::utimes, Names::at, false, -1},
#endif
    {SYS_utimensat, Op::utimensat, Names::at, false, 3},
    {SYS_setxattr, Op::setxattr, Names::path, false, -1},
    {SYS_lsetxattr, Op::setxattr, Names::path, true, -1},
    {SYS_fsetxattr, Op::setxattr, Names::fd, false, -1},
    {kSetxattrat, Op::setxattr, Names::at, false, 2},
    {SYS_removexattr, Op::removexattr, Names::path, false, -1},
    {SYS_lremovexattr, Op::removexattr, Names::path, true, -1},
    {SYS_fremovexattr, Op::removexattr, Names::fd, false, -1},
    {kRemovexattrat, Op::removexattr, Names::at, false, 2},
};

[[nodiscard]] constexpr const Call* find(long nr) {
    for (const Call& c : kCalls)
        if (c.nr == nr) return &c;
    return nullptr;
}

}  // namespace sbx::metadata_calls
