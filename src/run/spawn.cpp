// Spawning bwrap (or, for Landlock, the command itself) and supervising it until it ends.
//
// Spawn: run/vfork_exec.hpp (a child on sbxrun's memory until it execs: no copy of the
// process), which then restores the signal mask, joins the run's cgroup, clears FD_CLOEXEC on
// the passed fds, dups the stderr fd onto 2, closes every other fd and execs. (Boost.Process
// v2 did this until issue 16: its default_launcher forks the whole process, its vfork_launcher
// allocates in the child and leaves it through exit(), and its fd handling had to be redone
// by hand anyway: Boost 1.81's close_all() compares whitelist[idx] with itself.) We wait
// through our own pidfd.
//
// Signals: SIGINT/SIGTERM/SIGHUP/SIGQUIT are blocked and read from a signalfd while the sandbox
// runs, then forwarded to the process that passes them on to the command (sbxrun-inner inside
// bwrap), or to the command itself:
//  - bwrap: "child-pid" in --json-status-fd is sbxrun-inner, the pid namespace's init
//    (--as-pid-1: bwrap's own init would be a process in the sandbox the command could
//    write into through /proc/1/mem; see backend/bwrap_compile.cpp);
//  - no child-pid yet (bwrap still setting up): bwrap; no bwrap: the command, our own child.
// Timeout: SIGKILL to bwrap's child-pid (killing a pid namespace's init kills every process in
// it) and to its process group (sbxrun-inner's session when there is no pid namespace), then to
// the spawned process itself. Under Landlock (Launch::end_orphans) sbxrun is the child
// subreaper for the run, so what escaped the command's session is ended after it, by a method
// a fork chain cannot outrun (inner/teardown.hpp).
#include "run/spawn.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "inner/inner_report.hpp"
#include "inner/notify_request.hpp"
#include "inner/teardown.hpp"
#include "run/classify.hpp"
#include "run/io_poll.hpp"
#include "run/metadata_notify.hpp"
#include "run/vfork_exec.hpp"
#include "util/timeline.hpp"

namespace sbx {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr std::size_t kMaxCaptured = 64 * 1024;
// After the run, how long the relayed output waits for a reader that takes nothing.
constexpr int kRelayPatienceMs = 5000;

Result<std::pair<UniqueFd, UniqueFd>> make_pipe(const char* what) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return os_error(std::string("pipe for ") + what, errno);
    return std::pair{UniqueFd(p[0]), UniqueFd(p[1])};
}

// What the child does before it execs, on sbxrun's memory (run/vfork_exec.hpp): only system
// calls, no allocation (exec_in_child is held to the same rule on its success path; see
// inner/direct_exec.hpp). Everything it reads was made ready by spawn().
struct ChildSetup {
    const Launch* launch;
    int stderr_fd;
    sigset_t mask;
    const Teardown* teardown;  // Launch::end_orphans: the child dies with sbxrun
    const Teardown* join;      // the child joins the run's cgroup (not started in it)
    const char* program;
    const char* const* argv;
    const char* const* envp;
    const int* keep;  // sorted: 0, 1, 2, pass_fds, child_fds
    std::size_t keep_count;
};

int child_setup_and_exec(void* p) noexcept {
    const auto& c = *static_cast<const ChildSetup*>(p);
    const Launch& launch = *c.launch;
    if (::sigprocmask(SIG_SETMASK, &c.mask, nullptr) != 0) return errno;
    if (launch.own_process_group && ::setpgid(0, 0) != 0) return errno;
    if (c.teardown != nullptr) {
        if (c.join != nullptr)
            if (int err = c.join->write_join(); err != 0) return err;
        // If sbxrun itself is SIGKILLed, no teardown runs: the command dies with it at least
        // (what it left behind does not; see SECURITY.md).
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return errno;
    }
    for (int fd = 0; fd <= 2; ++fd) {
        if ((launch.tty.std_fds & (1u << fd)) != 0 && ::dup2(launch.tty.slave, fd) < 0)
            return errno;
    }
    if (c.stderr_fd >= 0 && c.stderr_fd != STDERR_FILENO && ::dup2(c.stderr_fd, STDERR_FILENO) < 0)
        return errno;
    for (int fd : launch.pass_fds) {
        if (::fcntl(fd, F_SETFD, 0) != 0) return errno;
    }
    // Close every gap between the kept descriptors.
    unsigned lo = 0;
    for (std::size_t i = 0; i < c.keep_count; ++i) {
        const auto fd = static_cast<unsigned>(c.keep[i]);
        if (fd > lo) ::close_range(lo, fd - 1, 0);
        if (fd + 1 > lo) lo = fd + 1;
    }
    ::close_range(lo, UINT_MAX, 0);
    if (launch.exec_in_child) {
        launch.exec_in_child();  // execs or _exits
        return ENOEXEC;
    }
    ::execve(c.program, const_cast<char* const*>(c.argv), const_cast<char* const*>(c.envp));
    return errno;
}

// Reads whatever is available on fd (non-blocking) into out; false at EOF.
bool drain(int fd, std::string& out) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            if (out.size() < kMaxCaptured)
                out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n),
                                                      kMaxCaptured - out.size()));
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN;
    }
}

struct Supervisor {
    const Launch& launch;
    pid_t pid;
    std::string status_text;
    BwrapStatus status;

    void refresh_status() { status = parse_bwrap_status(status_text); }

    // The processes a forwarded signal goes to (see the header comment).
    std::vector<pid_t> signal_targets() {
        if (!launch.bwrap || !status.child_pid) return {pid};
        return {static_cast<pid_t>(*status.child_pid)};
    }

    // Without bwrap the target is the command itself, which leads a session (and so a process
    // group) of its own with new_session: the group gets it, as a terminal's Ctrl-C reaches a
    // shell and the job it waits for. Under bwrap sbxrun-inner does the same inside.
    // SIGCONT after it: a stage the command stopped (kill -STOP $PPID) would otherwise keep
    // the forwarded signal pending for ever, and the caller's SIGTERM would not end the run.
    void forward(int sig) {
        for (pid_t t : signal_targets()) {
            if (launch.bwrap || ::kill(-t, sig) != 0) ::kill(t, sig);
            if (launch.bwrap) ::kill(t, SIGCONT);
        }
    }

    void kill_everything() {
        if (launch.bwrap && status.child_pid) {
            auto child = static_cast<pid_t>(*status.child_pid);
            ::kill(child, SIGKILL);
            ::kill(-child, SIGKILL);
        }
        if (!launch.bwrap) ::kill(-pid, SIGKILL);  // the command's own session, if it made one
        ::kill(pid, SIGKILL);
    }
};

Result<pid_t> spawn(const Launch& launch, const sigset_t& old_mask, const Teardown* teardown) {
    if (launch.argv.empty()) return Error(ErrorKind::internal, "spawn: empty argv");
    std::vector<const char*> argv;
    for (const auto& a : launch.argv) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    std::vector<const char*> env;
    for (const auto& e : launch.env) env.push_back(e.c_str());
    env.push_back(nullptr);
    std::vector<int> keep = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO};
    keep.insert(keep.end(), launch.pass_fds.begin(), launch.pass_fds.end());
    keep.insert(keep.end(), launch.child_fds.begin(), launch.child_fds.end());
    std::erase_if(keep, [](int fd) { return fd < 0; });
    std::sort(keep.begin(), keep.end());
    ChildSetup setup{
        &launch,     launch.stderr_fd, old_mask,    teardown,   teardown, launch.program.c_str(),
        argv.data(), env.data(),       keep.data(), keep.size()};
    if (teardown != nullptr && teardown->cgroup_fd() >= 0) {
        // Started in the run's cgroup rather than moved there (run/vfork_exec.hpp).
        setup.join = nullptr;
        auto pid = fork_exec_into_cgroup(child_setup_and_exec, &setup, launch.program.c_str(),
                                         teardown->cgroup_fd());
        if (pid.ok() || pid.error().sys_errno != ENOSYS) {
            if (!pid.ok()) {
                Error e = std::move(pid).error();
                e.path = launch.program;
                return e;
            }
            return *pid;
        }
        setup.join = teardown;  // an older kernel: the child joins it itself
    }
    auto pid = vfork_exec(child_setup_and_exec, &setup, launch.program.c_str());
    if (!pid.ok()) {
        Error e = std::move(pid).error();
        e.path = launch.program;
        return e;
    }
    return *pid;
}

}  // namespace

Result<Channels> open_channels(bool with_bwrap) {
    Channels c;
    auto report = make_pipe("the inner stage's report");
    if (!report) return std::move(report).error();
    c.report_read = std::move(report->first);
    c.report_write = std::move(report->second);
    if (with_bwrap) {
        auto status = make_pipe("bwrap's --json-status-fd");
        if (!status) return std::move(status).error();
        c.bwrap_status_read = std::move(status->first);
        c.bwrap_status_write = std::move(status->second);
        auto err = make_pipe("bwrap's stderr");
        if (!err) return std::move(err).error();
        c.stderr_read = std::move(err->first);
        c.stderr_write = std::move(err->second);
    }
    return c;
}

bool command_may_have_started(Channels& channels) {
    if (!channels.report_read.valid()) return false;
    const int fd = channels.report_read.get();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::string report;
    drain(fd, report);
    return split_started(report).started;
}

Result<SandboxExit> run_sandbox(const Launch& launch, Channels& channels) {
    sigset_t forwarded, old_mask;
    sigemptyset(&forwarded);
    for (int s : kForwarded) sigaddset(&forwarded, s);
    // As the subreaper (Landlock) every orphan of the run is adopted by us, and each that exits
    // stays a zombie, holding a host pid and a slot of the user's RLIMIT_NPROC, until we reap
    // it: SIGCHLD wakes the loop below to do that while the command runs.
    if (launch.end_orphans) sigaddset(&forwarded, SIGCHLD);
    // Relaying a terminal: the caller's window size follows into the pty (SIGWINCH), and a
    // reader of the relayed output that went away is EPIPE for the relay, not sbxrun's death.
    const bool relaying = launch.tty.active();
    if (relaying) {
        sigaddset(&forwarded, SIGWINCH);
        sigaddset(&forwarded, SIGPIPE);
        sigaddset(&forwarded, SIGCONT);  // stopped by someone's SIGSTOP/SIGTSTP: raw again
    }
    if (::pthread_sigmask(SIG_BLOCK, &forwarded, &old_mask) != 0)
        return os_error("block signals", errno);
    UniqueFd sigfd(::signalfd(-1, &forwarded, SFD_CLOEXEC | SFD_NONBLOCK));
    struct RestoreMask {
        sigset_t mask;
        ~RestoreMask() { ::pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
    } restore{old_mask};
    if (!sigfd) return os_error("signalfd", errno);

    // The command is our own child: its orphans come to us instead of init, and every process
    // of the run is ended with it (inner/teardown.hpp: a cgroup, or stop-then-kill).
    struct Subreaper {
        bool on;
        Teardown teardown;
        bool ended = false;
        void end() noexcept {
            if (!on || ended) return;
            ended = true;
            teardown.end_all();
        }
        ~Subreaper() {
            if (!on) return;
            end();
            ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    } subreaper{launch.end_orphans && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, {}};
    if (launch.end_orphans && !subreaper.on) return os_error("become child subreaper", errno);
    if (subreaper.on) subreaper.teardown = Teardown::prepare();

    // Raw from here on, and back however this function returns (the caller's SIGTERM or SIGHUP
    // is forwarded, and the run then ends through the normal path). Declared after the signal
    // mask and the subreaper, so restored before the teardown ends the rest of the run.
    std::optional<TtyRelay> relay;
    std::optional<TerminalMode> raw;
    if (relaying) {
        copy_window_size(launch.tty.caller, launch.tty.master);
        relay.emplace(launch.tty);
        raw.emplace(launch.tty.caller);
    }

    timeline::mark("spawning");
    auto spawned = spawn(launch, old_mask, subreaper.on ? &subreaper.teardown : nullptr);
    timeline::mark("spawned");
    // The child has its copies; ours would keep the pipes open forever.
    channels.bwrap_status_write.reset();
    channels.report_write.reset();
    channels.stderr_write.reset();
    if (!spawned) return std::move(spawned).error();
    const pid_t pid = *spawned;

    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        int err = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return os_error("pidfd_open", err);
    }
    for (UniqueFd* fd : {&channels.bwrap_status_read, &channels.report_read, &channels.stderr_read})
        if (fd->valid()) ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);

    Supervisor sup{launch, pid, {}, {}};
    Observed obs;
    obs.bwrap = launch.bwrap;
    std::string* sinks[] = {&sup.status_text, &obs.report, &obs.stderr_text};
    UniqueFd* sources[] = {&channels.bwrap_status_read, &channels.report_read,
                           &channels.stderr_read};
    bool open[3];
    for (int i = 0; i < 3; ++i) open[i] = sources[i]->valid();

    using clock = std::chrono::steady_clock;
    std::optional<clock::time_point> deadline;
    if (launch.timeout) deadline = clock::now() + *launch.timeout;
    int terminations = 0;  // SIGTERM and SIGHUP received so far

    // The metadata listener arrives on the socket once the child has loaded its filter.
    const bool mediated = launch.metadata_sock >= 0 && launch.metadata_guard != nullptr;
    bool sock_open = mediated;
    UniqueFd listener;
    // Blocking connects sbxrun made for the command, answered once their handshake ends
    // (run/connect_guard.hpp).
    std::optional<PendingConnects> pending;
    if (launch.connect_guard != nullptr) pending.emplace();

    bool exited = false;
    // The command's wait status once reap_adopted() has collected it along with the orphans.
    std::optional<int> reaped_status;
    const auto reap_adopted = [&] {
        int st = 0;
        pid_t r;
        while ((r = ::waitpid(-1, &st, WNOHANG)) > 0)
            if (r == pid) reaped_status = st;
    };
    while (!exited) {
        pollfd pfds[8 + TtyRelay::kMaxPolls];
        int n = 0;
        pfds[n++] = {pidfd.get(), POLLIN, 0};
        pfds[n++] = {sigfd.get(), POLLIN, 0};
        const int sock_idx = sock_open ? n : -1;
        if (sock_open) pfds[n++] = {launch.metadata_sock, POLLIN, 0};
        const int listener_idx = listener ? n : -1;
        if (listener) pfds[n++] = {listener.get(), POLLIN, 0};
        const int pending_idx = listener && pending && !pending->empty() ? n : -1;
        if (pending_idx >= 0) pfds[n++] = {pending->fd(), POLLIN, 0};
        int idx[3] = {-1, -1, -1};
        for (int i = 0; i < 3; ++i)
            if (open[i]) idx[i] = n, pfds[n++] = {sources[i]->get(), POLLIN, 0};
        if (relay) relay->add_polls(pfds, n);
        int wait_ms = -1;
        if (deadline && !obs.timed_out) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now());
            wait_ms = static_cast<int>(std::max<long long>(0, left.count()));
        }
        int r = poll_with_io(pfds, static_cast<nfds_t>(n), wait_ms, launch.io);
        if (r < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            sup.kill_everything();
            ::waitpid(pid, nullptr, 0);
            return os_error("poll", err);
        }
        // The deadline is the clock's, checked at every turn, whatever is ready. Nothing ready
        // is not the deadline: readiness can vanish between the wait and the poll that reports
        // it (a seccomp notification whose caller was killed meanwhile), and with the proxy's
        // handlers a wake-up can be theirs alone (a run whose children were killed during
        // mediated calls was reported timed_out within milliseconds of a 30 s timeout:
        // thirty-fourth review). And something always ready must not postpone it: 64 processes
        // looping on chmod under Landlock kept the listener readable, and a 2 s timeout never
        // fired (thirty-fifth review).
        if (deadline && !obs.timed_out && clock::now() >= *deadline) {
            obs.timed_out = true;
            sup.refresh_status();
            sup.kill_everything();
            continue;
        }
        if (relay) relay->on_ready(pfds);
        for (int i = 0; i < 3; ++i) {
            if (idx[i] >= 0 && pfds[idx[i]].revents != 0) {
                open[i] = drain(sources[i]->get(), *sinks[i]);
                if (i == 0) sup.refresh_status();
            }
        }
        if (sock_idx >= 0 && pfds[sock_idx].revents != 0) {
            listener.reset(receive_listener(launch.metadata_sock));
            if (listener) request_sync_wakeup(listener.get());
            sock_open = false;  // one listener per run; EOF means the child failed before it
        }
        if (pending_idx >= 0 && pfds[pending_idx].revents != 0)
            pending->answer_ended(listener.get());
        if (listener_idx >= 0 && (pfds[listener_idx].revents & POLLIN)) {
            answer_metadata_call(listener.get(), *launch.metadata_guard, launch.connect_guard,
                                 pending ? &*pending : nullptr, launch.denial_log);
        } else if (listener_idx >= 0 && pfds[listener_idx].revents != 0) {
            listener.reset();  // POLLHUP: no process is left under the filter
        }
        if (pfds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            while (::read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                if (si.ssi_signo == SIGCHLD) {
                    reap_adopted();
                    continue;
                }
                if (si.ssi_signo == SIGWINCH) {
                    copy_window_size(launch.tty.caller, launch.tty.master);
                    continue;
                }
                if (si.ssi_signo == SIGPIPE) continue;
                if (si.ssi_signo == SIGCONT) {
                    if (raw) raw->reapply();
                    copy_window_size(launch.tty.caller, launch.tty.master);
                    continue;
                }
                sup.refresh_status();
                if (obs.interrupted == 0) obs.interrupted = static_cast<int>(si.ssi_signo);
                // A second SIGTERM or SIGHUP ends the sandbox: the first was the command's to
                // handle, and a stage that cannot pass it on (sbxrun-inner waiting on a deny
                // watcher the command stopped: thirty-sixth review) must not hold the caller
                // for ever. Not SIGINT or SIGQUIT: a REPL gets Ctrl-C as often as it is pressed.
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP) {
                    if (++terminations >= 2) {
                        sup.kill_everything();
                        continue;
                    }
                }
                sup.forward(static_cast<int>(si.ssi_signo));
            }
        }
        if ((pfds[0].revents & POLLIN) || reaped_status) exited = true;
    }
    timeline::mark("sandbox exited");

    // bwrap killed in the middle of its setup (a signal the caller sent) can leave its pid-1
    // half behind, blocked forever and holding the caller's output pipes (found by an outside
    // review). It is still in bwrap's own process group: end the group while bwrap, not yet
    // reaped, keeps its id from being reused.
    if (launch.own_process_group) ::kill(-pid, SIGKILL);
    int st = reaped_status.value_or(0);
    while (!reaped_status && ::waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) return os_error("waitpid", errno);
    }
    // Whatever is still buffered: everything in the sandbox that held a write end is gone.
    for (int i = 0; i < 3; ++i)
        if (open[i]) drain(sources[i]->get(), *sinks[i]);
    // The command's last output, then the caller's terminal as it was. Under Landlock what the
    // command left running still holds the pty (a `yes &` would keep the drain going for
    // ever): the run's processes end first (under bwrap they died with the pid namespace).
    if (relay) {
        subreaper.end();
        relay->finish(kRelayPatienceMs);
    }
    raw.reset();
    // Signals that arrived in the last moment are dropped, not re-raised on sbxrun.
    signalfd_siginfo si{};
    while (::read(sigfd.get(), &si, sizeof si) > 0) {
    }
    sup.refresh_status();
    timeline::mark("reaped, output drained");
    obs.bwrap_status = sup.status;
    obs.wait_status = st;
    SandboxExit e = classify(obs);
    if (launch.denial_log != nullptr) {
        e.refusals = launch.denial_log->refusals();
        e.refusals_dropped = launch.denial_log->dropped();
    }
    return e;
}

}  // namespace sbx
