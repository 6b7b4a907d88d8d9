#include "run/vfork_exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SBX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SBX_ASAN 1
#endif
#ifdef SBX_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace sbx {
namespace {

// The child's stack. Generous: an error path formats a message. Mapped once and kept (a run
// spawns once, twice when a backend falls back), so that no later mapping of the same
// addresses inherits the child's stack frames in the address sanitizer's shadow.
constexpr std::size_t kStackSize = 256 * 1024;

struct Shared {
    int (*child)(void*) noexcept;
    void* arg;
    int err;            // written by the child when it fails, read by the parent after it resumes
    int err_pipe = -1;  // the fork fallback's way to say the same (SBX_ASAN builds)
};

int trampoline(void* p) noexcept {
    auto* s = static_cast<Shared*>(p);
    // No handler of sbxrun's may run here (all signals are blocked until child() sets the
    // mask; it resets none of its own): every caught signal back to the default. Ignored
    // ones stay ignored, as across exec.
    for (int sig = 1; sig < NSIG; ++sig) {
        struct sigaction sa {};
        if (::sigaction(sig, nullptr, &sa) != 0) continue;  // SIGKILL, SIGSTOP, gaps
        if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN) continue;
        sa = {};
        sa.sa_handler = SIG_DFL;
        ::sigaction(sig, &sa, nullptr);
    }
    int err = s->child(s->arg);
    s->err = err != 0 ? err : ENOEXEC;
    if (s->err_pipe >= 0) (void)!::write(s->err_pipe, &s->err, sizeof s->err);
    ::_exit(127);
}

void* child_stack() {
    static void* stack = nullptr;
    if (stack == nullptr) {
        void* p = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (p == MAP_FAILED) return nullptr;
        stack = p;
    }
#ifdef SBX_ASAN
    // The last child never returned from its frames: their redzones are still poisoned.
    __asan_unpoison_memory_region(stack, kStackSize);
#endif
    return stack;
}

// clone3's arguments (linux/sched.h's struct clone_args up to `cgroup`, Linux 5.7), spelled
// here: that header's CLONE_* macros collide with <sched.h>'s.
struct CloneArgs {
    std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
constexpr std::uint64_t kCloneIntoCgroup = 0x200000000ULL;

// A fork-like child (its own copy of sbxrun's memory) that learns of a failed exec through a
// close-on-exec pipe. `cgroup_dir` >= 0: started in that cgroup (clone3); else fork().
//
// Also the address sanitizer's way for every child: a child running on a stack ASan does not
// know makes it warn ("ASan is ignoring requested __asan_handle_no_return") on the command's
// stderr, and the sanitizer build is for memory errors elsewhere.
Result<pid_t> fork_exec(Shared& shared, const char* what, int cgroup_dir = -1) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return os_error(std::string("cannot start ") + what, errno);
    shared.err_pipe = p[1];
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid;
    if (cgroup_dir >= 0) {
        CloneArgs args{};
        args.flags = kCloneIntoCgroup;
        args.exit_signal = SIGCHLD;
        args.cgroup = static_cast<std::uint64_t>(cgroup_dir);
        pid = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
    } else {
        pid = ::fork();
    }
    if (pid == 0) trampoline(&shared);
    const int fork_err = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(p[1]);
    int err = 0;
    ssize_t n;
    while (pid > 0 && (n = ::read(p[0], &err, sizeof err)) < 0 && errno == EINTR) {
    }
    ::close(p[0]);
    if (pid < 0) {
        // No clone3 (5.3), or no CLONE_INTO_CGROUP (5.7): E2BIG or EINVAL for the size and flag.
        const bool unsupported =
            cgroup_dir >= 0 && (fork_err == ENOSYS || fork_err == E2BIG || fork_err == EINVAL);
        return os_error(std::string("cannot start ") + what, unsupported ? ENOSYS : fork_err);
    }
    if (err != 0) {
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        return os_error(std::string("cannot start ") + what, err);
    }
    return pid;
}

}  // namespace

Result<pid_t> fork_exec_into_cgroup(int (*child)(void* arg) noexcept, void* arg, const char* what,
                                    int cgroup_dir) {
    Shared shared{child, arg, 0};
    return fork_exec(shared, what, cgroup_dir);
}

Result<pid_t> vfork_exec(int (*child)(void* arg) noexcept, void* arg, const char* what) {
#ifdef SBX_ASAN
    Shared forked{child, arg, 0};
    return fork_exec(forked, what);
#endif
    void* stack = child_stack();
    if (stack == nullptr)
        return os_error(std::string("cannot map a stack to start ") + what, errno);
    Shared shared{child, arg, 0};
    sigset_t all, old;
    sigfillset(&all);
    if (::pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
        return os_error(std::string("cannot block signals to start ") + what, errno);
    // The stack grows down on every architecture sbxrun builds for.
    const pid_t pid = ::clone(trampoline, static_cast<char*>(stack) + kStackSize,
                              CLONE_VM | CLONE_VFORK | SIGCHLD, &shared);
    const int clone_err = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) return os_error(std::string("cannot start ") + what, clone_err);
    if (shared.err != 0) {
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        return os_error(std::string("cannot start ") + what, shared.err);
    }
    return pid;
}

}  // namespace sbx
