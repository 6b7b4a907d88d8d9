// Errors carried as values. One closed set of kinds, rendered once, in main.
//
// Library code in sbxrun never prints and never throws across a layer boundary: every stage
// returns Result<T>, and the first failure travels up with enough context (path, errno, the
// policy rule it came from) for main to write one clear paragraph and pick the exit code.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sbx {

// Where a value came from in the policy: file, line (TOML only; 0 when unknown) and key path,
// e.g. {"p.toml", 14, "filesystem.protect[1]"}. Empty file means the built-in default.
struct Origin {
    std::string file;
    int line = 0;
    std::string key;

    [[nodiscard]] bool empty() const { return file.empty() && key.empty(); }
    // "p.toml:14: filesystem.protect[1]" (parts that are unknown are left out).
    [[nodiscard]] std::string to_string() const;
};

enum class ErrorKind {
    usage,            // bad command line                                   -> 125 usage_error
    parse,            // policy file is not valid TOML/JSON                  -> 125 policy_error
    schema,           // policy is well-formed but wrong (key, type, value)  -> 125 policy_error
    limit,            // a user-controlled size is over its limit            -> 125 policy_error
    symlink_refused,  // a protected path cannot be enforced as written here -> 122 needs_approval
    unenforceable,    // a backend cannot express the policy here           -> 122 needs_approval
    escape,           // a path resolves outside where it must stay          -> 125 policy_error
    loop,             // symlink loop or over-long chain                    -> 125 policy_error
    not_found,        // a path that must exist does not                    -> 125 policy_error
    bad_path,         // a policy path cannot be resolved (ENOTDIR, EACCES)  -> 125 policy_error
    unsupported,      // the host lacks a feature the run needs              -> 121 unavailable
    no_backend,       // no backend can run on this host                     -> 121 unavailable
    os,               // a system call failed unexpectedly                    -> 121 unavailable
    resource,         // sbxrun itself ran out of fds, memory, argv space...  -> 123 setup_failed
    internal,         // a bug in sbxrun                                       -> 125 (never abort)
};

[[nodiscard]] const char* to_string(ErrorKind kind);

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string message;  // one sentence, no "sbxrun:" prefix, no trailing period needed
    int sys_errno = 0;    // errno of the failing call, 0 when none
    std::string path;     // the path concerned, if any
    Origin origin;        // the policy rule concerned, if any

    // Extra context for refusals, copied into the status document (spec section 5).
    std::string symlink;
    std::string target;
    std::string suggestion;
    // Lines printed under the message on stderr, indented, each made printable on its own (a
    // list such as each backend's reason for not running). Not in the status document's
    // `reason`: what they list has fields of its own there (e.g. `fallback`).
    std::vector<std::string> details;

    Error() = default;
    Error(ErrorKind k, std::string msg) : kind(k), message(std::move(msg)) {}

    Error& with_path(std::string p) & { path = std::move(p); return *this; }
    Error&& with_path(std::string p) && { path = std::move(p); return std::move(*this); }
    Error& with_errno(int e) & { sys_errno = e; return *this; }
    Error&& with_errno(int e) && { sys_errno = e; return std::move(*this); }
    Error& with_origin(Origin o) & { origin = std::move(o); return *this; }
    Error&& with_origin(Origin o) && { origin = std::move(o); return std::move(*this); }

    // "p.toml:14: filesystem.protect[1]: <message>: <strerror>" — without the "sbxrun:" prefix.
    [[nodiscard]] std::string render() const;
};

// Whether `err` says sbxrun (not the host, not the policy) ran out of something: descriptors,
// memory, argument space, disk for its placeholders. Another backend would fail the same way,
// so such an error is final (ErrorKind::resource), never a reason to fall back.
[[nodiscard]] bool is_resource_errno(int err);

// An Error for a failed system call: message + errno captured at the call site. Its kind is
// ErrorKind::resource when is_resource_errno(err), ErrorKind::os otherwise.
[[nodiscard]] Error os_error(std::string what, int err, std::string path = {});

}  // namespace sbx
