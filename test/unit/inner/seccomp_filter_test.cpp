// The seccomp profiles applied for real, in forked children (kernel tests).
#include "inner/seccomp_filter.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>

#include "inner/metadata_filter.hpp"
#include "inner/seccomp_build.hpp"
#include "inner/seccomp_table.hpp"
#include "landlock_probe_support.hpp"

using namespace sbx;
using sbx::test::in_child;

namespace {

auto with(SeccompProfile p) {
    return [p] { return install_seccomp(p).ok(); };
}
int sock(int family) {
    int fd = ::socket(family, SOCK_STREAM, 0);
    return fd >= 0 ? 0 : errno;
}

}  // namespace

TEST_CASE("seccomp no_network: AF_INET/AF_INET6/netlink refused, AF_UNIX works", "[seccomp]") {
    auto s = with(SeccompProfile::no_network);
    CHECK(in_child(s, [] { return sock(AF_INET); }) == EAFNOSUPPORT);
    CHECK(in_child(s, [] { return sock(AF_INET6); }) == EAFNOSUPPORT);
    CHECK(in_child(s, [] {
              int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
              return fd >= 0 ? 0 : errno;
          }) == EAFNOSUPPORT);
    CHECK(in_child(s, [] {
              int fd = ::socket(AF_NETLINK, SOCK_RAW, 0);
              return fd >= 0 ? 0 : errno;
          }) == EAFNOSUPPORT);
    CHECK(in_child(s, [] { return sock(AF_UNIX); }) == 0);
    CHECK(in_child(s, [] {
              int sv[2];
              return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
          }) == 0);
    // upper-half garbage in the family does not let AF_INET through
    CHECK(in_child(s, [] {
              long fd = ::syscall(SYS_socket, (1L << 32) | AF_INET, SOCK_STREAM, 0);
              return fd >= 0 ? 0 : errno;
          }) == EAFNOSUPPORT);
}

TEST_CASE("seccomp tcp_only: TCP streams and unix sockets only", "[seccomp]") {
    auto s = with(SeccompProfile::tcp_only);
    auto make = [](int family, int type, int protocol) {
        return [=] {
            long fd = ::syscall(SYS_socket, family, type, protocol);
            return fd >= 0 ? 0 : errno;
        };
    };
    CHECK(in_child(s, make(AF_INET, SOCK_STREAM, 0)) == 0);
    CHECK(in_child(s, make(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 6)) == 0);
    CHECK(in_child(s, make(AF_UNIX, SOCK_STREAM, 0)) == 0);
    // UDP (DNS), ICMP "ping" sockets, raw, SCTP (132) and MPTCP (262) streams: refused.
    CHECK(in_child(s, make(AF_INET, SOCK_DGRAM, 0)) == EACCES);
    CHECK(in_child(s, make(AF_INET6, SOCK_DGRAM, 58)) == EACCES);
    CHECK(in_child(s, make(AF_INET, SOCK_RAW, 1)) == EACCES);
    CHECK(in_child(s, make(AF_INET, SOCK_STREAM, 132)) == EACCES);
    CHECK(in_child(s, make(AF_INET, SOCK_STREAM, 262)) == EACCES);
    CHECK(in_child(s, make(AF_INET, SOCK_STREAM, 1)) == EACCES);
    CHECK(in_child(s, make(AF_INET, SOCK_STREAM, -1)) == EACCES);
    // A protocol with garbage above its low 32 bits, for IPPROTO_TCP.
    CHECK(in_child(s, [] {
              long fd = ::syscall(SYS_socket, AF_INET, SOCK_STREAM, (1L << 32) | 6);
              return fd >= 0 ? 0 : errno;
          }) == EACCES);
    // Every other family, netlink included.
    CHECK(in_child(s, make(AF_NETLINK, SOCK_RAW, 0)) == EAFNOSUPPORT);
    CHECK(in_child(s, make(AF_PACKET, SOCK_RAW, 0)) == EAFNOSUPPORT);
    CHECK(in_child(s, make(40 /* AF_VSOCK */, SOCK_STREAM, 0)) == EAFNOSUPPORT);
    // Unix sockets as unix_sockets says.
    auto refuse_unix = [] { return install_seccomp(SeccompProfile::tcp_only, true).ok(); };
    CHECK(in_child(refuse_unix, make(AF_UNIX, SOCK_STREAM, 0)) == EAFNOSUPPORT);
    CHECK(in_child(refuse_unix, make(AF_INET, SOCK_STREAM, 0)) == 0);
    CHECK(in_child(refuse_unix, [] {
              int sv[2];
              return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
          }) == 0);
}

TEST_CASE("seccomp base: network allowed, dangerous calls refused", "[seccomp]") {
    for (auto p : {SeccompProfile::base, SeccompProfile::no_network, SeccompProfile::netns}) {
        INFO(to_string(p));
        auto s = with(p);
        if (p == SeccompProfile::base) CHECK(in_child(s, [] { return sock(AF_INET); }) == 0);
        CHECK(in_child(s, [] {
                  return ::syscall(SYS_io_uring_setup, 1, nullptr) >= 0 ? 0 : errno;
              }) == EPERM);
        CHECK(in_child(s, [] { return ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno; }) == EPERM);
        CHECK(in_child(s, [] { return ::unshare(CLONE_NEWNS) == 0 ? 0 : errno; }) == EPERM);
        CHECK(in_child(s, [] {
                  char c = 'x';
                  return ::ioctl(0, TIOCSTI, &c) == 0 ? 0 : errno;
              }) == EPERM);
        CHECK(in_child(s, [] {
                  // request with garbage in the upper half is still TIOCSTI to the kernel
                  char c = 'x';
                  return ::syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, &c) == 0 ? 0 : errno;
              }) == EPERM);
        CHECK(in_child(s, [] {
                  return ::syscall(SYS_ptrace, 0 /*PTRACE_TRACEME*/, 0, 0, 0) == 0 ? 0 : errno;
              }) == EPERM);
        CHECK(in_child(s, [] { return ::syscall(SYS_bpf, 0, nullptr, 0) == 0 ? 0 : errno; }) ==
              EPERM);
        CHECK(in_child(s, [] { return ::syscall(SYS_keyctl, 0, 0, 0, 0, 0) == 0 ? 0 : errno; }) ==
              EPERM);
        CHECK(in_child(s, [] { return ::syscall(SYS_clone3, nullptr, 0) == 0 ? 0 : errno; }) ==
              ENOSYS);
        // ordinary process creation still works (glibc falls back from clone3)
        CHECK(in_child(s, [] {
                  pid_t pid = ::fork();
                  if (pid == 0) ::_exit(0);
                  return pid > 0 ? 0 : errno;
              }) == 0);
    }
}

TEST_CASE("seccomp none installs nothing", "[seccomp]") {
    CHECK(in_child(with(SeccompProfile::none), [] { return sock(AF_INET); }) == 0);
}

TEST_CASE("refusing unix sockets: socket(AF_UNIX) refused on every profile, socketpair works",
          "[seccomp]") {
    for (auto p : {SeccompProfile::none, SeccompProfile::base, SeccompProfile::no_network}) {
        INFO(to_string(p));
        auto s = [p] { return install_seccomp(p, /*refuse_unix_sockets=*/true).ok(); };
        CHECK(in_child(s, [] { return sock(AF_UNIX); }) == EAFNOSUPPORT);
        CHECK(in_child(s, [] {
                  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                  return fd >= 0 ? 0 : errno;
              }) == EAFNOSUPPORT);
        // the kernel reads the family as an int: upper-half garbage is still AF_UNIX
        CHECK(in_child(s, [] {
                  long fd = ::syscall(SYS_socket, (1L << 32) | AF_UNIX, SOCK_STREAM, 0);
                  return fd >= 0 ? 0 : errno;
              }) == EAFNOSUPPORT);
        CHECK(in_child(s, [] {
                  int sv[2];
                  return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
              }) == 0);
        CHECK(in_child(s, [] {
                  int sv[2];
                  return ::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0 ? 0 : errno;
              }) == 0);
        // the other families are as the profile says
        const int inet = in_child(s, [] { return sock(AF_INET); });
        if (p == SeccompProfile::no_network)
            CHECK(inet == EAFNOSUPPORT);
        else
            CHECK(inet == 0);
        // "none" stays without the base rules; the others keep them
        const int uring =
            in_child(s, [] { return ::syscall(SYS_io_uring_setup, 1, nullptr) >= 0 ? 0 : errno; });
        if (p == SeccompProfile::none)
            CHECK(uring != EPERM);
        else
            CHECK(uring == EPERM);
    }
}

TEST_CASE("a program built in the parent and loaded in a forked child filters the same",
          "[seccomp]") {
    // What the Landlock backend does: build before fork, load between fork and exec.
    auto prog = build_seccomp(SeccompProfile::no_network, false);
    REQUIRE(prog.ok());
    REQUIRE(!prog->empty());
    auto load = [&p = *prog] { return load_seccomp(p) == 0; };
    CHECK(in_child(load, [] { return sock(AF_INET); }) == EAFNOSUPPORT);
    CHECK(in_child(load, [] { return sock(AF_UNIX); }) == 0);
    CHECK(in_child(load, [] { return ::syscall(SYS_ptrace, 0, 0, 0, 0) == 0 ? 0 : errno; }) ==
          EPERM);

    auto none = build_seccomp(SeccompProfile::none, false);
    REQUIRE(none.ok());
    CHECK(none->empty());
    CHECK(in_child([&p = *none] { return load_seccomp(p) == 0; }, [] { return sock(AF_INET); }) ==
          0);
    auto unix_only = build_seccomp(SeccompProfile::none, true);
    REQUIRE(unix_only.ok());
    CHECK(in_child([&p = *unix_only] { return load_seccomp(p) == 0; },
                   [] { return sock(AF_UNIX); }) == EAFNOSUPPORT);
}

TEST_CASE("seccomp netns: only the families a network namespace isolates", "[seccomp]") {
    auto s = with(SeccompProfile::netns);
    CHECK(in_child(s, [] { return sock(AF_INET); }) == 0);
    CHECK(in_child(s, [] { return sock(AF_INET6); }) != EAFNOSUPPORT);  // may lack IPv6
    CHECK(in_child(s, [] { return sock(AF_UNIX); }) == 0);
    CHECK(in_child(s, [] {
              int fd = ::socket(AF_NETLINK, SOCK_RAW, 0);
              return fd >= 0 ? 0 : errno;
          }) == 0);
    CHECK(in_child(s, [] {
              int sv[2];
              return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
          }) == 0);
    for (int family : {AF_VSOCK, AF_BLUETOOTH, AF_ALG, AF_TIPC, AF_PACKET, AF_XDP, AF_MAX, 4096}) {
        INFO(family);
        CHECK(in_child(s, [family] { return sock(family); }) == EAFNOSUPPORT);
    }
    // upper-half garbage: AF_VSOCK is still AF_VSOCK to the kernel, and refused
    CHECK(in_child(s, [] {
              long fd = ::syscall(SYS_socket, (1L << 32) | AF_VSOCK, SOCK_STREAM, 0);
              return fd >= 0 ? 0 : errno;
          }) == EAFNOSUPPORT);
    // with unix sockets blocked: socket(AF_UNIX) refused, socketpair still works
    auto no_unix = [] { return install_seccomp(SeccompProfile::netns, true).ok(); };
    CHECK(in_child(no_unix, [] { return sock(AF_UNIX); }) == EAFNOSUPPORT);
    CHECK(in_child(no_unix, [] { return sock(AF_INET); }) == 0);
    CHECK(in_child(no_unix, [] {
              int sv[2];
              return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
          }) == 0);
}

TEST_CASE("syscall numbers newer than the reviewed list fail with ENOSYS; foreign ABIs still kill",
          "[seccomp]") {
    for (auto p : {SeccompProfile::base, SeccompProfile::no_network, SeccompProfile::netns}) {
        INFO(to_string(p));
        auto s = with(p);
        // setxattrat(AT_FDCWD, "/", 0, "user.x", NULL, 0): 463, unknown to libseccomp 2.5; the
        // kernel itself would answer EFAULT/EINVAL, not ENOSYS.
        CHECK(in_child(s, [] {
                  return ::syscall(463, AT_FDCWD, "/", 0, "user.x", nullptr, 0) == 0 ? 0 : errno;
              }) == ENOSYS);
        // open_tree_attr 467 and file_setattr 469: the same.
        CHECK(in_child(s, [] {
                  return ::syscall(467, AT_FDCWD, "/", 0, nullptr, 0) >= 0 ? 0 : errno;
              }) == ENOSYS);
        CHECK(in_child(s, [] {
                  return ::syscall(469, AT_FDCWD, "/", nullptr, 0, 0) == 0 ? 0 : errno;
              }) == ENOSYS);
        // The reviewed ones still reach the kernel: mseal (462) of nothing succeeds.
        CHECK(in_child(s, [] { return ::syscall(462, 0, 0, 0) == 0 ? 0 : errno; }) == 0);
        CHECK(in_child(s, [] { return ::getpid() > 0 ? 0 : 1; }) == 0);
        // An x32 number (getpid | __X32_SYSCALL_BIT) is not caught by the guard: it is killed.
        CHECK(in_child(s, [] { return static_cast<int>(::syscall(0x40000000L | 39)); }) ==
              300 + SIGSYS);
    }
}

TEST_CASE("seccomp: another process's limits and priorities are refused, the caller's own work",
          "[seccomp]") {
    for (auto p : {SeccompProfile::base, SeccompProfile::no_network, SeccompProfile::netns}) {
        INFO(to_string(p));
        auto s = with(p);
        // The caller's own: what glibc's setrlimit, nice() and `ionice -p 0` do.
        CHECK(in_child(s, [] {
                  rlimit r{};
                  if (::getrlimit(RLIMIT_CORE, &r) != 0) return errno;
                  return ::setrlimit(RLIMIT_CORE, &r) == 0 ? 0 : errno;
              }) == 0);
        CHECK(in_child(s, [] { return ::setpriority(PRIO_PROCESS, 0, 1) == 0 ? 0 : errno; }) == 0);
        CHECK(in_child(s, [] {
                  return ::syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4) == 0 ? 0 : errno;
              }) == 0);
        // Someone else (the parent here): refused before the kernel's own checks.
        CHECK(in_child(s, [] {
                  rlimit r{};
                  return ::syscall(SYS_prlimit64, ::getppid(), RLIMIT_CORE, nullptr, &r) == 0
                             ? 0
                             : errno;
              }) == EPERM);
        CHECK(in_child(s, [] {
                  return ::setpriority(PRIO_PROCESS, ::getppid(), 19) == 0 ? 0 : errno;
              }) == EPERM);
        // PRIO_USER 0: every process of the caller's user, the host's too.
        CHECK(in_child(s, [] { return ::setpriority(PRIO_USER, 0, 19) == 0 ? 0 : errno; }) ==
              EPERM);
        CHECK(in_child(s, [] {
                  return ::syscall(SYS_ioprio_set, 1, ::getppid(), (2 << 13) | 4) == 0 ? 0 : errno;
              }) == EPERM);
    }
}

TEST_CASE("seccomp: no set-user-ID or set-group-ID bit is set from inside", "[seccomp]") {
    char dir[] = "/tmp/sbxrun-setid-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string f = std::string(dir) + "/f", d = std::string(dir) + "/d";
    for (auto p : {SeccompProfile::base, SeccompProfile::no_network, SeccompProfile::netns}) {
        INFO(to_string(p));
        auto s = with(p);
        CHECK(in_child(s, [&] {
                  int fd = ::open(f.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
                  if (fd < 0) return errno;
                  ::close(fd);
                  return ::chmod(f.c_str(), 0700) == 0 ? 0 : errno;
              }) == 0);
        CHECK(in_child(s, [&] { return ::chmod(f.c_str(), 04755) == 0 ? 0 : errno; }) == EPERM);
        CHECK(in_child(s, [&] { return ::chmod(f.c_str(), 02755) == 0 ? 0 : errno; }) == EPERM);
        CHECK(in_child(s, [&] {
                  return ::fchmodat(AT_FDCWD, f.c_str(), 06755, 0) == 0 ? 0 : errno;
              }) == EPERM);
        CHECK(in_child(s, [&] {
                  int fd = ::open((f + "2").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 04755);
                  return fd >= 0 ? 0 : errno;
              }) == EPERM);
        CHECK(in_child(s, [&] { return ::mkdir(d.c_str(), 02775) == 0 ? 0 : errno; }) == EPERM);
        CHECK(in_child(s, [&] {
                  int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
                  if (fd < 0) return errno;
                  int gen = 1;
                  int rc = ::ioctl(fd, FS_IOC_SETVERSION, &gen) == 0 ? 0 : errno;
                  ::close(fd);
                  return rc;
              }) == EPERM);
    }
    struct stat st {};
    REQUIRE(::stat(f.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
    CHECK(::access(d.c_str(), F_OK) != 0);
    ::unlink(f.c_str());
    ::rmdir(dir);
}

TEST_CASE("seccomp: System V IPC is refused where the host's IPC namespace is shared",
          "[seccomp]") {
    auto shared = [] {
        auto prog = build_seccomp(SeccompProfile::no_network, false, /*host_ipc=*/true);
        return prog.ok() && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
               load_seccomp(*prog) == 0;
    };
    auto shmget_private = [] {
        int id = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
        if (id < 0) return errno;
        ::shmctl(id, IPC_RMID, nullptr);
        return 0;
    };
    CHECK(in_child(shared, shmget_private) == EPERM);
    CHECK(in_child(shared, [] {
              return ::msgget(IPC_PRIVATE, IPC_CREAT | 0600) >= 0 ? 0 : errno;
          }) == EPERM);
    CHECK(in_child(shared, [] {
              return ::semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) >= 0 ? 0 : errno;
          }) == EPERM);
    // bwrap's own IPC namespace isolates them: the same profile without host_ipc allows them.
    CHECK(in_child(with(SeccompProfile::no_network), shmget_private) == 0);
}

// Instruction by instruction: memcmp on an empty program (profile none) would be handed a null
// pointer, which UBSan rightly reports.
template <typename A, typename B>
bool same_program(const A& a, const B& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const sock_filter& x, const sock_filter& y) {
                          return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
                      });
}

// The table generated when sbxrun was built is what libseccomp generates from the rules now:
// every profile and flag a run can ask for, and the Landlock compensation filters.
TEST_CASE("the generated seccomp table matches libseccomp's programs", "[seccomp][table]") {
    for (SeccompProfile profile : sbx::seccomp_table::kProfiles) {
        for (int bits = 0; bits < 8; ++bits) {
            const bool unix_sockets = (bits & 4) != 0, host_ipc = (bits & 2) != 0,
                       broker = (bits & 1) != 0;
            CAPTURE(static_cast<int>(profile), unix_sockets, host_ipc, broker);
            auto table = sbx::build_seccomp(profile, unix_sockets, host_ipc, broker);
            auto fresh = sbx::generate_seccomp(profile, unix_sockets, host_ipc, broker);
            REQUIRE(table.ok());
            REQUIRE(fresh.ok());
            REQUIRE(table->size() == fresh->size());
            CHECK(same_program(*table, *fresh));
        }
    }
    for (int bits = 0; bits < 4; ++bits) {
        CAPTURE(bits);
        auto table = sbx::compensation_program((bits & 2) != 0, (bits & 1) != 0);
        auto fresh = sbx::generate_compensation((bits & 2) != 0, (bits & 1) != 0);
        REQUIRE(fresh.ok());
        REQUIRE(table.size() == fresh->size());
        CHECK(same_program(table, *fresh));
    }
    CHECK(sbx::build_seccomp(SeccompProfile::none, false, false, false)->empty());
    CHECK_FALSE(sbx::build_seccomp(SeccompProfile::base, false, false, false)->empty());
}

TEST_CASE("the name answerer's filter: no new socket, no other process's memory", "[seccomp]") {
    auto prog = build_helper_filter();
    REQUIRE(prog.ok());
    auto load = [&p = *prog] {
        return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && load_seccomp(p) == 0;
    };
    CHECK(in_child(load, [] { return sock(AF_UNIX); }) == EAFNOSUPPORT);
    CHECK(in_child(load, [] { return sock(AF_INET); }) == EAFNOSUPPORT);
    CHECK(in_child(load, [] {
              int sv[2];
              return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
          }) == EAFNOSUPPORT);
    CHECK(in_child(load, [] {
              char buf[8];
              iovec local{buf, sizeof buf}, remote{buf, sizeof buf};
              return ::syscall(SYS_process_vm_readv, ::getppid(), &local, 1, &remote, 1, 0) >= 0
                         ? 0
                         : errno;
          }) == EPERM);
    CHECK(in_child(load, [] { return ::getpid() > 0 ? 0 : errno; }) == 0);
}
