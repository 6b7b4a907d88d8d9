// The system calls that create, remove or rename directory entries, or open a file for
// writing, which the Landlock backend sends to sbxrun (run/entry_notify.hpp), by number, for
// the native ABI. Header-only for the same reason as inner/metadata_calls.hpp: the filter
// (inner) and the supervisor (run) must never disagree on the list.
//
// Why they are mediated at all: Landlock cannot keep a protected name out of a writable root
// (`.git`, a missing `.claude`) without withholding creation, removal and renaming in the whole
// root directory, and everything new in it then has the reduced rights of the root itself. The
// calls here let sbxrun do on the command's behalf what the policy allows and Landlock cannot
// express; everything else goes on to the kernel, where Landlock still decides.
//
// openat2 is not here: the base seccomp filter answers ENOSYS for it (its mode is in memory,
// where a set-id bit cannot be seen), and callers fall back to openat.
//
// link/linkat are not here: under Landlock a hard link is only ever made natively (Landlock's
// REFER rule keeps a protected file from being linked into a writable place), so they stay
// refused at the top of a root there. Under bwrap, where every protected file is a mount of its
// own and a link across mounts fails (EXDEV), sbxrun-inner's broker makes them in P (kLinkCalls
// below). Neither backend sees bind(2) of a unix socket.
#pragma once

#include <sys/syscall.h>

namespace sbx::entry_calls {

enum class Op {
    open,  // open/openat/creat: trapped only with O_CREAT, O_TRUNC or a write access mode
    mkdir,
    mknod,
    symlink,
    unlink,  // unlink, and unlinkat with or without AT_REMOVEDIR
    rmdir,
    rename,  // rename, renameat, renameat2
};

// Where each argument is: -1 when the call has none (the path is then relative to the cwd).
struct Call {
    long nr;
    Op op;
    int dirfd;      // the directory a relative path starts from
    int path;       // the entry's path
    int flags;      // open flags, AT_REMOVEDIR or RENAME_* flags
    int mode;       // creation mode
    int dirfd2;     // rename's target directory / symlink's target string (for symlink: -1)
    int path2;      // rename's target path; symlink's target string
    bool filtered;  // trapped only when `flags` has one of kOpenTrapFlags (open and openat)
};

// O_WRONLY | O_RDWR | O_CREAT | O_TRUNC: the open flags that may need sbxrun.
inline constexpr unsigned kOpenTrapFlags = 01 | 02 | 0100 | 01000;

inline constexpr Call kCalls[] = {
#ifdef SYS_open
    {SYS_open, Op::open, -1, 0, 1, 2, -1, -1, true},
#endif
    {SYS_openat, Op::open, 0, 1, 2, 3, -1, -1, true},
#ifdef SYS_creat
    {SYS_creat, Op::open, -1, 0, -1, 1, -1, -1, false},
#endif
#ifdef SYS_mkdir
    {SYS_mkdir, Op::mkdir, -1, 0, -1, 1, -1, -1, false},
#endif
    {SYS_mkdirat, Op::mkdir, 0, 1, -1, 2, -1, -1, false},
#ifdef SYS_mknod
    {SYS_mknod, Op::mknod, -1, 0, -1, 1, -1, -1, false},
#endif
    {SYS_mknodat, Op::mknod, 0, 1, -1, 2, -1, -1, false},
#ifdef SYS_symlink
    {SYS_symlink, Op::symlink, -1, 1, -1, -1, -1, 0, false},
#endif
    {SYS_symlinkat, Op::symlink, 1, 2, -1, -1, -1, 0, false},
#ifdef SYS_unlink
    {SYS_unlink, Op::unlink, -1, 0, -1, -1, -1, -1, false},
#endif
    {SYS_unlinkat, Op::unlink, 0, 1, 2, -1, -1, -1, false},
#ifdef SYS_rmdir
    {SYS_rmdir, Op::rmdir, -1, 0, -1, -1, -1, -1, false},
#endif
#ifdef SYS_rename
    {SYS_rename, Op::rename, -1, 0, -1, -1, -1, 1, false},
#endif
    {SYS_renameat, Op::rename, 0, 1, -1, -1, 2, 3, false},
    {SYS_renameat2, Op::rename, 0, 1, 4, -1, 2, 3, false},
};

// link and linkat: trapped by sbxrun-inner's entry filter only (bwrap), see above.
struct LinkCall {
    long nr;
    int olddirfd;  // -1: the old path is relative to the cwd
    int oldpath;
    int newdirfd;  // -1: likewise for the new path
    int newpath;
    int flags;  // AT_SYMLINK_FOLLOW, AT_EMPTY_PATH; -1 for link(2)
};
inline constexpr LinkCall kLinkCalls[] = {
#ifdef SYS_link
    {SYS_link, -1, 0, -1, 1, -1},
#endif
    {SYS_linkat, 0, 1, 2, 3, 4},
};

[[nodiscard]] constexpr const LinkCall* find_link(long nr) {
    for (const LinkCall& c : kLinkCalls)
        if (c.nr == nr) return &c;
    return nullptr;
}

[[nodiscard]] constexpr const Call* find(long nr) {
    for (const Call& c : kCalls)
        if (c.nr == nr) return &c;
    return nullptr;
}

}  // namespace sbx::entry_calls
