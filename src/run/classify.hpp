// Turning what the supervisor observed into a SandboxExit: a pure function, unit-tested.
//
// The line that matters most: "setup_failed" (the caller may try another backend) only when
// the command certainly never started. The inner stage says "C" on report_fd before the command
// exists; once it has, or once sbxrun forwarded a signal from its caller (Ctrl-C), no outcome is
// a setup failure: a command that ran is never run again.
//
// Authorities, in order:
//  1. sbxrun-inner's final record on report_fd (inner/inner_report.hpp): it saw the command's
//     real wait status, or its exec errno, or why it failed before exec (an "F" after "C" is
//     forged: ignored).
//  2. the timeout, when it fired and no record says the command ended first.
//  3. bwrap's --json-status-fd: an "exit-code" object appears only when bwrap's payload reached
//     exec. Without it bwrap failed before the command started -> setup_failed, whatever bwrap
//     printed (its stderr is only the message, never the decision). With it but without an
//     inner record the inner stage vanished (killed from outside): exit-code > 128 is read as
//     a signal, anything else as an exit status.
//  4. without bwrap, the spawned process's own wait status.
#pragma once

#include <optional>
#include <string>

#include "run/spawn.hpp"

namespace sbx {

// What bwrap said on --json-status-fd (one JSON object per line).
struct BwrapStatus {
    std::optional<long long> child_pid;      // "child-pid", as seen from outside
    std::optional<long long> pid_namespace;  // "pid-namespace" inode, when it unshared one
    std::optional<int> exit_code;            // "exit-code": the payload ran and exited
};

// Parse the whole --json-status-fd stream; lines that are not JSON objects are ignored.
[[nodiscard]] BwrapStatus parse_bwrap_status(const std::string& stream);

struct Observed {
    bool bwrap = false;
    std::string report;  // everything read from report_fd
    BwrapStatus bwrap_status;
    std::string stderr_text;  // bwrap's captured stderr (bwrap only)
    int wait_status = 0;      // waitpid() status of the spawned process
    bool timed_out = false;
    int interrupted = 0;  // the first signal sbxrun forwarded from its caller, 0 if none
};

[[nodiscard]] SandboxExit classify(const Observed& o);

}  // namespace sbx
