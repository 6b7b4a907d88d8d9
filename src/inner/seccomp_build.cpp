// The seccomp filters' rules, turned into BPF by libseccomp when sbxrun is built
// (seccomp_gen.cpp writes every program a run can ask for; seccomp_filter.cpp loads them).
//
// Policy: allow by default, refuse a short list of calls that either escape what Landlock and
// the mount namespace enforce (ptrace/process_vm_* of other processes, io_uring which bypasses
// this very filter, new user namespaces, mount APIs, TIOCSTI/TIOCLINUX input injection into the
// controlling terminal) or attack the kernel (bpf, perf, userfaultfd, keyrings, modules, kexec).
// Refusals are errors (EPERM, EAFNOSUPPORT for socket families, ENOSYS for clone3 and for every
// x86_64 syscall number newer than the reviewed list), never kills, so the command sees an
// ordinary failure it can report.
//
// Architectures: rules are added for the native ABI only. Any syscall made through another ABI
// the kernel accepts (the i386 `int 0x80` entry and x32 on x86_64, compat ABIs elsewhere) kills
// the process (SCMP_FLTATR_ACT_BADARCH = KILL_PROCESS): translating every rule to i386 is not
// possible faithfully (socket() is multiplexed through socketcall(), whose arguments live in
// memory where seccomp cannot read them), and a foreign ABI is the classic way around a filter.
// 32-bit binaries therefore die with SIGSYS inside the sandbox; that is loud, not permissive.
#include "inner/seccomp_build.hpp"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <linux/fsverity.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

struct CtxDeleter {
    void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

// Calls refused outright with EPERM in every profile.
constexpr const char* kRefused[] = {
    // other processes' memory and execution
    "ptrace", "process_vm_readv", "process_vm_writev",
    // io_uring performs operations without passing through seccomp
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    // kernel keyrings are shared beyond the sandbox
    "keyctl", "add_key", "request_key",
    // kernel attack surface a sandboxed command has no use for
    "bpf", "perf_event_open", "userfaultfd",
    // mount APIs, old and new: the sandbox's view of the filesystem is final
    "mount", "umount2", "umount", "pivot_root", "open_tree", "move_mount", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr", "chroot",
    // modules, kexec, and other whole-machine calls (need capabilities anyway: defence in depth)
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "open_by_handle_at", "iopl", "ioperm", "setns"};

// Namespace flags that unshare()/clone() must not carry. CLONE_NEWUSER is the one that matters
// (it gives back capabilities inside a new namespace); the others need capabilities the command
// does not have, and are refused here too so the error is the same everywhere.
constexpr std::uint64_t kNsFlagsClone[] = {CLONE_NEWUSER,  CLONE_NEWNS,  CLONE_NEWPID,
                                           CLONE_NEWNET,   CLONE_NEWUTS, CLONE_NEWIPC,
                                           CLONE_NEWCGROUP};

int resolve(const char* name) {
    return seccomp_syscall_resolve_name(name);
}

Status add(scmp_filter_ctx ctx, std::uint32_t action, const char* name,
           std::initializer_list<scmp_arg_cmp> cmps = {}) {
    int nr = resolve(name);
    if (nr == __NR_SCMP_ERROR) return {};  // this architecture has no such call: nothing to refuse
    int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(cmps.size()),
                                    cmps.size() ? cmps.begin() : nullptr);
    if (rc < 0) {
        return os_error(std::string("cannot add the seccomp rule for ") + name, -rc);
    }
    return {};
}

// Limits and priorities of other processes. Under Landlock there is no pid namespace, and
// Landlock scopes ptrace and signals only: a host process of the same user (or any, as root)
// could be given new limits (prlimit64), a new nice value or a whole user's processes reniced
// (setpriority PRIO_USER/PRIO_PGRP), or a new I/O class (ioprio_set). The command's own are
// what it needs: glibc's setrlimit/getrlimit, nice() and ionice of itself all pass pid/who 0.
// A non-zero pid is refused even when it is the caller's own (seccomp cannot compare with it);
// getters with a pid (prlimit64 without a new limit) are refused with them, which nothing
// common does. sched_setaffinity stays open: pthread_setaffinity_np passes a thread id.
// Under bwrap the pid namespace already hides every process outside; the rules change nothing.
Status add_other_process_rules(scmp_filter_ctx ctx) {
    const std::uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
    SBX_TRY(add(ctx, eperm, "prlimit64", {SCMP_A0(SCMP_CMP_NE, 0)}));
    SBX_TRY(add(ctx, eperm, "setpriority", {SCMP_A0(SCMP_CMP_NE, PRIO_PROCESS)}));
    SBX_TRY(add(ctx, eperm, "setpriority", {SCMP_A1(SCMP_CMP_NE, 0)}));
    constexpr std::uint64_t kIoprioWhoProcess = 1;  // IOPRIO_WHO_PROCESS (linux/ioprio.h)
    SBX_TRY(add(ctx, eperm, "ioprio_set", {SCMP_A0(SCMP_CMP_NE, kIoprioWhoProcess)}));
    SBX_TRY(add(ctx, eperm, "ioprio_set", {SCMP_A1(SCMP_CMP_NE, 0)}));
    return {};
}

// No set-user-ID or set-group-ID bit from inside: a root command could otherwise leave a
// setuid-root copy of a program in the workspace (mode 4755 on a file it owns needs no
// capability), which any host user then runs as root. Modes are the third bits of every call
// that sets one: chmod's and the creating calls' (open with O_CREAT, mkdir, mknod). openat2
// passes its mode in memory, out of seccomp's reach, so it is not there: ENOSYS, which every
// caller of it handles (it is Linux 5.6's; glibc never calls it, systemd and sbxrun itself fall
// back to openat), as if the kernel were older.
Status add_setid_mode_rules(scmp_filter_ctx ctx, bool broker_parent) {
    const std::uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
    for (auto [name, arg] :
         std::initializer_list<std::pair<const char*, unsigned>>{{"chmod", 1},
                                                                 {"fchmod", 1},
                                                                 {"fchmodat", 2},
                                                                 {"creat", 1},
                                                                 {"mkdir", 1},
                                                                 {"mkdirat", 2},
                                                                 {"mknod", 1},
                                                                 {"mknodat", 2}}) {
        // MASKED_EQ against 0 would match "no bit set": refuse when either bit is set.
        for (std::uint64_t bit :
             {static_cast<std::uint64_t>(S_ISUID), static_cast<std::uint64_t>(S_ISGID)}) {
            SBX_TRY(add(ctx, eperm, name, {scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, bit, bit}}));
        }
    }
    // open and openat read their mode only to create a file (O_CREAT, O_TMPFILE); otherwise the
    // register holds whatever the caller left there, and a raw open(path, O_WRONLY) whose
    // garbage had a set-id bit was refused (EPERM) one time in fifteen: the syscall table's
    // probe, rebuilt with a new layout, showed it.
    constexpr std::uint64_t kTmpfileBit = 020000000;  // __O_TMPFILE, without O_DIRECTORY
    for (auto [name, flags, mode] :
         std::initializer_list<std::tuple<const char*, unsigned, unsigned>>{{"open", 1, 2},
                                                                            {"openat", 2, 3}}) {
        for (std::uint64_t create : {static_cast<std::uint64_t>(O_CREAT), kTmpfileBit}) {
            for (std::uint64_t bit :
                 {static_cast<std::uint64_t>(S_ISUID), static_cast<std::uint64_t>(S_ISGID)}) {
                SBX_TRY(add(ctx, eperm, name,
                            {scmp_arg_cmp{flags, SCMP_CMP_MASKED_EQ, create, create},
                             scmp_arg_cmp{mode, SCMP_CMP_MASKED_EQ, bit, bit}}));
            }
        }
    }
    if (!broker_parent) SBX_TRY(add(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", {}));
    // fchmodat2 (452) is newer than libseccomp 2.5's tables: by number.
    for (std::uint64_t bit :
         {static_cast<std::uint64_t>(S_ISUID), static_cast<std::uint64_t>(S_ISGID)}) {
        int rc = seccomp_rule_add(ctx, eperm, 452, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, bit, bit));
        if (rc < 0) return os_error("cannot add the seccomp rule for fchmodat2", -rc);
    }
    return {};
}

// ext4's own numbers for what FS_IOC_SETVERSION does (<linux/ext4.h> is not in Debian 12's
// headers): _IOW('f', 4, long) and _IOW('f', 4, int); and EXT4_IOC_MIGRATE, _IO('f', 9), which
// rewrites an inode's block map for its owner.
constexpr unsigned long kExt4SetVersion = _IOW('f', 4, long);
constexpr unsigned long kExt4SetVersion32 = _IOW('f', 4, int);
constexpr unsigned long kExt4Migrate = _IO('f', 9);
// <linux/userfaultfd.h>'s USERFAULTFD_IOC_NEW, spelled out: older headers lack it.
constexpr unsigned long kUserfaultfdIocNew = _IO(0xAA, 0x00);

// ioctls that change an inode, or the filesystem's state, through a descriptor opened
// read-only (so neither a read-only mount nor Landlock's write rights stop them): the
// generation number (the generic request and ext4's alias, which the twenty-eighth review
// found unrefused), an ext4 block-map migration, fs-verity, encryption policies and the
// user's encryption keys of the filesystem. Nothing a build or test needs.
Status add_inode_ioctl_rules(scmp_filter_ctx ctx) {
    const std::uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
    for (unsigned long req :
         {static_cast<unsigned long>(FS_IOC_SETVERSION),
          static_cast<unsigned long>(FS_IOC32_SETVERSION), kExt4SetVersion, kExt4SetVersion32,
          kExt4Migrate, static_cast<unsigned long>(FS_IOC_ENABLE_VERITY),
          static_cast<unsigned long>(FS_IOC_SET_ENCRYPTION_POLICY),
          static_cast<unsigned long>(FS_IOC_ADD_ENCRYPTION_KEY),
          static_cast<unsigned long>(FS_IOC_REMOVE_ENCRYPTION_KEY),
          static_cast<unsigned long>(FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS)}) {
        SBX_TRY(add(ctx, eperm, "ioctl", {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, req)}));
    }
    return {};
}

// System V IPC objects live in the IPC namespace: bwrap gives the sandbox its own, the Landlock
// backend cannot, and Landlock does not cover them, so a command could read, write or remove a
// host program's shared memory, semaphores and message queues (mode 0600 is no obstacle for
// the same user). Refused there. POSIX IPC goes through files (/dev/shm, mqueue) and is covered.
Status add_host_ipc_rules(scmp_filter_ctx ctx) {
    const std::uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
    for (const char* name : {"shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semtimedop",
                             "semctl", "msgget", "msgsnd", "msgrcv", "msgctl"})
        SBX_TRY(add(ctx, eperm, name));
    return {};
}

Status add_base(scmp_filter_ctx ctx, bool broker_parent) {
    const std::uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
    for (const char* name : kRefused) {
        if (broker_parent && std::string_view(name) == "process_vm_readv") continue;
        SBX_TRY(add(ctx, eperm, name));
    }

    // ioctl's request is an unsigned int in the kernel: compare the low 32 bits only, so
    // garbage in the upper half cannot slip TIOCSTI past an exact 64-bit comparison.
    // USERFAULTFD_IOC_NEW: /dev/userfaultfd (Linux 6.1) hands out what userfaultfd(2), refused
    // above, would, to anyone who can open the device (root, under Landlock, where the host's
    // /dev is visible). A page registered with it made sbxrun's read of a mediated call's
    // argument wait forever: its supervision, --timeout included, hung (thirty-third review).
    for (unsigned long req : {static_cast<unsigned long>(TIOCSTI),
                              static_cast<unsigned long>(TIOCLINUX), kUserfaultfdIocNew}) {
        SBX_TRY(add(ctx, eperm, "ioctl", {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, req)}));
    }

    // clone's flags are its first argument except on s390, where the stack comes first.
    const std::uint32_t arch = seccomp_arch_native();
    const bool s390 = arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X;
    for (std::uint64_t flag : kNsFlagsClone) {
        SBX_TRY(add(ctx, eperm, "unshare", {SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)}));
        if (s390) {
            SBX_TRY(add(ctx, eperm, "clone", {SCMP_A1(SCMP_CMP_MASKED_EQ, flag, flag)}));
        } else {
            SBX_TRY(add(ctx, eperm, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)}));
        }
    }
    SBX_TRY(add_other_process_rules(ctx));
    SBX_TRY(add_setid_mode_rules(ctx, broker_parent));
    SBX_TRY(add_inode_ioctl_rules(ctx));
    // A lease on a file the command only reads (as root, any root-owned file of the host):
    // every host program that opens it for writing then waits up to lease-break-time (45 s)
    // for the command to let go (twenty-ninth review). Nothing a build or test takes.
    SBX_TRY(
        add(ctx, eperm, "fcntl",
            {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, static_cast<std::uint64_t>(F_SETLEASE))}));
    // CLONE_NEWTIME (0x80) overlaps clone()'s exit-signal byte, so it is only meaningful to
    // unshare() (and clone3, refused below).
    SBX_TRY(
        add(ctx, eperm, "unshare", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWTIME, CLONE_NEWTIME)}));
    // clone3 passes its flags in memory, out of seccomp's reach: ENOSYS makes glibc fall back
    // to clone(), whose flags the rules above can see.
    SBX_TRY(add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3"));
    return {};
}

// socket() and socketpair() rules. With no network, every family but AF_UNIX: AF_INET/AF_INET6
// (TCP, UDP, ICMP), AF_NETLINK, AF_PACKET, AF_VSOCK, ... A comparison on the full 64-bit value is
// safe there: any upper-half garbage makes the value differ from AF_UNIX, which refuses.
// refuse_unix adds socket(AF_UNIX): a pathname socket is reached by connect(2), which neither a
// read-only mount nor Landlock (ABI <= 7) refuses, so host services whose socket file the
// command can see (docker.sock, agents, X11) are closed only by never handing out such a socket.
// socketpair(AF_UNIX) stays: it has no address and reaches nothing but its own other end.
//
// Under a private network namespace (bwrap, network "none": netns_only) the families a
// namespace isolates stay, every other one is refused. An allowlist, because new families
// appear in new kernels and a denylist would let them through:
//   AF_UNIX     abstract names are per netns; pathname sockets are the filesystem's business
//               (refuse_unix, network.unix_sockets);
//   AF_INET/6   per netns (only lo, down or private, is there);
//   AF_NETLINK  rtnetlink and friends answer for the netns (getaddrinfo, ip(8) need it).
// Refused: AF_VSOCK (not namespaced at all: it reaches the hypervisor and other guests),
// AF_BLUETOOTH, AF_ALG, AF_TIPC, AF_RDS, AF_CAN, AF_XDP, AF_KCM, ... (host-wide state or
// kernel attack surface a build has no use for), and AF_PACKET: a netns does isolate it, but
// it needs CAP_NET_RAW, which the command never has, so refusing it costs nothing.
// Families are compared on the low 32 bits (the kernel reads an int); any value at or over
// AF_MAX, whatever its upper half, is refused as a whole.
constexpr int kNetnsFamilies[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

Status add_netns_socket_rules(scmp_filter_ctx ctx, bool refuse_unix) {
    const std::uint32_t eafnosupport = SCMP_ACT_ERRNO(EAFNOSUPPORT);
    for (const char* call : {"socket", "socketpair"}) {
        for (int family = 0; family < AF_MAX; ++family) {
            bool keep = false;
            for (int ok : kNetnsFamilies) keep = keep || ok == family;
            if (family == AF_UNIX && refuse_unix && std::string_view(call) == "socket")
                keep = false;
            if (keep) continue;
            SBX_TRY(add(
                ctx, eafnosupport, call,
                {SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, static_cast<std::uint64_t>(family))}));
        }
        SBX_TRY(add(ctx, eafnosupport, call, {SCMP_A0(SCMP_CMP_GE, AF_MAX)}));
    }
    return {};
}

// socket() and socketpair() of every family but AF_UNIX (socket() only unless refuse_unix;
// socketpair() always) and, for socket(), AF_INET and AF_INET6: refused (EAFNOSUPPORT), as is
// any value at or over AF_MAX. socketpair exists for AF_UNIX only; for AF_INET/6 the kernel
// says EOPNOTSUPP anyway. What is left of AF_INET/6 is the caller's business.
Status refuse_families_but_unix_and_ip(scmp_filter_ctx ctx, bool refuse_unix) {
    const std::uint32_t eafnosupport = SCMP_ACT_ERRNO(EAFNOSUPPORT);
    for (const char* call : {"socket", "socketpair"}) {
        const bool socketpair = std::string_view(call) == "socketpair";
        for (int family = 0; family < AF_MAX; ++family) {
            const bool keep = family == AF_UNIX
                                  ? socketpair || !refuse_unix
                                  : !socketpair && (family == AF_INET || family == AF_INET6);
            if (keep) continue;
            SBX_TRY(add(
                ctx, eafnosupport, call,
                {SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, static_cast<std::uint64_t>(family))}));
        }
        SBX_TRY(add(ctx, eafnosupport, call, {SCMP_A0(SCMP_CMP_GE, AF_MAX)}));
    }
    return {};
}

// Network allowlist under Landlock (no network namespace): TCP is all the command may create
// besides unix sockets, and Landlock's TCP rules (ABI 4+) confine its connect(2) to the proxy's
// port. Every family but AF_UNIX (unless refuse_unix), AF_INET and AF_INET6 is refused, and for
// AF_INET/AF_INET6 every type but SOCK_STREAM (UDP, ICMP "ping" sockets, raw) and every protocol
// but 0 and IPPROTO_TCP: SCTP and MPTCP are stream sockets too, and Landlock's TCP rules do not
// cover them. A protocol with garbage in its upper half is greater than IPPROTO_TCP: refused.
Status add_tcp_only_socket_rules(scmp_filter_ctx ctx, bool refuse_unix) {
    const std::uint32_t eacces = SCMP_ACT_ERRNO(EACCES);
    constexpr std::uint64_t kSockTypeMask = 0xf;  // SOCK_TYPE_MASK: without CLOEXEC/NONBLOCK
    SBX_TRY(refuse_families_but_unix_and_ip(ctx, refuse_unix));
    for (int family : {AF_INET, AF_INET6}) {
        const auto fam =
            SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, static_cast<std::uint64_t>(family));
        for (std::uint64_t type = 0; type <= kSockTypeMask; ++type) {
            if (type == SOCK_STREAM) continue;
            SBX_TRY(add(ctx, eacces, "socket",
                        {fam, SCMP_A1(SCMP_CMP_MASKED_EQ, kSockTypeMask, type)}));
        }
        SBX_TRY(add(ctx, eacces, "socket", {fam, SCMP_A2(SCMP_CMP_GT, IPPROTO_TCP)}));
        for (std::uint64_t proto = 1; proto < IPPROTO_TCP; ++proto)
            SBX_TRY(
                add(ctx, eacces, "socket", {fam, SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, proto)}));
    }
    // SO_BINDTODEVICE / SO_BINDTOIFINDEX (unprivileged on an unbound socket): sbxrun connects
    // the command's socket to the proxy at 127.0.0.1 (run/connect_guard.hpp), and a socket bound
    // to eth0 sent that SYN out of eth0, with whatever IP_TOS and IP_TTL the command chose: a
    // covert channel to the local network (thirty-third review). Loopback is all it may use.
    for (std::uint64_t opt : {static_cast<std::uint64_t>(SO_BINDTODEVICE),
                              static_cast<std::uint64_t>(SO_BINDTOIFINDEX)}) {
        SBX_TRY(add(ctx, SCMP_ACT_ERRNO(EPERM), "setsockopt",
                    {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, SOL_SOCKET),
                     SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, opt)}));
    }
    // listen(2) on a TCP socket that was never bound binds it to every address and a free
    // port without a bind(2), so Landlock's bind rule never sees it: the command could serve
    // the workspace to other users and hosts, and relay them to the proxy (eleventh outside
    // review). The command cannot connect to a server of its own anyway (connect(2) reaches
    // the proxy's port only), so listening serves nothing: refused, for every socket.
    SBX_TRY(add(ctx, SCMP_ACT_ERRNO(EPERM), "listen"));
    return {};
}

// Network none under Landlock, observed (no_network_observed): as add_socket_rules with no
// network, but socket(AF_INET) and socket(AF_INET6) are left to the Landlock backend's second
// filter, which sends them to sbxrun (run/metadata_notify.hpp): it notes each for the denial
// report (the command wanted the network) and refuses it with the same EAFNOSUPPORT. Should
// sbxrun be gone, a call pending on the closed listener fails (ENOSYS): refused all the same.
Status add_observed_no_network_socket_rules(scmp_filter_ctx ctx, bool refuse_unix) {
    return refuse_families_but_unix_and_ip(ctx, refuse_unix);
}

// With socket(AF_UNIX) refused, a datagram socketpair is the one unix socket left that can
// still name a peer: sendto(2) with an address, or connect(2), on it reaches any datagram
// socket file the command can see (/dev/log, the journal, /run/systemd/notify), and could pass
// descriptors along (found by an outside review). Stream and seqpacket pairs are connected to
// each other for good (connect and sendto-with-address fail with EISCONN): they stay.
Status add_socketpair_dgram_rule(scmp_filter_ctx ctx) {
    constexpr std::uint64_t kSockTypeMask = 0xf;  // SOCK_TYPE_MASK: without CLOEXEC/NONBLOCK
    return add(ctx, SCMP_ACT_ERRNO(EPERM), "socketpair",
               {SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX),
                SCMP_A1(SCMP_CMP_MASKED_EQ, kSockTypeMask, SOCK_DGRAM)});
}

Status add_socket_rules(scmp_filter_ctx ctx, bool no_network, bool refuse_unix) {
    const std::uint32_t eafnosupport = SCMP_ACT_ERRNO(EAFNOSUPPORT);
    if (no_network && refuse_unix) {
        SBX_TRY(add(ctx, eafnosupport, "socket"));
    } else if (no_network) {
        SBX_TRY(add(ctx, eafnosupport, "socket", {SCMP_A0(SCMP_CMP_NE, AF_UNIX)}));
    } else if (refuse_unix) {
        // The kernel reads the family as an int: compare the low 32 bits only, so garbage in
        // the upper half cannot slip AF_UNIX past an exact 64-bit comparison.
        SBX_TRY(
            add(ctx, eafnosupport, "socket", {SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX)}));
    }
    if (no_network) SBX_TRY(add(ctx, eafnosupport, "socketpair", {SCMP_A0(SCMP_CMP_NE, AF_UNIX)}));
    return {};
}

// Syscall numbers newer than the refuse list. The filter allows by default, so a call added to
// the kernel after the list was written (setxattrat 463, open_tree_attr 467, file_setattr 469
// change files or mounts) would pass unexamined; libseccomp 2.5 does not even know their names.
// Every native x86_64 number above kNewestReviewedSyscall (mseal, 462: the numbers up to it are
// reviewed in SECURITY.md's table) fails with ENOSYS, which is what an older kernel answers and
// what every libc wrapper already falls back from. libseccomp cannot express a range, so the
// check is a few hand-written BPF instructions put in front of its program: they run first and
// either return ENOSYS or fall through to the program's own start (its arch check and rules;
// classic BPF jumps are relative, so the program is unchanged by being shifted). Foreign ABIs
// (another audit arch, or x32's __X32_SYSCALL_BIT) fall through too, to the kill they get there.
// Other architectures get no guard (their numbering differs; noted in SECURITY.md).
constexpr std::uint32_t kNewestReviewedSyscall = 462;
constexpr std::uint32_t kX32SyscallBit = 0x40000000u;

Status prepend_unknown_syscall_guard(SeccompProgram& prog) {
    if (seccomp_arch_native() != SCMP_ARCH_X86_64) return {};
    const auto arch_off = static_cast<std::uint32_t>(offsetof(seccomp_data, arch));
    const auto nr_off = static_cast<std::uint32_t>(offsetof(seccomp_data, nr));
    // jt/jf count the instructions to skip: 0 is the next one, 3/2/1 reach the program's start.
    const sock_filter guard[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arch_off),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, nr_off),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kX32SyscallBit, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, kNewestReviewedSyscall, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
    };
    if (prog.size() + std::size(guard) > BPF_MAXINSNS)
        return Error(ErrorKind::internal, "the seccomp filter is too long for the syscall guard");
    prog.insert(prog.begin(), std::begin(guard), std::end(guard));
    return {};
}

}  // namespace

Result<SeccompProgram> export_seccomp(void* scmp_ctx, const char* what) {
    UniqueFd mem(::memfd_create("sbxrun-seccomp", MFD_CLOEXEC));
    if (!mem) return os_error(std::string("cannot export the ") + what + " (memfd_create)", errno);
    int rc = seccomp_export_bpf(static_cast<scmp_filter_ctx>(scmp_ctx), mem.get());
    if (rc < 0) return os_error(std::string("cannot generate the ") + what, -rc);
    struct stat st {};
    if (::fstat(mem.get(), &st) != 0)
        return os_error(std::string("cannot export the ") + what + " (fstat)", errno);
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size == 0 || size % sizeof(sock_filter) != 0 || size / sizeof(sock_filter) > BPF_MAXINSNS)
        return Error(ErrorKind::internal, std::string("libseccomp exported a malformed ") + what);
    SeccompProgram prog(size / sizeof(sock_filter));
    std::size_t done = 0;
    auto* bytes = reinterpret_cast<char*>(prog.data());
    while (done < size) {
        ssize_t n = ::pread(mem.get(), bytes + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return os_error(std::string("cannot export the ") + what + " (read)",
                            n < 0 ? errno : EIO);
        done += static_cast<std::size_t>(n);
    }
    return prog;
}

Result<SeccompProgram> generate_seccomp(SeccompProfile profile, bool refuse_unix_sockets,
                                        bool host_ipc, bool broker_parent) {
    if (profile == SeccompProfile::none && !refuse_unix_sockets) return SeccompProgram{};

    Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx) return Error(ErrorKind::os, "cannot initialise the seccomp filter (libseccomp)");

    // A syscall through a foreign ABI (i386 int 0x80, x32) kills: see the file comment.
    int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) return os_error("cannot set the seccomp bad-architecture action", -rc);

    if (profile != SeccompProfile::none) SBX_TRY(add_base(ctx.get(), broker_parent));
    if (profile != SeccompProfile::none && host_ipc) SBX_TRY(add_host_ipc_rules(ctx.get()));
    if (refuse_unix_sockets) SBX_TRY(add_socketpair_dgram_rule(ctx.get()));
    if (profile == SeccompProfile::netns) {
        SBX_TRY(add_netns_socket_rules(ctx.get(), refuse_unix_sockets));
    } else if (profile == SeccompProfile::tcp_only) {
        SBX_TRY(add_tcp_only_socket_rules(ctx.get(), refuse_unix_sockets));
    } else if (profile == SeccompProfile::no_network_observed) {
        SBX_TRY(add_observed_no_network_socket_rules(ctx.get(), refuse_unix_sockets));
    } else {
        SBX_TRY(add_socket_rules(ctx.get(), profile == SeccompProfile::no_network,
                                 refuse_unix_sockets));
    }
    auto prog = export_seccomp(ctx.get(), "seccomp filter");
    if (!prog) return prog;
    if (profile != SeccompProfile::none) SBX_TRY(prepend_unknown_syscall_guard(*prog));
    return prog;
}

// The seccomp stand-ins for Landlock features the ABI lacks (inner/landlock_apply.hpp).
Result<SeccompProgram> generate_compensation(bool refuse_truncate, bool refuse_unix_socket) {
    if (!refuse_truncate && !refuse_unix_socket) return SeccompProgram{};
    Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx) return Error(ErrorKind::os, "cannot initialise the seccomp filter (libseccomp)");
    auto add_one = [&](const char* name, std::uint32_t action, unsigned n,
                       const scmp_arg_cmp* cmp) -> Status {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) return {};
        int rc = seccomp_rule_add_array(ctx.get(), action, nr, n, cmp);
        if (rc < 0) return os_error(std::string("cannot add the seccomp rule for ") + name, -rc);
        return {};
    };
    if (refuse_truncate) {
        SBX_TRY(add_one("truncate", SCMP_ACT_ERRNO(EPERM), 0, nullptr));
        SBX_TRY(add_one("truncate64", SCMP_ACT_ERRNO(EPERM), 0, nullptr));
    }
    if (refuse_unix_socket) {
        scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
        SBX_TRY(add_one("socket", SCMP_ACT_ERRNO(EAFNOSUPPORT), 1, &cmp));
    }
    return export_seccomp(ctx.get(), "Landlock compensation seccomp filter");
}

}  // namespace sbx
