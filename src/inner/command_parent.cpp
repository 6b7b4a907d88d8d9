#include "inner/command_parent.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "inner/deny_watch.hpp"
#include "inner/dns_refuser.hpp"
#include "inner/entry_broker.hpp"
#include "inner/inner_report.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/notify_request.hpp"
#include "inner/orphans.hpp"
#include "inner/write_layer.hpp"
#include "util/timeline.hpp"

namespace sbx {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

volatile sig_atomic_t g_child = 0;    // the command's pid once forked
volatile sig_atomic_t g_pending = 0;  // a signal that arrived before g_child was set

// To the command's whole process group when it has one of its own (new_session: see the
// fork below), as a terminal's Ctrl-C reaches a shell *and* the job it waits for; else to the
// command alone.
void forward_signal(int sig) {
    pid_t child = g_child;
    if (child <= 0) {
        g_pending = sig;
        return;
    }
    if (::kill(-child, sig) != 0) ::kill(child, sig);
}

void write_all(int fd, const char* buf, std::size_t len) noexcept {
    if (fd < 0) return;
    while (len > 0) {
        ssize_t n = ::write(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the reader is gone: nobody left to tell
        buf += n;
        len -= static_cast<std::size_t>(n);
    }
}

void report(int fd, char kind, int value) noexcept {
    char buf[kInnerReportMax];
    write_all(fd, buf, format_inner_report(buf, kind, value));
}

void on_child(int) {}

void end_early(int sig) {
    ::_exit(128 + sig);
}

}  // namespace

void end_on_early_signals() noexcept {
    struct sigaction sa {};
    sa.sa_handler = end_early;
    sigemptyset(&sa.sa_mask);
    for (int s : kForwarded) {
        struct sigaction old {};
        if (::sigaction(s, nullptr, &old) == 0 && old.sa_handler != SIG_IGN)
            ::sigaction(s, &sa, nullptr);
    }
}

std::vector<std::string> command_candidates(const std::string& name, const char* path_env) {
    if (name.find('/') != std::string::npos) return {name};
    std::string p = path_env != nullptr ? path_env : "/bin:/usr/bin";
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= p.size()) {
        std::size_t end = p.find(':', start);
        if (end == std::string::npos) end = p.size();
        std::string dir = p.substr(start, end - start);
        out.push_back((dir.empty() ? std::string(".") : dir) + "/" + name);
        start = end + 1;
    }
    return out;
}

int exec_command(char* const argv[], char* const envp[],
                 const std::vector<std::string>& candidates) noexcept {
    // execvp's search, without an execve per PATH entry that does not hold the command: try
    // each candidate that exists; EACCES goes on to the next (as glibc does); a file the
    // kernel cannot execute (ENOEXEC: a script without #!) is left to execvp, which runs it
    // with /bin/sh.
    int err = ENOENT;
    for (const auto& c : candidates) {
        if (::access(c.c_str(), F_OK) != 0) continue;
        ::execve(c.c_str(), argv, envp);
        err = errno;
        if (err == ENOEXEC) {
            // A script without #!: glibc's execvpe runs it with /bin/sh, as shells do. `c`
            // has a slash, so nothing is searched for in sbxrun's own PATH.
            ::execvpe(c.c_str(), argv, envp);
            return errno;
        }
        if (err != EACCES) break;
    }
    return err;
}

Result<int> run_command_and_report(const InnerSpec& spec, PreparedBroker* broker, int write_layer) {
    if (spec.argv.empty()) return Error(ErrorKind::usage, "no command");
    // Everything the child needs, allocated before fork.
    std::vector<char*> argv;
    argv.reserve(spec.argv.size() + 1);
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // Where a name without '/' could be. glibc's execvp reports EACCES when some PATH
    // directory is not searchable even if the command exists nowhere, which would turn
    // "not found" (127) into "cannot execute" (126); shells say 127 then, and so do we.
    std::vector<std::string> candidates = command_candidates(spec.argv.front(), ::getenv("PATH"));

    int exec_pipe[2];
    if (::pipe2(exec_pipe, O_CLOEXEC) != 0) return os_error("pipe for exec status", errno);

    // Block the forwarded signals across fork so none is lost or handled by the wrong process.
    sigset_t forwarded, old_mask;
    sigemptyset(&forwarded);
    for (int s : kForwarded) sigaddset(&forwarded, s);
    // The broker's wait (ppoll) is woken by SIGCHLD, which stays blocked outside it so that no
    // child's end slips between a waitpid and the ppoll.
    if (broker != nullptr) {
        sigaddset(&forwarded, SIGCHLD);
        struct sigaction sc {};
        sc.sa_handler = on_child;
        sc.sa_flags = SA_RESTART | SA_NOCLDSTOP;
        sigemptyset(&sc.sa_mask);
        ::sigaction(SIGCHLD, &sc, nullptr);
    }
    if (::sigprocmask(SIG_BLOCK, &forwarded, &old_mask) != 0)
        return os_error("block signals", errno);
    // A signal the caller ignores (nohup, a non-interactive shell's `cmd &` for SIGINT and
    // SIGQUIT) stays ignored: it is neither forwarded nor reset for the command, which
    // inherits the SIG_IGN as it would outside the sandbox.
    bool ignored[std::size(kForwarded)] = {};
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < std::size(kForwarded); ++i) {
        struct sigaction old {};
        ignored[i] = ::sigaction(kForwarded[i], nullptr, &old) == 0 && old.sa_handler == SIG_IGN;
        if (!ignored[i]) ::sigaction(kForwarded[i], &sa, nullptr);
    }
    // The parent must survive a reader that went away; the command gets the default back.
    ::signal(SIGPIPE, SIG_IGN);

    // Orphans of the command (a daemonised `sleep &`, a double fork + setsid) are reparented
    // to us rather than to init, so they can be ended with the command. Under bwrap the pid
    // namespace does this too; under Landlock this is the only thing that does.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    // From here on the command may start: say so before it exists, so that nothing it does
    // later can pass for a failure of this stage (inner/inner_report.hpp).
    write_all(spec.report_fd, kStartedRecord.data(), kStartedRecord.size());

    timeline::mark("forking the command");
    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        ::close(exec_pipe[0]);
        ::close(exec_pipe[1]);
        return os_error("fork", err);
    }
    if (pid == 0) {
        // Its own process group, so that a forwarded signal reaches what it runs too. Not with
        // new_session = false: the command then shares the caller's terminal and must stay
        // in its foreground group.
        if (spec.controlling_tty) {
            // A session of its own with its pty as the controlling terminal: it is then the
            // pty's foreground job, and Ctrl-C/Ctrl-Z/Ctrl-\ on it reach what it runs. Our
            // own session (if any) has no terminal. Its process group is orphaned (we are in
            // another session), so a Ctrl-Z meant for a command that does no job control of
            // its own is discarded instead of stopping it for good.
            if (::setsid() < 0 || ::ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0) {
                constexpr char msg[] =
                    "sbxrun-inner: cannot give the command its terminal (setsid, TIOCSCTTY)\n";
                write_all(STDERR_FILENO, msg, sizeof msg - 1);
                ::_exit(kInnerSetupFailed);
            }
        } else if (spec.new_session) {
            ::setpgid(0, 0);
        }
        for (std::size_t i = 0; i < std::size(kForwarded); ++i)
            if (!ignored[i]) ::signal(kForwarded[i], SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        if (broker != nullptr) ::signal(SIGCHLD, SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        ::close(exec_pipe[0]);
        if (write_layer >= 0 && enter_write_layer(write_layer) != 0) {
            constexpr char msg[] = "sbxrun-inner: cannot enter the write layer (Landlock)\n";
            write_all(STDERR_FILENO, msg, sizeof msg - 1);
            ::_exit(kInnerSetupFailed);
        }
        if (broker != nullptr) {
            if (int err = enter_entry_broker(*broker); err != 0) {
                constexpr char msg[] = "sbxrun-inner: cannot enter the entry broker\n";
                write_all(STDERR_FILENO, msg, sizeof msg - 1);
                ::_exit(kInnerSetupFailed);
            }
        }
        timeline::line_now(STDERR_FILENO, "sbxrun-inner child", "exec the command");
        int err = exec_command(argv.data(), environ, candidates);
        write_all(exec_pipe[1], reinterpret_cast<const char*>(&err), sizeof err);
        ::_exit(exec_failure_status(err));
    }

    // Both sides, so no signal races the child's. Not with a controlling terminal: the child's
    // setsid() would fail if we made it a group leader first.
    if (spec.new_session && !spec.controlling_tty) ::setpgid(pid, pid);
    g_child = pid;
    ::close(exec_pipe[1]);
    sigset_t wait_mask = old_mask;  // what ppoll unblocks: SIGCHLD and the forwarded signals
    sigdelset(&wait_mask, SIGCHLD);
    if (broker != nullptr) {
        sigset_t run_mask = old_mask;
        sigaddset(&run_mask, SIGCHLD);
        ::sigprocmask(SIG_SETMASK, &run_mask, nullptr);
    } else {
        ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    }
    if (g_pending != 0) ::kill(pid, g_pending);

    // The child's listener, sent before it execs (none if it failed before: it then exits).
    UniqueFd listener;
    DenialLog denials;  // what the broker saw refused, streamed before the final record
    denials.stream_to(spec.report_fd);
    if (broker != nullptr) {
        broker->child_sock.reset();
        listener.reset(receive_fd(broker->parent_sock.get(), true));
        if (listener) request_sync_wakeup(listener.get());
    }

    int exec_errno = 0;
    ssize_t n;
    do {
        n = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    ::close(exec_pipe[0]);

    // Wait for any child, not just the command: as the subreaper we adopt every orphan of the
    // run, and each one that exits stays a zombie (holding a host pid and a slot of the user's
    // RLIMIT_NPROC) until we reap it. A command whose children keep daemonising would otherwise
    // fill the host's pid space while it runs (a fork chain did, in CI).
    int status = 0;
    for (;;) {
        int st = 0;
        if (listener) {
            // The broker: answer entry calls until the command ends. Reap what has ended first,
            // then sleep in ppoll, which SIGCHLD (blocked elsewhere) interrupts.
            const pid_t r = ::waitpid(-1, &st, WNOHANG);
            if (r == pid) {
                status = st;
                break;
            }
            if (r > 0) continue;
            if (r < 0 && errno != EINTR) {
                report(spec.report_fd, 'X', 255);
                return 255;
            }
            pollfd pfd{listener.get(), POLLIN, 0};
            const int n_ready = ::ppoll(&pfd, 1, nullptr, &wait_mask);
            if (n_ready > 0 && (pfd.revents & POLLIN)) {
                answer_entry_broker_call(listener.get(), broker->rules, &denials);
            } else if (n_ready > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))) {
                listener.reset();  // no process is left under the filter
            }
            continue;
        }
        const pid_t r = ::waitpid(-1, &st, 0);
        if (r == pid) {
            status = st;
            break;
        }
        if (r < 0 && errno != EINTR) {
            // Cannot happen while our own child is unreaped; say so rather than invent a status.
            report(spec.report_fd, 'X', 255);
            return 255;
        }
    }
    timeline::mark("command reaped");
    stop_dns_refuser();
    stop_deny_watch(&denials);
    end_orphans();
    timeline::mark("orphans ended");
    timeline::flush(STDERR_FILENO);
    if (!denials.empty()) {
        try {
            const std::string lines = denials.closing_lines();
            write_all(spec.report_fd, lines.data(), lines.size());
        } catch (...) {
            // No memory for the report: the run's outcome still goes out.
        }
    }
    if (n == static_cast<ssize_t>(sizeof exec_errno) && exec_errno > 0) {
        report(spec.report_fd, 'E', exec_errno);
        return exec_failure_status(exec_errno);
    }
    if (WIFSIGNALED(status)) {
        report(spec.report_fd, 'S', WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    report(spec.report_fd, 'X', WEXITSTATUS(status));
    return WEXITSTATUS(status);
}

}  // namespace sbx
