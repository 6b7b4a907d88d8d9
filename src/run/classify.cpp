#include "run/classify.hpp"

#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "inner/denial_log.hpp"
#include "inner/inner_report.hpp"

namespace sbx {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

SandboxExit from_wait_status(int st) {
    SandboxExit e;
    if (WIFSIGNALED(st)) {
        e.kind = SandboxExit::Kind::signaled;
        e.signal = WTERMSIG(st);
    } else {
        e.kind = SandboxExit::Kind::exited;
        e.status = WEXITSTATUS(st);
    }
    return e;
}

}  // namespace

BwrapStatus parse_bwrap_status(const std::string& stream) {
    BwrapStatus s;
    // Not bwrap, or nothing said yet: an istringstream (and its locale) is not free, and the
    // supervisor asks on every wake-up.
    if (stream.empty()) return s;
    std::istringstream in(stream);
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!j.is_object()) continue;
        if (auto it = j.find("child-pid"); it != j.end() && it->is_number_integer())
            s.child_pid = it->get<long long>();
        if (auto it = j.find("pid-namespace"); it != j.end() && it->is_number_integer())
            s.pid_namespace = it->get<long long>();
        if (auto it = j.find("exit-code"); it != j.end() && it->is_number_integer())
            s.exit_code = it->get<int>();
    }
    return s;
}

SandboxExit classify(const Observed& o) {
    SandboxExit e;
    std::string err = trim(o.stderr_text);
    const InnerStream stream = split_started(o.report);
    parse_denial_lines(stream.denials, e.refusals, e.refusals_dropped);
    if (!stream.rest.empty()) {
        if (auto r = parse_inner_report(stream.rest)) {
            switch (r->kind) {
                case InnerReport::Kind::exited:
                    e.kind = SandboxExit::Kind::exited, e.status = r->value;
                    break;
                case InnerReport::Kind::signaled:
                    e.kind = SandboxExit::Kind::signaled, e.signal = r->value;
                    break;
                case InnerReport::Kind::exec_failed:
                    e.kind = SandboxExit::Kind::exec_failed, e.exec_errno = r->value;
                    break;
                case InnerReport::Kind::setup_failed:
                    if (stream.started) break;  // forged (see inner_report.hpp): no authority
                    e.message = r->message;
                    // The caller asked the run to stop: no other backend may start it again.
                    if (o.interrupted != 0)
                        e.kind = SandboxExit::Kind::signaled, e.signal = o.interrupted;
                    else
                        e.kind = SandboxExit::Kind::setup_failed;
                    return e;
            }
            if (r->kind != InnerReport::Kind::setup_failed) {
                e.message = err;
                return e;
            }
        }
        // A malformed record is treated as no record; the backend's status decides.
    }
    if (o.timed_out) {
        e.kind = SandboxExit::Kind::timed_out;
        e.signal = 9;  // SIGKILL: what ended the sandbox
        e.message = err;
        return e;
    }
    if (!o.bwrap) {
        e = from_wait_status(o.wait_status);
        return e;
    }
    // bwrap's stderr never decides anything below: the command may be able to write into it
    // (through bwrap's pid 1), so it is only ever the message of a setup failure, which by
    // then cannot have come from the command (it never started).
    if (!o.bwrap_status.exit_code && (stream.started || o.interrupted != 0)) {
        // The command may have run, or the caller interrupted the run: its end is bwrap's own
        // (killed by the forwarded signal, most likely), never a reason to try again.
        e = from_wait_status(o.wait_status);
        if (e.kind == SandboxExit::Kind::exited && o.interrupted != 0 && !stream.started) {
            e.kind = SandboxExit::Kind::signaled, e.signal = o.interrupted;
        }
        e.message = err;
        return e;
    }
    if (!o.bwrap_status.exit_code) {
        e.kind = SandboxExit::Kind::setup_failed;
        e.message = err;
        if (e.message.empty()) {
            SandboxExit w = from_wait_status(o.wait_status);
            e.message = w.kind == SandboxExit::Kind::signaled
                            ? "bwrap was killed by signal " + std::to_string(w.signal) +
                                  " before the command started"
                            : "bwrap exited with status " + std::to_string(w.status) +
                                  " before the command started";
        }
        return e;
    }
    int code = *o.bwrap_status.exit_code;
    if (code > 128 && code <= 128 + 64) {
        e.kind = SandboxExit::Kind::signaled, e.signal = code - 128;
    } else {
        e.kind = SandboxExit::Kind::exited, e.status = code;
    }
    e.message = err;
    return e;
}

}  // namespace sbx
