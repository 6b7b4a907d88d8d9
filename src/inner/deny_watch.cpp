#include "inner/deny_watch.hpp"

#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "inner/caps.hpp"
#include "inner/fds.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/mount_api.hpp"
#include "inner/seccomp_filter.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// FUSE_STATX (Linux 6.6); Debian 12's headers predate it.
constexpr std::uint32_t kFuseStatx = 52;

// What the answering process saw, in memory shared with sbxrun-inner: filled by the one, read by
// the other after the first has ended. Fixed-size, so that the answering process never
// allocates; bounded as the denial log is (DenialLog::kMaxDistinct paths, then counted).
struct SeenPath {
    std::uint64_t count;
    std::uint32_t len;
    char path[DenialLog::kMaxPath];
};
struct SeenTable {
    std::uint32_t used;
    std::uint64_t dropped;
    SeenPath paths[DenialLog::kMaxDistinct];
};

// The answering process and its table, for stop_deny_watch(); none before start_deny_watch.
pid_t g_watcher = 0;
SeenTable* g_table = nullptr;

// The attributes of the mount's root: what bwrap's placeholder showed (empty, mode 0000), for
// as long as the kernel likes (they never change).
void fill_attr(fuse_attr& a, bool directory, std::uint32_t uid, std::uint32_t gid,
               std::uint64_t now) {
    std::memset(&a, 0, sizeof a);
    a.ino = FUSE_ROOT_ID;
    a.mode = directory ? S_IFDIR : S_IFREG;
    a.nlink = directory ? 2 : 1;
    a.uid = uid;
    a.gid = gid;
    a.blksize = 4096;
    a.atime = a.mtime = a.ctime = now;
}

constexpr std::uint64_t kValidSeconds = 24 * 3600;

// Notes `name` below `path` (or `path` itself) in the table, without allocating.
void note(SeenTable& t, std::string_view path, std::string_view name) {
    char buf[DenialLog::kMaxPath];
    std::size_t len = std::min(path.size(), sizeof buf);
    std::memcpy(buf, path.data(), len);
    if (!name.empty() && len < sizeof buf) {
        buf[len++] = '/';
        const std::size_t n = std::min(name.size(), sizeof buf - len);
        std::memcpy(buf + len, name.data(), n);
        len += n;
    }
    for (std::uint32_t i = 0; i < t.used; ++i) {
        SeenPath& p = t.paths[i];
        if (p.len == len && std::memcmp(p.path, buf, len) == 0) {
            ++p.count;
            return;
        }
    }
    if (t.used >= DenialLog::kMaxDistinct) {
        ++t.dropped;
        return;
    }
    SeenPath& p = t.paths[t.used];
    p.count = 1;
    p.len = static_cast<std::uint32_t>(len);
    std::memcpy(p.path, buf, len);
    ++t.used;
}

struct Watched {
    int fd;
    std::string path;
    bool directory;
};

// Runs under build_deny_watch_filter: no allocation from here on (`pfds` is made before).
[[noreturn]] void serve(const std::vector<Watched>& watched, std::vector<pollfd>& pfds,
                        SeenTable& table, pid_t inner, std::uint32_t uid, std::uint32_t gid,
                        std::uint64_t now) {
    // FUSE_MIN_READ_BUFFER: a read with less fails (the kernel wants room for a whole write).
    static unsigned char in[FUSE_MIN_READ_BUFFER + 4096];
    unsigned char out[kFuseAnswerMax];
    std::size_t open_fds = pfds.size();
    while (open_fds > 0) {
        if (::poll(pfds.data(), pfds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            ::_exit(0);
        }
        for (std::size_t i = 0; i < pfds.size(); ++i) {
            if (pfds[i].fd < 0 || pfds[i].revents == 0) continue;
            const ssize_t n = ::read(pfds[i].fd, in, sizeof in);
            if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == ENOENT)) continue;
            if (n <= 0) {  // ENODEV: unmounted (the sandbox is going away)
                ::close(pfds[i].fd);
                pfds[i].fd = -1;
                --open_fds;
                continue;
            }
            ObservedRead read;
            const std::size_t len = answer_fuse_request(
                in, static_cast<std::size_t>(n), watched[i].directory, uid, gid, now, out, read);
            // sbxrun-inner's own lookups (its entry broker locating a call of the command's)
            // are not the command's reads; the command's call, if any, is seen on its own.
            const auto* h = reinterpret_cast<const fuse_in_header*>(in);
            if (read.seen && h->pid != 0 && static_cast<pid_t>(h->pid) != inner)
                note(table, watched[i].path, read.name);
            // ENOENT: the request was interrupted meanwhile; nothing to do.
            if (len > 0) (void)::write(pfds[i].fd, out, len);
        }
    }
    ::_exit(0);
}

}  // namespace

std::size_t answer_fuse_request(const unsigned char* in, std::size_t in_len, bool directory,
                                std::uint32_t uid, std::uint32_t gid, std::uint64_t now,
                                unsigned char* out, ObservedRead& read) {
    read = {};
    if (in_len < sizeof(fuse_in_header)) return 0;
    fuse_in_header h{};
    std::memcpy(&h, in, sizeof h);
    if (h.len != in_len) return 0;
    const unsigned char* arg = in + sizeof h;
    const std::size_t arg_len = in_len - sizeof h;
    std::memset(out, 0, kFuseAnswerMax);
    fuse_out_header o{};
    o.unique = h.unique;
    o.len = sizeof o;
    auto body = [&](const void* p, std::size_t n) {
        std::memcpy(out + sizeof o, p, n);
        o.len += static_cast<std::uint32_t>(n);
    };
    switch (h.opcode) {
        case FUSE_INIT: {
            if (arg_len < 2 * sizeof(std::uint32_t)) return 0;
            fuse_init_in init{};
            std::memcpy(&init, arg, std::min(arg_len, sizeof init));
            if (init.major != FUSE_KERNEL_VERSION) {
                o.error = -EPROTO;
                break;
            }
            fuse_init_out r{};
            r.major = FUSE_KERNEL_VERSION;
            r.minor = std::min<std::uint32_t>(init.minor, FUSE_KERNEL_MINOR_VERSION);
            r.max_write = 4096;
            r.time_gran = 1;
            // No feature asked for: no readdirplus, no writeback cache, no locks, no xattrs.
            body(&r, sizeof r);
            break;
        }
        case FUSE_GETATTR: {
            fuse_attr_out r{};
            r.attr_valid = kValidSeconds;
            fill_attr(r.attr, directory, uid, gid, now);
            if (h.nodeid != FUSE_ROOT_ID) {
                o.error = -ENOENT;
                break;
            }
            body(&r, sizeof r);
            break;
        }
        case FUSE_STATFS: {
            fuse_statfs_out r{};
            r.st.bsize = r.st.frsize = 4096;
            r.st.namelen = 255;
            body(&r, sizeof r);
            break;
        }
        case FUSE_LOOKUP: {
            // The name, NUL-terminated within the request.
            const auto* name = reinterpret_cast<const char*>(arg);
            const std::size_t n = strnlen(name, arg_len);
            if (h.nodeid == FUSE_ROOT_ID && n > 0 && n < arg_len) {
                read.seen = true;
                read.name = std::string_view(name, n);
            }
            o.error = -EACCES;
            break;
        }
        case FUSE_OPEN:
        case FUSE_OPENDIR:
            read.seen = h.nodeid == FUSE_ROOT_ID;
            o.error = -EACCES;
            break;
        case FUSE_ACCESS: {
            // access(2) and chdir: refused, as the mode says. F_OK (mask 0) only asks whether
            // the path exists, which it does.
            fuse_access_in a{};
            std::memcpy(&a, arg, std::min(arg_len, sizeof a));
            if (a.mask == 0) break;
            read.seen = h.nodeid == FUSE_ROOT_ID;
            o.error = -EACCES;
            break;
        }
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
        case FUSE_INTERRUPT:
            return 0;  // no answer is expected
        case FUSE_DESTROY:
        case FUSE_RELEASE:
        case FUSE_RELEASEDIR:
        case FUSE_FLUSH:
            break;  // nothing was ever opened: success
        case FUSE_GETXATTR:
        case FUSE_LISTXATTR:
            o.error = -EOPNOTSUPP;  // the kernel then stops asking
            break;
        case kFuseStatx:
            // statx(2) asking for more than GETATTR gives (the birth time: coreutils' stat):
            // ENOSYS makes the kernel answer from GETATTR from then on, as for any stat. It was
            // refused as everything else, so `stat` failed where `ls -ld` worked (thirty-ninth
            // review).
            o.error = -ENOSYS;
            break;
        default:
            // Never ENOSYS: for some requests (FUSE_ACCESS among them) the kernel takes it as
            // "allow from now on". Everything else is refused as the mode refuses it.
            o.error = -EACCES;
            break;
    }
    std::memcpy(out, &o, sizeof o);
    return o.len;
}

Status start_deny_watch(const std::vector<DenyWatchSpec>& specs) {
    if (specs.empty()) return {};
    // One below another would be looked up through the first watcher before it answers: never
    // given (backend/bwrap_compile.cpp), refused here all the same rather than waited on.
    for (std::size_t i = 0; i < specs.size(); ++i)
        for (std::size_t j = 0; j < specs.size(); ++j)
            if (i != j && specs[j].directory && specs[i].path.size() > specs[j].path.size() &&
                specs[i].path.compare(0, specs[j].path.size(), specs[j].path) == 0 &&
                (specs[j].path == "/" || specs[i].path[specs[j].path.size()] == '/'))
                return Error(ErrorKind::internal, "a denied path to watch lies below another");
    // Whatever happens below, the command gets no /dev/fuse (bwrap bound it for this alone).
    struct DetachDevFuse {
        ~DetachDevFuse() {
            (void)::umount2("/dev/fuse", MNT_DETACH);
            (void)::unlink("/dev/fuse");
        }
    } detach;
    std::vector<UniqueFd> fds;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        UniqueFd fd(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
        if (!fd) return os_error("cannot open /dev/fuse to watch the denied paths", errno);
        fds.push_back(std::move(fd));
    }
    // Built before the fork (it allocates); loaded by the child.
    auto filter = build_deny_watch_filter();
    if (!filter) return std::move(filter).error();
    void* mem = ::mmap(nullptr, sizeof(SeenTable), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return os_error("cannot map the deny watcher's table", errno);
    auto* table = static_cast<SeenTable*>(mem);
    const std::uint32_t uid = ::getuid(), gid = ::getgid();
    std::vector<Watched> watched;
    // A denied file is bwrap's bind of a deleted file (--ro-bind-data), on which nothing can be
    // mounted (ENOENT): it is set aside (a detached copy kept), the watcher is mounted on the
    // path in its place, and the copy goes back should that fail. Only sbxrun-inner runs yet:
    // nothing sees the path in between.
    std::vector<UniqueFd> set_aside(specs.size());
    std::size_t mounted = 0;
    auto put_back = [&](std::size_t i) {
        if (set_aside[i])
            (void)::syscall(SYS_move_mount, set_aside[i].get(), "", AT_FDCWD, specs[i].path.c_str(),
                            MOVE_MOUNT_F_EMPTY_PATH);
    };
    auto undo = [&](Error e) {
        for (std::size_t i = 0; i < mounted; ++i) {
            (void)::umount2(specs[i].path.c_str(), MNT_DETACH);
            put_back(i);
        }
        ::munmap(mem, sizeof(SeenTable));
        return e;
    };
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const char* path = specs[i].path.c_str();
        if (!specs[i].directory) {
            set_aside[i].reset(static_cast<int>(
                ::syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
            if (!set_aside[i])
                return undo(
                    os_error("cannot watch the denied file (open_tree)", errno, specs[i].path));
            if (::umount2(path, MNT_DETACH) != 0)
                return undo(
                    os_error("cannot watch the denied file (umount)", errno, specs[i].path));
        }
        const std::string opts = "fd=" + std::to_string(fds[i].get()) +
                                 ",rootmode=" + (specs[i].directory ? "40000" : "100000") +
                                 ",user_id=" + std::to_string(uid) +
                                 ",group_id=" + std::to_string(gid);
        if (::mount("sbxrun-deny", path, "fuse", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    opts.c_str()) != 0) {
            const int err = errno;
            put_back(i);
            return undo(os_error("cannot watch the denied path (mount fuse)", err, specs[i].path));
        }
        ++mounted;
        watched.push_back({fds[i].get(), specs[i].path, specs[i].directory});
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return undo(os_error("fork the deny watcher", errno));
    if (pid == 0) {
        (void)::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        (void)::prctl(PR_SET_NAME, "sbxrun-deny", 0, 0, 0);
        if (::getppid() != parent) ::_exit(0);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU})
            ::signal(sig, SIG_IGN);
        std::vector<int> keep;
        for (const auto& w : watched) keep.push_back(w.fd);
        if (!close_fds_except(keep)) ::_exit(0);
        for (int fd = 0; fd <= 2; ++fd)
            if (std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
        if (!drop_all_capabilities()) ::_exit(0);
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(0);
        std::vector<pollfd> pfds;
        for (const auto& w : watched) pfds.push_back({w.fd, POLLIN, 0});
        const auto now = static_cast<std::uint64_t>(std::time(nullptr));
        // Killed by anything but its reads and answers: the paths then answer ENOTCONN.
        if (load_seccomp(*filter) != 0) ::_exit(0);
        serve(watched, pfds, *table, parent, uid, gid, now);
    }
    // Only the answering process holds the connections: should it end, they end with it.
    fds.clear();
    g_watcher = pid;
    g_table = table;
    return {};
}

void keep_deny_watch_going() noexcept {
    if (g_watcher <= 0) return;
    // Every signal blocked in the thread (it inherits the mask it is created with): the main
    // thread keeps handling the signals sbxrun-inner forwards and waits for.
    sigset_t all, old;
    sigfillset(&all);
    if (::pthread_sigmask(SIG_SETMASK, &all, &old) != 0) return;
    pthread_t thread;
    auto body = [](void* arg) -> void* {
        const auto pid = static_cast<pid_t>(reinterpret_cast<std::intptr_t>(arg));
        for (;;) {
            siginfo_t si{};
            // Stops only: its end is reaped by stop_deny_watch, after which this gets ECHILD.
            if (::waitid(P_PID, static_cast<id_t>(pid), &si, WSTOPPED) != 0) {
                if (errno == EINTR) continue;
                return nullptr;
            }
            (void)::kill(pid, SIGCONT);
        }
    };
    if (::pthread_create(&thread, nullptr, body,
                         reinterpret_cast<void*>(static_cast<std::intptr_t>(g_watcher))) == 0)
        (void)::pthread_detach(thread);
    (void)::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void stop_deny_watch(DenialLog* log) noexcept {
    if (g_watcher <= 0) return;
    ::kill(g_watcher, SIGKILL);
    while (::waitpid(g_watcher, nullptr, 0) < 0 && errno == EINTR) {
    }
    g_watcher = 0;
    if (log != nullptr && g_table != nullptr) {
        try {
            const SeenTable& t = *g_table;
            for (std::uint32_t i = 0; i < std::min<std::uint32_t>(t.used, DenialLog::kMaxDistinct);
                 ++i)
                log->add(
                    RefusedOp::read,
                    std::string_view(t.paths[i].path,
                                     std::min<std::size_t>(t.paths[i].len, sizeof t.paths[i].path)),
                    t.paths[i].count);
            log->add_dropped(t.dropped);
        } catch (...) {
            // No memory for the report: the run's outcome still goes out.
        }
    }
}

}  // namespace sbx
