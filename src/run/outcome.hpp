// How a run ended (spec section 5): the exit-code table and the status document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/proxy_report.hpp"
#include "util/error.hpp"

namespace sbx {

enum class OutcomeKind {
    exited,               // the command's own status
    signaled,             // 128 + N
    integrity_violation,  // 120
    unavailable,          // 121
    needs_approval,       // 122
    setup_failed,         // 123: sbxrun itself ran out of descriptors, memory, argv space...
    timed_out,            // 124
    usage_error,          // 125
    policy_error,         // 125
    not_executable,       // 126
    not_found,            // 127
};

[[nodiscard]] const char* to_string(OutcomeKind k);

struct Outcome {
    OutcomeKind kind = OutcomeKind::exited;
    int exit_code = 0;                 // what sbxrun exits with
    std::optional<int> signal;         // for signaled / timed_out
    std::string backend;               // "bwrap", "landlock" or "" when nothing ran
    std::string reason;                // one line, for the caller's prompt
    std::string path, symlink, target, suggestion;
    std::vector<std::string> approximated;  // permissions given up to keep protections
    std::vector<std::string> weakened;      // protections dropped (on_unenforceable = weaken)
    std::vector<std::string> fallback;      // why earlier backends were not used
    // Name lookups answered "no such name" because network.mode is "none" (bwrap:
    // inner/dns_refuser.hpp): the status document's denials.network, and the last line on
    // stderr. `lookups_dropped`: further distinct names, counted but not kept.
    std::vector<std::string> refused_lookups;
    std::size_t lookups_dropped = 0;
    // network.mode = "allowlist" (bwrap): what the proxy refused (denials.network, op
    // "connect") and let through (network.connections). Inactive: no "network" field.
    ProxyReport proxy;
    std::string proxy_url;  // what the command's HTTP_PROXY named
    // What the sandbox refused the command's file system calls, as the entry broker saw them
    // (inner/denial_log.hpp) and the plan explains them (plan/refusal.hpp): the status
    // document's denials.filesystem and the last line on stderr.
    struct FsDenial {
        std::string op;    // "create", "write", "remove", "rename", "link", "read", "exec"...
        std::string path;  // as the sandbox saw it
        std::uint64_t count = 0;
        std::string why;        // "protected", "denied", "outside every writable root"
        std::string rule;       // rule_name() of the plan's rule; "" when none (null)
        std::string rule_text;  // the rule as written (".git"), for the line on stderr
    };
    std::vector<FsDenial> fs_denials;
    std::uint64_t fs_dropped = 0;  // refusals of further paths, counted only
    // Connections and datagrams to addresses the sandbox has no route to or may not reach, and
    // (Landlock, "none") internet sockets refused (run/direct_denials.hpp): denials.network,
    // op "connect", "send" or "socket". Bounded with fs_denials (the brokers' one log), their
    // drops counted in fs_dropped.
    struct NetDenial {
        std::string op;     // "connect", "send", "socket"
        std::string host;   // the address, without brackets ("" for "socket")
        unsigned port = 0;  // 0 for "socket"
        std::uint64_t count = 0;
        std::string why;
        std::string family;  // "inet" or "inet6" for "socket", else empty
    };
    std::vector<NetDenial> direct_denials;
    // A policy layer that would have allowed the refusals outside the writable roots
    // (app/denial_report.hpp); "" when there is nothing to suggest (null).
    std::string suggestion_policy;
    // Checks after the run that stopped at a bound before looking everywhere (the search for
    // planted git directories in a large tree): what they did not look at is not vouched for.
    // The status document's `unchecked`, so that a harness sees it without reading stderr.
    std::vector<std::string> unchecked;
    long long duration_ms = 0;
};

// The fixed exit code of an outcome kind; for exited/signaled it is computed from the status.
[[nodiscard]] int exit_code_for(OutcomeKind k);

// Outcome for an error that stopped sbxrun before or instead of running the command.
[[nodiscard]] Outcome outcome_from_error(const Error& e);

// Outcome for a command that ran: exited with `status` or was killed by `signal`.
[[nodiscard]] Outcome outcome_exited(int status);
[[nodiscard]] Outcome outcome_signaled(int signal);

// The status document: one JSON object, `"sbxrun_status": 1`, no trailing newline.
[[nodiscard]] std::string status_json(const Outcome& o);

}  // namespace sbx
