#include "run/exit_outcome.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sbx {

Outcome outcome_from_exit(const SandboxExit& e, const std::string& command) {
    Outcome o;
    switch (e.kind) {
        case SandboxExit::Kind::exited:
            o = outcome_exited(e.status);
            break;
        case SandboxExit::Kind::signaled: {
            o = outcome_signaled(e.signal);
            const char* abbrev = sigabbrev_np(e.signal);
            o.reason = "killed by signal " +
                       (abbrev != nullptr ? "SIG" + std::string(abbrev) : std::to_string(e.signal));
            break;
        }
        case SandboxExit::Kind::timed_out:
            o.kind = OutcomeKind::timed_out;
            o.exit_code = exit_code_for(o.kind);
            o.signal = SIGKILL;
            o.reason = "the timeout expired; the sandbox was killed";
            break;
        case SandboxExit::Kind::exec_failed:
            o.kind = e.exec_errno == ENOENT ? OutcomeKind::not_found : OutcomeKind::not_executable;
            o.exit_code = exit_code_for(o.kind);
            o.reason = "cannot execute '" + command + "': " + std::strerror(e.exec_errno);
            o.path = command;
            break;
        case SandboxExit::Kind::setup_failed:
            o.kind = OutcomeKind::unavailable;
            o.exit_code = exit_code_for(o.kind);
            o.reason = e.message.empty() ? "the sandbox failed before the command started"
                                         : e.message;
            break;
    }
    return o;
}

}  // namespace sbx
