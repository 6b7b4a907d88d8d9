// attack_probe: one small attack per subcommand, run inside sbxrun by test/attacks/*.sh.
// Exit status: 0 = the attack SUCCEEDED (a sandbox bug), 1 = it was refused (errno on stderr),
// 2 = usage or setup error. The attacks are syscalls that a shell cannot make directly.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "attack_probe_metadata.hpp"

namespace {

int refused(const char* what) {
    std::fprintf(stderr, "attack_probe: %s refused: %s\n", what, std::strerror(errno));
    return 1;
}
int succeeded(const char* what) {
    std::fprintf(stderr, "attack_probe: %s SUCCEEDED\n", what);
    return 0;
}

// openat DIR NAME: a directory fd opened for reading (allowed) used to create a file in it.
int do_openat(const char* dir, const char* name) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return refused("open of the directory");
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return refused("openat for writing");
    if (write(fd, "pwned\n", 6) != 6) return refused("write");
    return succeeded("openat write");
}

int do_ptrace(pid_t pid) {
    if (ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) != 0) return refused("ptrace(PTRACE_ATTACH)");
    ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    return succeeded("ptrace(PTRACE_ATTACH)");
}

int do_kill(pid_t pid) {
    if (kill(pid, SIGTERM) != 0) return refused("kill(SIGTERM)");
    return succeeded("kill(SIGTERM)");
}

// Push a character into the input queue of the terminal on fd 0.
int do_tiocsti() {
    char c = '#';
    if (ioctl(0, TIOCSTI, &c) != 0) return refused("ioctl(TIOCSTI)");
    return succeeded("ioctl(TIOCSTI)");
}

int do_io_uring() {
    io_uring_params p{};
    long fd = syscall(__NR_io_uring_setup, 4, &p);
    if (fd < 0) return refused("io_uring_setup");
    return succeeded("io_uring_setup");
}

int do_netlink() {
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */);
    if (s < 0) return refused("socket(AF_NETLINK)");
    return succeeded("socket(AF_NETLINK)");
}

// socket FAMILY: create a socket of that address family (number) with any of the usual types;
// prints "created" or the errno name of the last refusal (EAFNOSUPPORT is what seccomp says).
int do_socket(int family) {
    int err = 0;
    for (int type : {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW}) {
        int s = socket(family, type | SOCK_CLOEXEC, 0);
        if (s >= 0) {
            std::printf("created\n");
            close(s);
            return 0;
        }
        err = errno;
        if (err == EAFNOSUPPORT) break;  // the family itself is refused: no type will do
    }
    std::printf("%s\n", strerrorname_np(err) ? strerrorname_np(err) : "?");
    return 1;
}

// ifaces: print the network interfaces this process sees, one per line.
int do_ifaces() {
    struct if_nameindex* list = if_nameindex();
    if (list == nullptr) return refused("if_nameindex");
    for (auto* i = list; i->if_index != 0; ++i) std::printf("%s\n", i->if_name);
    if_freenameindex(list);
    return 0;
}

int do_inet(bool tcp, int port) {
    int s = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (s < 0) return refused(tcp ? "socket(AF_INET, SOCK_STREAM)" : "socket(AF_INET, SOCK_DGRAM)");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return refused("connect");
    if (send(s, "pwned\n", 6, 0) != 6) return refused("send");
    return succeeded(tcp ? "tcp connect+send" : "udp send");
}

// unix PATH or unix @NAME (abstract): connect a stream socket and send a line.
int do_unix(const char* name) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return refused("socket(AF_UNIX)");
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    size_t n = std::strlen(name);
    if (n >= sizeof a.sun_path) return 2;
    std::memcpy(a.sun_path, name, n);
    if (name[0] == '@') a.sun_path[0] = '\0';
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
    if (connect(s, reinterpret_cast<sockaddr*>(&a), len) != 0) return refused("connect(AF_UNIX)");
    if (send(s, "pwned\n", 6, MSG_NOSIGNAL) != 6) return refused("send");
    return succeeded("unix connect+send");
}

// caps: did exec'ing this (possibly setuid-root) binary give us root or any capability?
int do_caps() {
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    std::string status;
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::strncmp(line, "Cap", 3) == 0 || std::strncmp(line, "NoNewPrivs", 10) == 0)
                status += line;
        std::fclose(f);
    }
    std::fprintf(stderr, "attack_probe: ruid=%u euid=%u suid=%u\n%s", r, e, s, status.c_str());
    bool gained_uid = (e == 0 || s == 0) && r != 0;
    bool any_cap = status.find("CapEff:\t0000000000000000") == std::string::npos ||
                   status.find("CapPrm:\t0000000000000000") == std::string::npos;
    if (gained_uid || any_cap) return succeeded("privilege gain");
    errno = EPERM;
    return refused("privilege gain");
}

int do_unshare_user() {
    if (unshare(CLONE_NEWUSER) != 0) return refused("unshare(CLONE_NEWUSER)");
    return succeeded("unshare(CLONE_NEWUSER)");
}

int do_mount_tmpfs(const char* target) {
    if (mount("none", target, "tmpfs", 0, nullptr) != 0) return refused("mount(tmpfs)");
    return succeeded("mount(tmpfs)");
}

int do_umount(const char* target) {
    if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) != 0) return refused("umount2");
    return succeeded("umount2");
}

// link SRC DST: a hard link to a protected file, then append through the new name.
int do_link_append(const char* src, const char* dst) {
    if (link(src, dst) != 0) return refused("link");
    int fd = open(dst, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return refused("open of the hard link for writing");
    if (write(fd, "pwned\n", 6) != 6) return refused("write");
    return succeeded("append through a hard link");
}

// exchange-loop A B SECONDS: swap two names atomically (renameat2 RENAME_EXCHANGE) as fast as
// possible for SECONDS, leaving them as they were: the host-side racer of races.sh.
int do_exchange_loop(const char* a, const char* b, double seconds) {
    timespec start{}, now{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    long swaps = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = static_cast<double>(now.tv_sec - start.tv_sec) +
                         static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
        if (elapsed >= seconds && swaps % 2 == 0) break;
        if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) != 0) {
            std::perror("attack_probe: renameat2(RENAME_EXCHANGE)");
            return 2;
        }
        ++swaps;
        if (swaps % 64 == 0) usleep(200);  // leave the runs some CPU on a 2-core machine
    }
    std::printf("%ld\n", swaps);
    return 0;
}

}  // namespace

// fork-chain FILE chain|wide|daemon|deep: a process that forks the next one and exits, forever,
// each appending a byte to FILE (escape 5 of issue 11: it outran a scan that killed children one
// generation at a time). wide: eight chains at once; daemon: double fork + setsid first;
// deep: a chain of living processes (below).
[[noreturn]] void fork_chain_forever(const char* file) {
    int fd = ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    for (;;) {
        if (fd >= 0 && ::write(fd, "x", 1) < 0) {
        }
        pid_t p = ::fork();
        if (p != 0) ::_exit(0);  // the parent (or a failed fork) ends; the child goes on
    }
}
int do_fork_chain(const char* file, const std::string& variant) {
    if (variant == "daemon") {
        if (::fork() == 0) {
            ::setsid();
            if (::fork() == 0) fork_chain_forever(file);
            ::_exit(0);
        }
        ::wait(nullptr);
        return 0;
    }
    if (variant == "deep") {
        if (::fork() != 0) return 0;  // the command goes on; the chain lives on its own
        // 200 nested processes that all stay alive; the deepest writes. A scan that kills
        // direct children ends one level per round.
        for (int depth = 0; depth < 200; ++depth) {
            pid_t p = ::fork();
            if (p < 0) break;
            if (p > 0) {
                for (;;) ::pause();
            }
        }
        int fd = ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        for (;;) {
            if (fd >= 0 && ::write(fd, "x", 1) < 0) {
            }
            ::usleep(10000);
        }
    }
    const int n = variant == "wide" ? 8 : 1;
    for (int i = 0; i < n; ++i)
        if (::fork() == 0) fork_chain_forever(file);
    return 0;
}

// kill-mediated N FILE: N times, fork a child that chmods FILE in a loop (every call a trip
// through sbxrun under Landlock), let it run a few hundred microseconds, SIGKILL and reap it:
// the kill lands while a call is pending, whose notification then vanishes under sbxrun.
int do_kill_mediated(int n, const char* file) {
    for (int i = 0; i < n; ++i) {
        const pid_t p = ::fork();
        if (p < 0) return 1;
        if (p == 0)
            for (;;) ::chmod(file, 0644);
        ::usleep(200 + static_cast<unsigned>(i % 7) * 50);
        ::kill(p, SIGKILL);
        ::waitpid(p, nullptr, 0);
    }
    return 0;
}

// refuse-flood N PROTECTED DIR: N refused calls, half of them writes to one PROTECTED file and
// half mkdirs of distinct names in DIR, outside every writable root (the denial report must
// count them all in bounded memory). Exit 0 (SUCCEEDED) if any of them was allowed.
int do_refuse_flood(long n, const char* prot, const char* dir) {
    long allowed = 0;
    char path[4096];
    for (long i = 0; i < n / 2; ++i) {
        const int fd = ::open(prot, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            ++allowed;
            ::close(fd);
        }
    }
    for (long i = 0; i < n - n / 2; ++i) {
        std::snprintf(path, sizeof path, "%s/f%ld", dir, i);
        if (::mkdir(path, 0700) == 0) ++allowed;
    }
    if (allowed != 0) {
        std::fprintf(stderr, "attack_probe: refuse-flood: %ld of %ld calls SUCCEEDED\n", allowed,
                     n);
        return 0;
    }
    return 1;
}

// chmod-hog N FILE: N children chmod FILE in a loop, forever (the parent waits): under Landlock
// every call is a trip through sbxrun, whose listener is then never idle.
int do_chmod_hog(int n, const char* file) {
    for (int i = 0; i < n; ++i) {
        const pid_t p = ::fork();
        if (p < 0) return 1;
        if (p == 0)
            for (;;) ::chmod(file, 0644);
    }
    for (;;) ::pause();
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    std::string cmd = argv[1];
    if (cmd == "openat" && argc == 4) return do_openat(argv[2], argv[3]);
    if (cmd == "ptrace" && argc == 3) return do_ptrace(std::atoi(argv[2]));
    if (cmd == "kill" && argc == 3) return do_kill(std::atoi(argv[2]));
    if (cmd == "tiocsti") return do_tiocsti();
    if (cmd == "fork-chain" && argc == 4) return do_fork_chain(argv[2], argv[3]);
    if (cmd == "io_uring") return do_io_uring();
    if (cmd == "netlink") return do_netlink();
    if (cmd == "socket" && argc == 3) return do_socket(std::atoi(argv[2]));
    if (cmd == "ifaces") return do_ifaces();
    if (cmd == "tcp" && argc == 3) return do_inet(true, std::atoi(argv[2]));
    if (cmd == "udp" && argc == 3) return do_inet(false, std::atoi(argv[2]));
    if (cmd == "unix" && argc == 3) return do_unix(argv[2]);
    if (cmd == "caps") return do_caps();
    if (cmd == "kill-mediated" && argc == 4) return do_kill_mediated(std::atoi(argv[2]), argv[3]);
    if (cmd == "refuse-flood" && argc == 5)
        return do_refuse_flood(std::atol(argv[2]), argv[3], argv[4]);
    if (cmd == "chmod-hog" && argc == 4) return do_chmod_hog(std::atoi(argv[2]), argv[3]);
    if (cmd == "unshare-user") return do_unshare_user();
    if (cmd == "mount-tmpfs" && argc == 3) return do_mount_tmpfs(argv[2]);
    if (cmd == "umount" && argc == 3) return do_umount(argv[2]);
    if (cmd == "link-append" && argc == 4) return do_link_append(argv[2], argv[3]);
    if (cmd == "exchange-loop" && argc == 5)
        return do_exchange_loop(argv[2], argv[3], std::atof(argv[4]));
    if (cmd.rfind("meta", 0) == 0) return do_metadata(argc, argv);
    std::fprintf(stderr, "attack_probe: unknown or malformed subcommand '%s'\n", argv[1]);
    return 2;
}
