#include "attack_probe_metadata.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

// Newer than Debian 12's headers; the same number on every architecture.
constexpr long kFchmodat2 = 452;
constexpr long kSetxattrat = 463;
constexpr long kRemovexattrat = 466;
constexpr long kFileSetattr = 469;

struct XattrArgs {
    std::uint64_t value;
    std::uint32_t size, flags;
};
struct FileAttr {  // struct file_attr (Linux 6.17)
    std::uint64_t fa_xflags;
    std::uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

const char* errname(int e) {
    const char* n = strerrorname_np(e);
    return n ? n : "E?";
}

void report(const char* variant, long rc) {
    if (rc >= 0)
        std::printf("%s OK\n", variant);
    else
        std::printf("%s %s\n", variant, errname(errno));
    std::fflush(stdout);
}

int do_meta(const std::string& path, bool all) {
    const std::string dir =
        path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    const std::string base = path.substr(path.rfind('/') + 1);
    const char* p = path.c_str();
    const char* b = base.c_str();
    const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return std::perror("attack_probe: open of the directory"), 2;
    const int fd = open(p, O_RDONLY | O_CLOEXEC);
    const int pfd = open(p, O_PATH | O_CLOEXEC);
    if (fd < 0 || pfd < 0) return std::perror("attack_probe: open of the target"), 2;
    // World-writable: what an attacker wants. (Setuid bits are refused before any of this by the
    // seccomp filter, on both backends: test/attacks/host_objects.sh.)
    const mode_t mode = 0777;
    const uid_t u = getuid();
    const gid_t g = getgid();
    const char* v = "pwned";
    const timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
    const timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    const utimbuf ub{1000000000, 1000000000};
    XattrArgs xa{reinterpret_cast<std::uint64_t>(v), 5, 0};

    struct V {
        const char* name;
        bool nofollow;  // acts on a symlink itself
        std::function<long()> call;
    };
    const std::vector<V> variants = {
        {"chmod", false, [&] { return syscall(SYS_chmod, p, mode); }},
        {"fchmod", false, [&] { return syscall(SYS_fchmod, fd, mode); }},
        {"fchmodat", false, [&] { return syscall(SYS_fchmodat, dfd, b, mode); }},
        {"fchmodat2", false, [&] { return syscall(kFchmodat2, dfd, b, mode, 0); }},
        {"fchmodat2-empty-path", false,
         [&] { return syscall(kFchmodat2, pfd, "", mode, AT_EMPTY_PATH); }},
        {"fchmodat2-nofollow", true,
         [&] { return syscall(kFchmodat2, dfd, b, mode, AT_SYMLINK_NOFOLLOW); }},
        {"chown", false, [&] { return syscall(SYS_chown, p, u, g); }},
        {"lchown", true, [&] { return syscall(SYS_lchown, p, u, g); }},
        {"fchown", false, [&] { return syscall(SYS_fchown, fd, u, g); }},
        {"fchownat", false, [&] { return syscall(SYS_fchownat, dfd, b, u, g, 0); }},
        {"fchownat-nofollow", true,
         [&] { return syscall(SYS_fchownat, dfd, b, u, g, AT_SYMLINK_NOFOLLOW); }},
        {"fchownat-empty-path", false,
         [&] { return syscall(SYS_fchownat, pfd, "", u, g, AT_EMPTY_PATH); }},
        {"utime", false, [&] { return syscall(SYS_utime, p, &ub); }},
        {"utimes", false, [&] { return syscall(SYS_utimes, p, tv); }},
        {"futimesat", false, [&] { return syscall(SYS_futimesat, dfd, b, tv); }},
        {"utimensat", false, [&] { return syscall(SYS_utimensat, dfd, b, ts, 0); }},
        {"utimensat-nofollow", true,
         [&] { return syscall(SYS_utimensat, dfd, b, ts, AT_SYMLINK_NOFOLLOW); }},
        {"utimensat-now", false, [&] { return syscall(SYS_utimensat, AT_FDCWD, p, nullptr, 0); }},
        {"futimens", false, [&] { return syscall(SYS_utimensat, fd, nullptr, ts, 0); }},
        {"setxattr", false, [&] { return syscall(SYS_setxattr, p, "user.sbxrun", v, 5, 0); }},
        {"lsetxattr", true, [&] { return syscall(SYS_lsetxattr, p, "user.sbxrun", v, 5, 0); }},
        {"fsetxattr", false, [&] { return syscall(SYS_fsetxattr, fd, "user.sbxrun", v, 5, 0); }},
        {"setxattrat", false,
         [&] { return syscall(kSetxattrat, dfd, b, 0, "user.sbxrun", &xa, sizeof xa); }},
        {"setxattrat-nofollow", true,
         [&] {
             return syscall(kSetxattrat, dfd, b, AT_SYMLINK_NOFOLLOW, "user.sbxrun", &xa,
                            sizeof xa);
         }},
        {"removexattr", false, [&] { return syscall(SYS_removexattr, p, "user.sbxrun"); }},
        {"setxattr-again", false, [&] { return syscall(SYS_setxattr, p, "user.sbxrun", v, 5, 0); }},
        {"lremovexattr", true, [&] { return syscall(SYS_lremovexattr, p, "user.sbxrun"); }},
        {"setxattr-again2", false,
         [&] { return syscall(SYS_setxattr, p, "user.sbxrun", v, 5, 0); }},
        {"fremovexattr", false, [&] { return syscall(SYS_fremovexattr, fd, "user.sbxrun"); }},
        {"setxattr-again3", false,
         [&] { return syscall(SYS_setxattr, p, "user.sbxrun", v, 5, 0); }},
        {"removexattrat", false, [&] { return syscall(kRemovexattrat, dfd, b, 0, "user.sbxrun"); }},
        {"trusted-setxattr", false,
         [&] { return syscall(SYS_setxattr, p, "trusted.sbxrun", v, 5, 0); }},
        {"ioctl-setflags", false,
         [&] {
             long flags = 0;
             if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) flags = 0;
             return static_cast<long>(ioctl(fd, FS_IOC_SETFLAGS, &flags));
         }},
        {"ioctl-fssetxattr", false,
         [&] {
             fsxattr fa{};
             if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) != 0) std::memset(&fa, 0, sizeof fa);
             return static_cast<long>(ioctl(fd, FS_IOC_FSSETXATTR, &fa));
         }},
        {"file_setattr", false,
         [&] {
             FileAttr fa{};
             return syscall(kFileSetattr, dfd, b, &fa, sizeof fa, 0);
         }},
    };
    for (const V& var : variants) {
        if (!all && var.nofollow) continue;
        errno = 0;
        report(var.name, var.call());
    }
    return 0;
}

int do_race(const char* link, const char* inside, const char* outside, long n) {
    const std::string tmp_in = std::string(link) + ".in", tmp_out = std::string(link) + ".out";
    pid_t swapper = fork();
    if (swapper < 0) return std::perror("attack_probe: fork"), 2;
    if (swapper == 0) {
        // Each name in turn: the link points inside for as long as it points outside.
        for (;;) {
            unlink(tmp_in.c_str());
            if (symlink(inside, tmp_in.c_str()) != 0 || rename(tmp_in.c_str(), link) != 0) _exit(2);
            unlink(tmp_out.c_str());
            if (symlink(outside, tmp_out.c_str()) != 0 || rename(tmp_out.c_str(), link) != 0)
                _exit(2);
        }
    }
    // Start once the swapper runs (a bounded wait for the link), so the race is a race.
    struct stat st {};
    for (int i = 0; i < 5000 && lstat(link, &st) != 0; ++i) usleep(1000);
    long ok = 0, refused = 0;
    for (long i = 0; i < n; ++i) {
        if (syscall(SYS_chmod, link, i % 2 ? 0777 : 0755) == 0)
            ++ok;
        else
            ++refused;
    }
    if (waitpid(swapper, nullptr, WNOHANG) == swapper) {
        std::fprintf(stderr, "attack_probe: the symlink swapper failed\n");
        return 2;
    }
    kill(swapper, SIGKILL);
    waitpid(swapper, nullptr, 0);
    unlink(tmp_in.c_str());
    unlink(tmp_out.c_str());
    std::printf("%ld %ld\n", ok, refused);
    return 0;
}

}  // namespace

int do_metadata(int argc, char** argv) {
    const std::string cmd = argv[1];
    if (cmd == "meta" && argc == 4) return do_meta(argv[2], std::string(argv[3]) == "all");
    if (cmd == "meta-race" && argc == 6)
        return do_race(argv[2], argv[3], argv[4], std::atol(argv[5]));
    std::fprintf(stderr, "attack_probe: malformed metadata subcommand\n");
    return 2;
}
