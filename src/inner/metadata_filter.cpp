#include "inner/metadata_filter.hpp"

#include <linux/fs.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

#include "inner/entry_calls.hpp"
#include "inner/metadata_calls.hpp"

namespace sbx {
namespace {

sock_filter stmt(unsigned short code, unsigned k) {
    return sock_filter{code, 0, 0, k};
}

// The low 32 bits of argument `i`: the kernel reads ioctl's request as an unsigned int.
unsigned arg_low(int i) {
    const auto off =
        offsetof(seccomp_data, args) + sizeof(std::uint64_t) * static_cast<unsigned>(i);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return static_cast<unsigned>(off);
#else
    return static_cast<unsigned>(off + 4);
#endif
}

// The high 32 bits of argument `i`: a pointer is NULL only when both halves are 0.
unsigned arg_high(int i) {
    return arg_low(i) ^ 4u;
}

// A forward-only BPF program with named jump targets, resolved at the end (classic BPF jumps
// are relative and at most 255 instructions ahead; the program is far shorter).
class Program {
public:
    void emit(sock_filter f) { code_.push_back(f); }
    // if (A == k) goto t else goto f; an empty label falls through.
    void jeq(unsigned k, const char* t, const char* f = nullptr) { jump(BPF_JEQ, k, t, f); }
    // if (A & k) goto t else goto f.
    void jset(unsigned k, const char* t, const char* f = nullptr) { jump(BPF_JSET, k, t, f); }
    void label(const char* name) { labels_.push_back({name, code_.size()}); }

    Result<SeccompProgram> finish() {
        for (const Fixup& fx : fixups_) {
            for (int side = 0; side < 2; ++side) {
                const char* want = side == 0 ? fx.t : fx.f;
                if (want == nullptr) continue;
                std::size_t at = 0;
                bool found = false;
                for (const auto& [name, pos] : labels_)
                    if (std::strcmp(name, want) == 0) at = pos, found = true;
                if (!found || at <= fx.pos || at - fx.pos - 1 > 255)
                    return Error(ErrorKind::internal, std::string("seccomp program: bad jump to ") + want + " from " + std::to_string(fx.pos) + " at " + std::to_string(at) + (found ? "" : " (no label)"));
                auto off = static_cast<unsigned char>(at - fx.pos - 1);
                (side == 0 ? code_[fx.pos].jt : code_[fx.pos].jf) = off;
            }
        }
        return std::move(code_);
    }

private:
    struct Fixup {
        std::size_t pos;
        const char* t;
        const char* f;
    };
    void jump(unsigned op, unsigned k, const char* t, const char* f) {
        fixups_.push_back({code_.size(), t, f});
        code_.push_back(sock_filter{static_cast<unsigned short>(BPF_JMP | op | BPF_K), 0, 0, k});
    }
    SeccompProgram code_;
    std::vector<std::pair<const char*, std::size_t>> labels_;
    std::vector<Fixup> fixups_;
};

// Every program's start: a foreign ABI's call jumps to `foreign` ("allow" where a base filter
// below kills the process for it, and KILL wins); otherwise the accumulator holds the number.
void load_native_nr(Program& p, const char* foreign = "allow") {
    p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    p.jeq(metadata_calls::kNativeArch, nullptr, foreign);
    p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
}

// One label per filtered call (the flag check reads that call's own argument).
constexpr const char* kFlagLabels[] = {"flags0", "flags1", "flags2", "flags3"};

// The entry calls' dispatch, shared by both filters: a call that is always trapped jumps to
// "notify", one trapped only for some open flags to its flags label (emit_entry_flag_checks).
Status jump_on_entry_calls(Program& p) {
    std::size_t filtered = 0;
    for (const entry_calls::Call& c : entry_calls::kCalls) {
        if (!c.filtered) {
            p.jeq(static_cast<unsigned>(c.nr), "notify");
        } else if (filtered < std::size(kFlagLabels)) {
            p.jeq(static_cast<unsigned>(c.nr), kFlagLabels[filtered++]);
        } else {
            return Error(ErrorKind::internal, "seccomp program: too many filtered calls");
        }
    }
    return {};
}

// The flags labels' blocks: "notify" when the call's flags have one of `trap`, else allow.
// After every jump to them (BPF jumps only go forward).
void emit_entry_flag_checks(Program& p, unsigned trap) {
    std::size_t filtered = 0;
    for (const entry_calls::Call& c : entry_calls::kCalls) {
        if (!c.filtered) continue;
        p.label(kFlagLabels[filtered++]);
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(c.flags)));
        p.jset(trap, "notify");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    }
}

}  // namespace

Result<SeccompProgram> build_metadata_filter(NetworkMediation network) {
    const bool guard_connect = network.guard_connect;
    using namespace metadata_calls;
    if (kNativeArch == 0)
        return Error(ErrorKind::unsupported,
                     "metadata calls cannot be mediated on this architecture");
    Program p;
    load_native_nr(p);
    for (const Call& c : kCalls) p.jeq(static_cast<unsigned>(c.nr), "notify");
    SBX_TRY(jump_on_entry_calls(p));
    // Hard links, for the report (run/entry_notify.hpp: the kernel goes on, Landlock decides),
    // and truncate(2), which sbxrun performs where only the policy allows it.
    for (const entry_calls::LinkCall& c : entry_calls::kLinkCalls)
        p.jeq(static_cast<unsigned>(c.nr), "notify");
    p.jeq(SYS_truncate, "notify");
    p.jeq(SYS_ioctl, "ioctl");
    p.jeq(kFileSetattr, "eperm");
    // network.mode = "allowlist": sbxrun makes every connection (run/connect_guard.hpp), and
    // none is made by TCP Fast Open, which passes no connect(2). The flags argument is sendto's
    // and sendmmsg's fourth, sendmsg's third.
    if (guard_connect) {
        p.jeq(SYS_connect, "notify");
        p.jeq(SYS_sendto, "flags_a3");
        p.jeq(SYS_sendmmsg, "flags_a3");
        p.jeq(SYS_sendmsg, "flags_a2");
    }
    if (network.observe_sockets) p.jeq(SYS_socket, "socket");
    p.label("allow");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    // Jumps only go forward: the blocks that jump to "notify" and "eperm" come before them.
    emit_entry_flag_checks(p, entry_calls::kOpenTrapFlags);
    if (guard_connect) {
        p.label("flags_a3");
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(3)));
        p.jset(MSG_FASTOPEN, "eopnotsupp");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        p.label("flags_a2");
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(2)));
        p.jset(MSG_FASTOPEN, "eopnotsupp");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    }
    if (network.observe_sockets) {
        // The kernel reads the family as an int: the low 32 bits.
        p.label("socket");
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(0)));
        p.jeq(AF_INET, "notify");
        p.jeq(AF_INET6, "notify");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    }
    p.label("ioctl");
    p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(1)));
    p.jeq(static_cast<unsigned>(FS_IOC_SETFLAGS), "eperm");
    p.jeq(static_cast<unsigned>(FS_IOC_FSSETXATTR), "eperm");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p.label("notify");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
    p.label("eperm");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
    if (guard_connect) {
        p.label("eopnotsupp");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EOPNOTSUPP & SECCOMP_RET_DATA)));
    }
    return p.finish();
}

Result<SeccompProgram> build_entry_filter(bool observe_network, int handover_fd) {
    using metadata_calls::kNativeArch;
    if (kNativeArch == 0)
        return Error(ErrorKind::unsupported, "entry calls cannot be mediated on this architecture");
    Program p;
    load_native_nr(p);
    p.jeq(SYS_openat2, "enosys");
    p.jeq(SYS_process_vm_readv, "eperm");
    SBX_TRY(jump_on_entry_calls(p));
    // Hard links: the broker makes them in P, where Landlock would refuse them.
    for (const entry_calls::LinkCall& c : entry_calls::kLinkCalls)
        p.jeq(static_cast<unsigned>(c.nr), "notify");
    // truncate(2), for the denial report only (the broker lets it go on and notes what a
    // read-only mount refuses).
    p.jeq(SYS_truncate, "notify");
    // Every metadata call, on a path or a descriptor: the broker performs it on an object of the
    // sandbox's own mounts (a descriptor the caller handed over is of the host's) that is not
    // the top of a writable one (inner/entry_broker.hpp, metadata_verdict).
    for (const metadata_calls::Call& c : metadata_calls::kCalls)
        p.jeq(static_cast<unsigned>(c.nr), "notify");
    // chattr, as under Landlock: inode flags set through a descriptor the caller handed over
    // would reach the host's file (no flag is worth a trip to decide). file_setattr is newer
    // than the base filter's list, which answers ENOSYS for it.
    p.jeq(SYS_ioctl, "ioctl");
    // Connections and datagrams, for the denial report only (inner/net_observe.hpp): the
    // broker notes those to an address the namespace has no route to, and lets them go on.
    // sendto only with an address (on a connected socket its destination is connect's).
    if (observe_network) {
        p.jeq(SYS_connect, "notify");
        p.jeq(SYS_sendmsg, "sendmsg");
        p.jeq(SYS_sendmmsg, "notify");
        p.jeq(SYS_sendto, "sendto");
    }
    p.label("allow");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    // Opens for writing too, not only with O_CREAT: the broker lets them go on, and notes
    // the ones a read-only mount is about to refuse (the denial report, inner/denial_log.hpp).
    emit_entry_flag_checks(p, entry_calls::kOpenTrapFlags);
    p.label("ioctl");
    p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(1)));
    p.jeq(static_cast<unsigned>(FS_IOC_SETFLAGS), "eperm");
    p.jeq(static_cast<unsigned>(FS_IOC_FSSETXATTR), "eperm");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    if (observe_network) {
        p.label("sendmsg");
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(0)));
        p.jeq(static_cast<unsigned>(handover_fd), nullptr, "notify");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        p.label("sendto");
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(4)));
        p.jeq(0, nullptr, "notify");
        p.emit(stmt(BPF_LD | BPF_W | BPF_ABS, arg_high(4)));
        p.jeq(0, nullptr, "notify");
        p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    }
    p.label("notify");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
    p.label("enosys");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
    p.label("eperm");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
    return p.finish();
}

Result<SeccompProgram> build_helper_filter() {
    Program p;
    load_native_nr(p);
    p.jeq(SYS_socket, "eafnosupport");
    p.jeq(SYS_socketpair, "eafnosupport");
    p.jeq(SYS_process_vm_readv, "eperm");
    p.label("allow");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p.label("eafnosupport");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA)));
    p.label("eperm");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
    return p.finish();
}

Result<SeccompProgram> build_deny_watch_filter() {
    using metadata_calls::kNativeArch;
    if (kNativeArch == 0)
        return Error(ErrorKind::unsupported, "no seccomp filter for this architecture");
    Program p;
    load_native_nr(p, "kill");  // no base filter below this one: another ABI is killed here
    // An allowlist: the answering process reads requests, writes answers and waits.
    for (long nr :
         {long{SYS_read}, long{SYS_write}, long{SYS_ppoll}, long{SYS_close}, long{SYS_exit},
          long{SYS_exit_group}, long{SYS_rt_sigreturn}, long{SYS_restart_syscall}
#ifdef SYS_poll
          ,
          long{SYS_poll}
#endif
         })
        p.jeq(static_cast<unsigned>(nr), "allow");
    p.label("kill");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    p.label("allow");
    p.emit(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return p.finish();
}

int load_metadata_filter(const SeccompProgram& program) noexcept {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.size());
    prog.filter = const_cast<sock_filter*>(program.data());
    long fd =
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (fd < 0) return -errno;
    return static_cast<int>(fd);
}

int send_fd(int sock, int fd) noexcept {
    char byte = 'L';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    std::memset(control, 0, sizeof control);
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t r;
    do {
        r = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return r == 1 ? 0 : (r < 0 ? errno : EIO);
}

}  // namespace sbx

namespace sbx {

int receive_fd(int sock, bool wait) noexcept {
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t r;
    do {
        r = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    } while (r < 0 && errno == EINTR);
    if (r != 1) return -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int))) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    return -1;
}

}  // namespace sbx
