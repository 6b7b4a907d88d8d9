// Spawning and supervising the sandbox: the only stage that creates processes.
//
// The caller first opens the channels (pipes whose write ends the sandbox inherits), compiles
// the backend's argv with their numbers, then calls run_sandbox(). The child gets exactly
// stdin/stdout/stderr plus the fds listed in Launch::pass_fds, under the same numbers; nothing
// else of the caller leaks into it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "inner/denial_log.hpp"
#include "run/connect_guard.hpp"
#include "run/metadata_guard.hpp"
#include "run/pty.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace boost::asio {
class io_context;
}

namespace sbx {

// Pipes between sbxrun and the sandbox. Write ends are inherited by the child (not CLOEXEC
// there); sbxrun closes its copies right after the spawn.
struct Channels {
    UniqueFd bwrap_status_read, bwrap_status_write;  // bwrap --json-status-fd (bwrap only)
    UniqueFd report_read, report_write;              // sbxrun-inner's report (exec errno, status)
    UniqueFd stderr_read, stderr_write;              // bwrap's own stderr (bwrap only); the inner
                                                     // stage gives the command the real stderr
};

// Open the channels a backend needs. with_bwrap: also the bwrap status and stderr pipes.
[[nodiscard]] Result<Channels> open_channels(bool with_bwrap);

struct Launch {
    std::string program;            // absolute path of what to exec (bwrap or sbxrun-inner)
    std::vector<std::string> argv;  // argv[0] included
    std::vector<std::string> env;   // "NAME=value", the complete environment
    std::vector<int> pass_fds;      // kept open in the child with the same numbers
    int stderr_fd = -1;             // the child's fd 2 (-1: sbxrun's own stderr)
    bool bwrap = false;             // program is bwrap: read its --json-status-fd
    std::optional<std::chrono::milliseconds> timeout;

    // Instead of exec'ing `program` (which then only names the launch in messages): called in
    // the forked child once its descriptors are arranged; it execs the command itself and
    // never returns (the Landlock backend, inner/direct_exec.hpp).
    std::function<void()> exec_in_child;
    std::vector<int> child_fds;  // kept open for exec_in_child, but left close-on-exec
    // The spawned process is the command itself, not a stage that outlives it: sbxrun becomes
    // the child subreaper for the run and ends every process of the run once the command has
    // ended (inner/teardown.hpp).
    bool end_orphans = false;
    // Start the spawned process in a process group of its own, out of the caller's terminal's
    // foreground group: a Ctrl-C then reaches sbxrun alone, which forwards it to the command,
    // instead of killing bwrap (and with it the sandbox) in the middle of its setup or run.
    // Only when the command gets a session of its own anyway (process.new_session).
    bool own_process_group = false;
    // The command's metadata calls are answered by sbxrun (run/metadata_notify.hpp): the child
    // sends its seccomp listener over metadata_sock (sbxrun's end of a socketpair), and each
    // notification is decided by metadata_guard. -1/nullptr: nothing is mediated.
    int metadata_sock = -1;
    const MetadataGuard* metadata_guard = nullptr;
    // network.mode = "allowlist": the command's connect(2) calls, which sbxrun makes itself to
    // the proxy only (run/connect_guard.hpp). nullptr: not mediated.
    const ConnectGuard* connect_guard = nullptr;
    // Where the Landlock entry broker records what it saw refused (copied into SandboxExit).
    DenialLog* denial_log = nullptr;
    // --tty (run/pty.hpp): the child gets tty.slave on the fds tty.std_fds names (before
    // stderr_fd goes onto 2), and run_sandbox copies between tty.in/tty.out and tty.master,
    // with the caller's terminal raw, until the sandbox has ended and the master is drained.
    TtyLink tty;
    // Handlers to run while the supervision loop waits (run/io_poll.hpp): the allowlist proxy
    // (run/allowlist_proxy.hpp). nullptr: none.
    boost::asio::io_context* io = nullptr;
};

struct SandboxExit {
    enum class Kind {
        exited,        // the command ran and exited with `status`
        signaled,      // the command ran and was killed by `signal`
        timed_out,     // the timeout expired; everything in the sandbox was killed
        exec_failed,   // the command could not be executed: exec_errno (ENOENT -> 127, else 126)
        setup_failed,  // the backend failed before the command started (bwrap or inner stage)
    };
    Kind kind = Kind::setup_failed;
    int status = 0;
    int signal = 0;
    int exec_errno = 0;
    std::string message;  // setup_failed: what the backend said (bwrap's stderr, inner report)
    // What the entry broker saw refused (inner/denial_log.hpp): from sbxrun-inner's report under
    // bwrap, from Launch::denial_log under Landlock.
    std::vector<Refusal> refusals;
    std::uint64_t refusals_dropped = 0;
};

// After run_sandbox() failed: whether the stage that starts the command had said "C" on the
// report pipe (inner/inner_report.hpp), i.e. the command may have run. Reads what is buffered.
[[nodiscard]] bool command_may_have_started(Channels& channels);

// Spawn, forward SIGINT/SIGTERM/SIGHUP/SIGQUIT to the sandbox, enforce the timeout, wait, and
// classify the end. Errors are for sbxrun's own failures (fork failed, ...) -> 121.
[[nodiscard]] Result<SandboxExit> run_sandbox(const Launch& launch, Channels& channels);

}  // namespace sbx
