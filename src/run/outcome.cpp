#include "run/outcome.hpp"

#include <cstring>
#include <nlohmann/json.hpp>

#include "util/printable.hpp"

namespace sbx {

const char* to_string(OutcomeKind k) {
    switch (k) {
        case OutcomeKind::exited:
            return "exited";
        case OutcomeKind::signaled:
            return "signaled";
        case OutcomeKind::integrity_violation:
            return "integrity_violation";
        case OutcomeKind::unavailable:
            return "unavailable";
        case OutcomeKind::needs_approval:
            return "needs_approval";
        case OutcomeKind::setup_failed:
            return "setup_failed";
        case OutcomeKind::timed_out:
            return "timed_out";
        case OutcomeKind::usage_error:
            return "usage_error";
        case OutcomeKind::policy_error:
            return "policy_error";
        case OutcomeKind::not_executable:
            return "not_executable";
        case OutcomeKind::not_found:
            return "not_found";
    }
    return "usage_error";
}

int exit_code_for(OutcomeKind k) {
    switch (k) {
        case OutcomeKind::exited:
            return 0;  // the command's own status, set by the caller
        case OutcomeKind::signaled:
            return 128;  // 128 + N, set by outcome_signaled
        case OutcomeKind::integrity_violation:
            return 120;
        case OutcomeKind::unavailable:
            return 121;
        case OutcomeKind::needs_approval:
            return 122;
        case OutcomeKind::setup_failed:
            return 123;
        case OutcomeKind::timed_out:
            return 124;
        case OutcomeKind::usage_error:
            return 125;
        case OutcomeKind::policy_error:
            return 125;
        case OutcomeKind::not_executable:
            return 126;
        case OutcomeKind::not_found:
            return 127;
    }
    return 125;
}

namespace {

// The table in util/error.hpp: which outcome each kind of error ends in.
OutcomeKind kind_for(ErrorKind k) {
    switch (k) {
        case ErrorKind::usage:
            return OutcomeKind::usage_error;
        case ErrorKind::parse:
        case ErrorKind::schema:
        case ErrorKind::limit:
        case ErrorKind::escape:
        case ErrorKind::loop:
        case ErrorKind::not_found:
        case ErrorKind::bad_path:
            return OutcomeKind::policy_error;
        case ErrorKind::symlink_refused:
        case ErrorKind::unenforceable:
            return OutcomeKind::needs_approval;
        case ErrorKind::unsupported:
        case ErrorKind::no_backend:
        case ErrorKind::os:
            return OutcomeKind::unavailable;
        // Not "no backend can run here": this host can, sbxrun lacked the descriptors or
        // memory this run needs (a smaller policy, or a higher `ulimit -Hn`, fixes it).
        case ErrorKind::resource:
            return OutcomeKind::setup_failed;
        // A bug in sbxrun: nothing ran, so 125, and "usage_error" is the outcome that promises
        // the least about the cause; the reason says it was internal.
        case ErrorKind::internal:
            return OutcomeKind::usage_error;
    }
    return OutcomeKind::usage_error;
}

Outcome of_kind(OutcomeKind k) {
    Outcome o;
    o.kind = k;
    o.exit_code = exit_code_for(k);
    return o;
}

std::vector<std::string> printable_each(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    out.reserve(lines.size());
    for (const auto& l : lines) out.push_back(printable(l));
    return out;
}

// Empty means "does not apply": the document says null rather than "".
nlohmann::ordered_json string_or_null(const std::string& s) {
    if (s.empty()) return nullptr;
    return s;
}

}  // namespace

Outcome outcome_from_error(const Error& e) {
    Outcome o = of_kind(kind_for(e.kind));
    o.reason = e.render();
    if (e.kind == ErrorKind::internal) o.reason = "internal error: " + o.reason;
    o.path = e.path;
    o.symlink = e.symlink;
    o.target = e.target;
    o.suggestion = e.suggestion;
    return o;
}

Outcome outcome_exited(int status) {
    Outcome o = of_kind(OutcomeKind::exited);
    // What a parent sees of exit(status): the low 8 bits.
    o.exit_code = status & 0xff;
    return o;
}

Outcome outcome_signaled(int signal) {
    Outcome o = of_kind(OutcomeKind::signaled);
    o.signal = signal;
    o.exit_code = 128 + (signal & 0x7f);
    o.reason = "the command was killed by signal " + std::to_string(signal);
    if (const char* abbrev = sigabbrev_np(signal); abbrev != nullptr) {
        o.reason += " (SIG";
        o.reason += abbrev;
        o.reason += ")";
    }
    return o;
}

std::string status_json(const Outcome& o) {
    // ordered_json keeps the spec's field order, which makes the document easy to read by eye.
    nlohmann::ordered_json j;
    j["sbxrun_status"] = 1;
    j["outcome"] = to_string(o.kind);
    j["exit_code"] = o.exit_code;
    j["signal"] = o.signal ? nlohmann::ordered_json(*o.signal) : nlohmann::ordered_json(nullptr);
    j["backend"] = string_or_null(o.backend);
    // One line for the caller's prompt (sbxrun(1)): a name the sandbox chose cannot break it.
    j["reason"] = string_or_null(printable(o.reason));
    j["path"] = string_or_null(o.path);
    j["symlink"] = string_or_null(o.symlink);
    j["target"] = string_or_null(o.target);
    j["suggestion"] = string_or_null(printable(o.suggestion));
    // Extension (issue 15): a policy layer for the harness to offer; paths in it are plain.
    j["suggestion_policy"] = string_or_null(o.suggestion_policy);
    // Sentences for a person, with paths in them: escaped as on stderr, here and nowhere else.
    j["approximated"] = printable_each(o.approximated);
    j["weakened"] = printable_each(o.weakened);
    j["fallback"] = printable_each(o.fallback);  // extension: why earlier backends were not used
    // What the sandbox refused the command, as far as sbxrun saw it (sbxrun(1), STATUS
    // DOCUMENT): names, addresses and connections, then the file system.
    nlohmann::ordered_json network = nlohmann::ordered_json::array();
    for (const auto& host : o.refused_lookups) {
        network.push_back(
            {{"op", "resolve"},
             {"host", printable(host)},
             {"why", o.proxy.active ? "network.mode is \"allowlist\": names are resolved by "
                                      "the proxy, not inside the sandbox; answered \"no such "
                                      "name\""
                                    : "network.mode is \"none\": answered \"no such name\""}});
    }
    for (const auto& d : o.proxy.refused) {
        network.push_back({{"op", "connect"},
                           {"host", printable(d.host)},
                           {"port", d.port},
                           {"rule", printable(d.rule)},
                           {"count", d.count},
                           {"why", printable(d.why)}});
    }
    for (const auto& d : o.direct_denials) {
        if (d.op == "socket") {
            network.push_back({{"op", d.op},
                               {"family", d.family},
                               {"rule", "network.mode"},
                               {"count", d.count},
                               {"why", d.why}});
            continue;
        }
        network.push_back({{"op", d.op},
                           {"host", d.host},
                           {"port", d.port},
                           {"rule", "network.mode"},
                           {"count", d.count},
                           {"why", d.why}});
    }
    nlohmann::ordered_json filesystem = nlohmann::ordered_json::array();
    for (const auto& d : o.fs_denials) {
        // printable(): a path the command chose must not reorder what a harness shows
        // (bidi and C1 controls as \xHH / \uXXXX, like the network names; twelfth review).
        filesystem.push_back({{"op", d.op},
                              {"path", printable(d.path)},
                              {"count", d.count},
                              {"why", d.why},
                              {"rule", string_or_null(d.rule)}});
    }
    // Never complete: some refusals reach nobody (reads of denied paths under Landlock or
    // without /dev/fuse, sockets refused at socket(): sbxrun(1)).
    j["denials"] = {{"complete", false},
                    {"filesystem", std::move(filesystem)},
                    {"network", std::move(network)},
                    {"dropped", o.lookups_dropped + o.proxy.dropped + o.fs_dropped}};
    if (o.proxy.active) {
        nlohmann::ordered_json connections = nlohmann::ordered_json::array();
        for (const auto& d : o.proxy.connections) {
            nlohmann::ordered_json c = {{"host", printable(d.host)},
                                        {"port", d.port},
                                        {"count", d.count},
                                        {"bytes_up", d.bytes_up},
                                        {"bytes_down", d.bytes_down}};
            if (!d.why.empty()) c["why"] = printable(d.why);
            connections.push_back(std::move(c));
        }
        j["network"] = {{"proxy", o.proxy_url},
                        {"socks_proxy", o.proxy.socks_url},
                        {"connections", std::move(connections)}};
    }
    j["unchecked"] = printable_each(o.unchecked);
    j["duration_ms"] = o.duration_ms;
    // Paths are bytes, JSON is UTF-8: invalid sequences become U+FFFD instead of throwing,
    // so the document is written on every path, however odd the file names involved.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace sbx
