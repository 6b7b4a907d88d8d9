// syscall_probe ROW [ARG...]: make one system call of SECURITY.md's interface table directly
// (syscall(2) with raw arguments, no libc fallbacks) and print how it ended, for
// test/attacks/syscalls.sh. Output: "ok" (the call succeeded: exit 0) or the errno's name
// ("EPERM", "EROFS"...: exit 1); 2 = usage. A call the seccomp filter kills ends the process
// with SIGSYS, which the script sees as the exit status 128+31.
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>

namespace {

// Numbers the installed headers may lack (Debian 12's stop at 450).
constexpr long kFchmodat2 = 452;
constexpr long kSetxattrat = 463;
constexpr long kRemovexattrat = 466;
constexpr long kOpenTreeAttr = 467;
constexpr long kFileSetattr = 469;
constexpr long kX32Bit = 0x40000000L;

const char* a1;  // the row's first argument (a path, a pid, a family...)
const char* a2;  // its second

int num(const char* s) {
    return static_cast<int>(std::strtol(s, nullptr, 0));
}

// An fd on the target: O_RDONLY (what the sandbox can always get on a readable file).
long rdfd(const char* path) {
    return ::syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
}

// The i386 entry point: int 0x80 with eax = nr. Only its result matters; the filter should kill.
long int80(long nr) {
    long ret = nr;
    asm volatile("int $0x80" : "+a"(ret) : : "memory");
    return ret;
}

// Opening for writing is the permission a /proc or /sys write needs: the probe stops there, so
// that a hole shows as "ok" without changing a host setting.
long open_for_write(const char* path) {
    return ::syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
}

long socket_of(int family) {
    // Try the types a family may accept: any success is the family being reachable.
    long rc = -1;
    int first = 0;
    for (int type : {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET}) {
        rc = ::syscall(SYS_socket, family, type | SOCK_CLOEXEC, 0);
        if (rc >= 0) return rc;
        if (first == 0) first = errno;
        // the sandbox's refusal is the same for every type: stop at it
        if (errno == EAFNOSUPPORT || errno == EPERM || errno == EACCES) break;
    }
    errno = first;
    return rc;
}

const std::map<std::string, std::function<long()>>& rows() {
    static const std::map<std::string, std::function<long()>> r = {
        // creating, writing, removing, renaming, linking
        {"open-creat",
         [] { return ::syscall(SYS_open, a1, O_WRONLY | O_CREAT | O_CLOEXEC, 0644); }},
        {"open-write", [] { return ::syscall(SYS_open, a1, O_WRONLY | O_CLOEXEC); }},
        // A set-user-ID file made by creation (O_CREAT; O_TMPFILE then linked): refused.
        {"open-creat-setuid",
         [] { return ::syscall(SYS_open, a1, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 04755); }},
        {"openat-tmpfile-setuid",
         [] {
             return ::syscall(SYS_openat, AT_FDCWD, a1, O_TMPFILE | O_WRONLY | O_CLOEXEC, 04755);
         }},
        // Without O_CREAT the mode is not read: set-id bits in it refuse nothing.
        {"open-rdonly-setid-mode",
         [] { return ::syscall(SYS_open, a1, O_RDONLY | O_CLOEXEC, 06755); }},
        {"open-trunc", [] { return ::syscall(SYS_open, a1, O_RDONLY | O_TRUNC | O_CLOEXEC); }},
        {"openat-creat",
         [] { return ::syscall(SYS_openat, AT_FDCWD, a1, O_WRONLY | O_CREAT | O_CLOEXEC, 0644); }},
        {"openat2-creat",
         [] {
             struct {
                 unsigned long long flags, mode, resolve;
             } how{O_WRONLY | O_CREAT | O_CLOEXEC, 0644, 0};
             return ::syscall(SYS_openat2, AT_FDCWD, a1, &how, sizeof how);
         }},
        {"creat", [] { return ::syscall(SYS_creat, a1, 0644); }},
        {"mknod", [] { return ::syscall(SYS_mknod, a1, S_IFIFO | 0644, 0); }},
        {"mknodat", [] { return ::syscall(SYS_mknodat, AT_FDCWD, a1, S_IFREG | 0644, 0); }},
        {"mkdir", [] { return ::syscall(SYS_mkdir, a1, 0755); }},
        {"mkdirat", [] { return ::syscall(SYS_mkdirat, AT_FDCWD, a1, 0755); }},
        {"symlink", [] { return ::syscall(SYS_symlink, "/", a1); }},
        {"symlinkat", [] { return ::syscall(SYS_symlinkat, "/", AT_FDCWD, a1); }},
        {"link", [] { return ::syscall(SYS_link, a1, a2); }},
        {"linkat", [] { return ::syscall(SYS_linkat, AT_FDCWD, a1, AT_FDCWD, a2, 0); }},
        {"rename", [] { return ::syscall(SYS_rename, a1, a2); }},
        {"renameat", [] { return ::syscall(SYS_renameat, AT_FDCWD, a1, AT_FDCWD, a2); }},
        {"renameat2-exchange",
         [] { return ::syscall(SYS_renameat2, AT_FDCWD, a1, AT_FDCWD, a2, RENAME_EXCHANGE); }},
        {"unlink", [] { return ::syscall(SYS_unlink, a1); }},
        {"unlinkat", [] { return ::syscall(SYS_unlinkat, AT_FDCWD, a1, 0); }},
        {"rmdir", [] { return ::syscall(SYS_rmdir, a1); }},
        {"truncate", [] { return ::syscall(SYS_truncate, a1, 0); }},
        {"ftruncate", [] { return ::syscall(SYS_ftruncate, rdfd(a1), 0); }},
        {"fallocate", [] { return ::syscall(SYS_fallocate, rdfd(a1), 0, 0, 4096); }},
        {"write-rdonly-fd", [] { return ::syscall(SYS_write, rdfd(a1), "x", 1); }},
        // mode, owner, times
        {"chmod", [] { return ::syscall(SYS_chmod, a1, 0666); }},
        {"fchmod", [] { return ::syscall(SYS_fchmod, rdfd(a1), 0666); }},
        {"fchmodat", [] { return ::syscall(SYS_fchmodat, AT_FDCWD, a1, 0666); }},
        {"fchmodat2", [] { return ::syscall(kFchmodat2, AT_FDCWD, a1, 0666, 0); }},
        {"chown", [] { return ::syscall(SYS_chown, a1, -1, ::getgid()); }},
        {"lchown", [] { return ::syscall(SYS_lchown, a1, -1, ::getgid()); }},
        {"fchown", [] { return ::syscall(SYS_fchown, rdfd(a1), -1, ::getgid()); }},
        {"fchownat", [] { return ::syscall(SYS_fchownat, AT_FDCWD, a1, -1, ::getgid(), 0); }},
        {"utime", [] { return ::syscall(SYS_utime, a1, nullptr); }},
        {"utimes", [] { return ::syscall(SYS_utimes, a1, nullptr); }},
        {"futimesat", [] { return ::syscall(SYS_futimesat, AT_FDCWD, a1, nullptr); }},
        {"utimensat", [] { return ::syscall(SYS_utimensat, AT_FDCWD, a1, nullptr, 0); }},
        // xattrs and inode flags
        {"setxattr", [] { return ::syscall(SYS_setxattr, a1, "user.sbx", "1", 1, 0); }},
        {"lsetxattr", [] { return ::syscall(SYS_lsetxattr, a1, "user.sbx", "1", 1, 0); }},
        {"fsetxattr", [] { return ::syscall(SYS_fsetxattr, rdfd(a1), "user.sbx", "1", 1, 0); }},
        {"removexattr", [] { return ::syscall(SYS_removexattr, a1, "user.sbxkeep"); }},
        {"lremovexattr", [] { return ::syscall(SYS_lremovexattr, a1, "user.sbxkeep"); }},
        {"fremovexattr", [] { return ::syscall(SYS_fremovexattr, rdfd(a1), "user.sbxkeep"); }},
        {"setxattrat",
         [] {
             struct {
                 unsigned long long value;
                 unsigned size, flags;
             } args{reinterpret_cast<unsigned long long>("1"), 1, 0};
             return ::syscall(kSetxattrat, AT_FDCWD, a1, 0, "user.sbx", &args, sizeof args);
         }},
        {"removexattrat",
         [] { return ::syscall(kRemovexattrat, AT_FDCWD, a1, 0, "user.sbxkeep"); }},
        {"ioctl-setflags",
         [] {
             int flags = FS_NOATIME_FL;
             return ::syscall(SYS_ioctl, rdfd(a1), FS_IOC_SETFLAGS, &flags);
         }},
        // The inode's generation number, by the generic request and by ext4's alias
        // (_IOW('f', 4, long): the twenty-eighth review changed a host file's with it).
        {"ioctl-setversion",
         [] {
             long v = 42;
             return ::syscall(SYS_ioctl, rdfd(a1), FS_IOC_SETVERSION, &v);
         }},
        {"ioctl-ext4-setversion",
         [] {
             long v = 42;
             return ::syscall(SYS_ioctl, rdfd(a1), _IOW('f', 4, long), &v);
         }},
        {"ioctl-fssetxattr",
         [] {
             fsxattr fa{};
             long fd = rdfd(a1);
             if (::syscall(SYS_ioctl, fd, FS_IOC_FSGETXATTR, &fa) != 0) return -1L;
             fa.fsx_projid = 4242;
             return ::syscall(SYS_ioctl, fd, FS_IOC_FSSETXATTR, &fa);
         }},
        {"file_setattr",
         [] {
             unsigned long long attr[4] = {0, 0, 4242, 0};  // fsx_xflags, extsize, projid...
             return ::syscall(kFileSetattr, AT_FDCWD, a1, attr, sizeof attr, 0);
         }},
        {"open_by_handle_at",
         [] { return ::syscall(SYS_open_by_handle_at, AT_FDCWD, nullptr, 0); }},
        // mounts and the root
        {"mount", [] { return ::syscall(SYS_mount, "none", a1, "tmpfs", 0, nullptr); }},
        {"umount2", [] { return ::syscall(SYS_umount2, a1, MNT_DETACH); }},
        {"pivot_root", [] { return ::syscall(SYS_pivot_root, a1, a1); }},
        {"chroot", [] { return ::syscall(SYS_chroot, a1); }},
        {"open_tree-clone",
         [] { return ::syscall(SYS_open_tree, AT_FDCWD, a1, 1 /* OPEN_TREE_CLONE */); }},
        {"open_tree_attr-clone",
         [] { return ::syscall(kOpenTreeAttr, AT_FDCWD, a1, 1, nullptr, 0); }},
        {"move_mount", [] { return ::syscall(SYS_move_mount, AT_FDCWD, a1, AT_FDCWD, a1, 0); }},
        {"fsopen", [] { return ::syscall(SYS_fsopen, "tmpfs", 0); }},
        {"fspick", [] { return ::syscall(SYS_fspick, AT_FDCWD, a1, 0); }},
        {"fsconfig", [] { return ::syscall(SYS_fsconfig, -1, 0, nullptr, nullptr, 0); }},
        {"fsmount", [] { return ::syscall(SYS_fsmount, -1, 0, 0); }},
        {"mount_setattr", [] { return ::syscall(SYS_mount_setattr, AT_FDCWD, a1, 0, nullptr, 0); }},
        // namespaces
        {"unshare", [] { return ::syscall(SYS_unshare, std::strtol(a1, nullptr, 0)); }},
        {"clone-newuser",
         [] {
             long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
             if (pid == 0) ::_exit(0);
             return pid;
         }},
        {"clone3", [] { return ::syscall(SYS_clone3, nullptr, 0); }},
        {"setns", [] { return ::syscall(SYS_setns, rdfd("/proc/1/ns/mnt"), 0); }},
        // sockets
        {"socket", [] { return socket_of(num(a1)); }},
        {"socketpair",
         [] {
             int sv[2];
             return ::syscall(SYS_socketpair, num(a1), SOCK_DGRAM, 0, sv);
         }},
        // other processes: a1 is a host pid
        {"ptrace-attach",
         [] { return ::syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, num(a1), 0, 0); }},
        {"process_vm_readv",
         [] {
             char buf[8];
             iovec local{buf, sizeof buf}, remote{reinterpret_cast<void*>(0x400000), sizeof buf};
             return ::syscall(SYS_process_vm_readv, num(a1), &local, 1, &remote, 1, 0);
         }},
        {"process_vm_writev",
         [] {
             char buf[8] = {};
             iovec local{buf, sizeof buf}, remote{reinterpret_cast<void*>(0x400000), sizeof buf};
             return ::syscall(SYS_process_vm_writev, num(a1), &local, 1, &remote, 1, 0);
         }},
        {"kill", [] { return ::syscall(SYS_kill, num(a1), SIGTERM); }},
        {"tgkill", [] { return ::syscall(SYS_tgkill, num(a1), num(a1), SIGTERM); }},
        {"rt_sigqueueinfo",
         [] {
             siginfo_t si{};
             si.si_code = SI_QUEUE;
             si.si_pid = ::getpid();
             si.si_uid = ::getuid();
             return ::syscall(SYS_rt_sigqueueinfo, num(a1), SIGTERM, &si);
         }},
        {"pidfd_open", [] { return ::syscall(SYS_pidfd_open, num(a1), 0); }},
        {"pidfd_send_signal",
         [] {
             long fd = ::syscall(SYS_pidfd_open, num(a1), 0);
             if (fd < 0) return fd;
             return ::syscall(SYS_pidfd_send_signal, fd, SIGTERM, nullptr, 0);
         }},
        {"pidfd_getfd",
         [] {
             long fd = ::syscall(SYS_pidfd_open, num(a1), 0);
             if (fd < 0) return fd;
             return ::syscall(SYS_pidfd_getfd, fd, 0, 0);
         }},
        // A read lease on a file the command can only read: host writers would wait for it.
        {"fcntl-setlease",
         [] {
             long fd = rdfd(a1);
             if (fd < 0) return fd;
             return ::syscall(SYS_fcntl, fd, F_SETLEASE, F_RDLCK);
         }},
        // other processes' scheduling and limits (harmless values on a host `sleep`)
        {"prlimit64",
         [] {
             unsigned long long lim[2] = {0, 0};  // RLIMIT_CORE 0/0
             return ::syscall(SYS_prlimit64, num(a1), 4 /* RLIMIT_CORE */, lim, nullptr);
         }},
        {"setpriority",
         [] { return ::syscall(SYS_setpriority, 0 /* PRIO_PROCESS */, num(a1), 19); }},
        {"sched_setaffinity",
         [] {
             unsigned long mask[16] = {};
             long n = ::syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
             if (n < 0) return n;
             return ::syscall(SYS_sched_setaffinity, num(a1), sizeof mask, mask);
         }},
        {"ioprio_set",
         [] {
             return ::syscall(SYS_ioprio_set, 1 /* WHO_PROCESS */, num(a1), 3 << 13 /* IDLE */);
         }},
        {"kcmp", [] { return ::syscall(SYS_kcmp, ::getpid(), num(a1), 0 /* KCMP_FILE */, 0, 0); }},
        {"process_madvise",
         [] {
             long fd = ::syscall(SYS_pidfd_open, num(a1), 0);
             if (fd < 0) return fd;
             char b = 0;
             iovec v{&b, 1};
             return ::syscall(SYS_process_madvise, fd, &v, 1, 20 /* MADV_COLD */, 0);
         }},
        // kernel interfaces
        {"keyctl", [] { return ::syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -4 /* USER */, 0); }},
        {"add_key",
         [] { return ::syscall(SYS_add_key, "user", "sbx", "x", 1, -4 /* user keyring */); }},
        {"request_key", [] { return ::syscall(SYS_request_key, "user", "sbx", nullptr, 0); }},
        {"bpf", [] { return ::syscall(SYS_bpf, 0, nullptr, 0); }},
        {"perf_event_open",
         [] {
             perf_event_attr attr{};
             attr.size = sizeof attr;
             attr.type = PERF_TYPE_SOFTWARE;
             attr.config = PERF_COUNT_SW_CPU_CLOCK;
             return ::syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
         }},
        {"io_uring_setup",
         [] {
             io_uring_params p{};
             return ::syscall(SYS_io_uring_setup, 4, &p);
         }},
        {"io_uring_enter", [] { return ::syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0); }},
        {"io_uring_register", [] { return ::syscall(SYS_io_uring_register, -1, 0, nullptr, 0); }},
        {"userfaultfd", [] { return ::syscall(SYS_userfaultfd, O_CLOEXEC); }},
        {"init_module", [] { return ::syscall(SYS_init_module, nullptr, 0, ""); }},
        {"kexec_load", [] { return ::syscall(SYS_kexec_load, 0, 0, nullptr, 0); }},
        {"reboot",
         [] { return ::syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, nullptr); }},
        {"swapon", [] { return ::syscall(SYS_swapon, a1, 0); }},
        {"acct", [] { return ::syscall(SYS_acct, a1); }},
        {"sethostname", [] { return ::syscall(SYS_sethostname, "pwned", 5); }},
        {"settimeofday",
         [] {
             timeval tv{0, 0};
             return ::syscall(SYS_settimeofday, &tv, nullptr);
         }},
        // ttys: a1 is the fd of the caller's terminal
        {"ioctl-tiocsti",
         [] {
             char c = '#';
             return ::syscall(SYS_ioctl, num(a1), TIOCSTI, &c);
         }},
        {"ioctl-tioclinux",
         [] {
             char sub = 11;  // TIOCL_GETKMSGREDIRECT: harmless if it ever ran
             return ::syscall(SYS_ioctl, num(a1), TIOCLINUX, &sub);
         }},
        {"ioctl-tiocsti-hi",
         [] {
             char c = '#';
             return ::syscall(SYS_ioctl, num(a1), (1UL << 32) | TIOCSTI, &c);
         }},
        // USERFAULTFD_IOC_NEW, _IO(0xAA, 0): on any descriptor, refused before the driver (which
        // would say ENOTTY for one that is not /dev/userfaultfd).
        {"ioctl-uffd-new", [] { return ::syscall(SYS_ioctl, num(a1), _IO(0xAA, 0x00), 0); }},
        // /proc and /sys: open for writing (not written)
        {"open-wronly", [] { return open_for_write(a1); }},
        // foreign entry points: the filter kills (SIGSYS); the syscalls are harmless ones
        {"int80-getpid", [] { return int80(20); }},
        {"int80-chmod", [] { return int80(15); }},
        {"x32-getpid", [] { return ::syscall(kX32Bit | 39); }},
        {"x32-chmod", [] { return ::syscall(kX32Bit | SYS_chmod, a1, 0666); }},
        // a number newer than the filter's review (470: not yet allocated)
        {"unknown-nr", [] { return ::syscall(num(a1), 0, 0, 0, 0, 0); }},
    };
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    if (std::strcmp(argv[1], "--list") == 0) {
        for (const auto& [name, fn] : rows()) std::printf("%s\n", name.c_str());
        return 0;
    }
    a1 = argc > 2 ? argv[2] : "";
    a2 = argc > 3 ? argv[3] : "";
    auto it = rows().find(argv[1]);
    if (it == rows().end()) {
        std::fprintf(stderr, "syscall_probe: unknown row '%s'\n", argv[1]);
        return 2;
    }
    errno = 0;
    long rc = it->second();
    // int 0x80 returns -errno in eax instead of setting errno
    if (rc < 0 && errno == 0 && rc > -4096) errno = static_cast<int>(-rc);
    if (rc >= 0) {
        std::printf("ok\n");
        return 0;
    }
    const char* name = strerrorname_np(errno);
    std::printf("%s\n", name ? name : "E?");
    return 1;
}
