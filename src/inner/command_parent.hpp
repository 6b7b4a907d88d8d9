// The last step of sbxrun-inner: run the command as a child and report exactly how it ended.
//
// sbxrun-inner stays as a small parent instead of exec'ing the command itself, because only a
// parent sees the command's real wait status: bwrap (and any exit code) folds "exited 130" and
// "killed by SIGINT" together. The parent forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the
// command, writes one InnerReport record (inner/inner_report.hpp) on report_fd and exits with
// the same status (128+N for signal N, 127 for exec ENOENT, 126 for other exec errors).
// Between fork() and exit nothing allocates: the argv array is built before fork, the exec
// errno travels through a CLOEXEC pipe, the record is formatted into a stack buffer.
#pragma once

#include <cerrno>
#include <string>
#include <vector>

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// Under bwrap sbxrun-inner is the pid namespace's init, which the kernel protects from every
// signal it has no handler for: a caller's SIGINT/SIGTERM/SIGHUP/SIGQUIT arriving while the
// inner stage sets up would be lost, and the command would start anyway. Until
// run_command_and_report() installs its forwarding handlers, such a signal ends this stage at
// once (exit 128 + N; the command never starts). Signals the caller ignores stay ignored.
void end_on_early_signals() noexcept;

// Fork, exec spec.argv (PATH lookup) in the child, wait, report. Returns sbxrun-inner's exit
// code once the command has ended; an Error only for failures before the fork (pipe, fork).
// report_fd must already be close-on-exec so the command does not inherit it.
// broker: the entry broker (inner/entry_broker.hpp) the child enters before exec and this
// process then serves while it waits; nullptr: none. write_layer: the Landlock ruleset of
// inner/write_layer.hpp the child enters too; -1: none.
struct PreparedBroker;
[[nodiscard]] Result<int> run_command_and_report(const InnerSpec& spec,
                                                 PreparedBroker* broker = nullptr,
                                                 int write_layer = -1);

// The paths execvp would try for `name`, in order, given the PATH the command will see
// (nullptr: "/bin:/usr/bin", as glibc). A name with a '/' is its own only candidate.
[[nodiscard]] std::vector<std::string> command_candidates(const std::string& name,
                                                          const char* path_env);

// Exec argv with the first candidate that exists (the process's environ is the command's).
// Returns only on failure, with the errno that decides 127 (ENOENT) or 126 (anything else).
// glibc's execvp reports EACCES when some PATH directory is not searchable even if the command
// exists nowhere, which would turn "not found" into "cannot execute"; shells say 127 then, and
// so does this. Allocates nothing and changes no global (`envp` is passed, not set in
// environ): safe between fork and exec, and in a child sharing sbxrun's memory
// (run/vfork_exec.hpp).
[[nodiscard]] int exec_command(char* const argv[], char* const envp[],
                               const std::vector<std::string>& candidates) noexcept;

// The exit status for a command that could not be executed, as shells give it: 127 when it was
// not found (ENOENT), 126 otherwise. One place for both inner stages; safe after fork.
[[nodiscard]] constexpr int exec_failure_status(int exec_errno) noexcept {
    return exec_errno == ENOENT ? 127 : 126;
}

}  // namespace sbx
