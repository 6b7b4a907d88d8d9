// The policy, version 1 (spec section 3), as typed data.
//
// A Policy is what every later stage reads. It is produced by load_policy() from zero or more
// files layered over the built-in default; every value keeps the Origin it came from, so a later
// refusal can name "p.toml:14: filesystem.protect[1]".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/host_pattern.hpp"
#include "util/error.hpp"

namespace sbx {

enum class SymlinkMode { pin, escalate, follow };
enum class MissingProtected { block, ignore };
// filesystem.git: `.git` read-only (protect), or writable for commits with what makes git run
// code kept read-only (commit; plan/protect_git.cpp).
enum class GitMode { protect, commit };
// filesystem.cache_scope: one private cache directory per workspace, or one for all the
// user's runs (app/caches.hpp).
enum class CacheScope { workspace, user };
// allowlist: only the hosts network.allow names (and network.deny does not), through sbxrun's
// filtering proxy (issue 13). Not enforced by any backend yet: they refuse to run it.
enum class NetworkMode { none, full, allowlist };
enum class UnixSockets { allow, block };
enum class BackendKind { bwrap, landlock };
enum class OnUnenforceable { approximate, escalate, weaken };

// A value together with the place it was set (an empty Origin means the built-in default).
template <class T>
struct Setting {
    T value{};
    Origin origin;
};

// One entry of a path list, after variable expansion.
// Where a missing relative protected name is kept from being created (filesystem.protect,
// missing_protected = "block"). Names written in a policy are blocked in every writable root;
// the names of @agent-config that host programs read only at a project's top (or in $HOME)
// are blocked only there (policy/agent_config.hpp says why, name by name).
enum class MissingScope {
    every_root,
    project,  // the workspace and $HOME, when they are writable roots
    home,     // $HOME only, when it is a writable root
    // $HOME only, and an existing one is kept read-only in $HOME only too: a name too common
    // in projects to be the set's there (a project's own bin/ is its business; ~/bin is in
    // the user's PATH).
    home_only,
    // In the directories above the workspace that a writable root holds, only (app/own_files):
    // tools that take the nearest one above where they start (Maven's .mvn, go.work, ESLint's
    // and pytest's configuration). Not in any root: a project's own are its business.
    parents,
};

struct PathRule {
    std::string text;   // as written in the policy, e.g. "${workspace}/.git" or ".codex"
    std::string path;   // expanded: absolute and lexically normalised, or a bare relative name
    bool relative_name = false;  // protect/deny only: a name applied inside every writable root
    Origin origin;
    std::string set;  // the named set this rule came from ("@agent-config"), else empty
    MissingScope missing = MissingScope::every_root;
};

// One entry of filesystem.caches: a tool policy/caches.hpp knows.
struct CacheRule {
    std::string tool;
    Origin origin;
};

struct FilesystemPolicy {
    std::vector<PathRule> read;     // visible read-only
    std::vector<PathRule> write;    // writable roots
    std::vector<PathRule> protect;  // read-only (relative names: inside every writable root)
    std::vector<PathRule> deny;     // not visible at all
    std::vector<PathRule> tmpfs;    // fresh empty writable tmpfs (extension; default empty)
    Setting<SymlinkMode> symlinks{SymlinkMode::pin, {}};
    Setting<MissingProtected> missing_protected{MissingProtected::block, {}};
    Setting<GitMode> git{GitMode::protect, {}};
    std::vector<CacheRule> caches;  // the tools whose caches are private and writable
    Setting<CacheScope> cache_scope{CacheScope::workspace, {}};
};

struct NetworkPolicy {
    Setting<NetworkMode> mode{NetworkMode::none, {}};
    // socket(AF_UNIX) allowed or refused. Unset (the built-in default) follows `mode`: refused
    // with "none", allowed with "full". Once a layer sets it, it stays as set whatever a later
    // layer does to `mode`. Read it through effective_unix_sockets().
    std::optional<Setting<UnixSockets>> unix_sockets;
    // mode = "allowlist": the domain patterns allowed and refused (deny wins; net/host_pattern.hpp
    // is the grammar) and the ports a connection may go to. Each list is replaced whole by a
    // later layer that sets it, like every list of the policy. Kept whatever the mode, so that a
    // later layer may switch mode to "allowlist" over lists set below it.
    std::vector<net::HostRule> allow;
    std::vector<net::HostRule> deny;
    Setting<std::vector<std::uint16_t>> ports{{443, 80}, {}};
};

// network.unix_sockets as enforced: the value set, else the one `mode` implies. The origin of
// an implied value is mode's (key "network.mode") for "full", the built-in default otherwise.
[[nodiscard]] Setting<UnixSockets> effective_unix_sockets(const NetworkPolicy& network);

struct ProcessPolicy {
    bool env_clear = false;
    std::vector<std::string> env_keep;   // names kept when env_clear
    std::vector<std::string> env_unset;  // names or globs (fnmatch) removed
    std::vector<std::pair<std::string, std::string>> env_set;  // in file order, later wins
    bool new_session = true;
};

struct BackendPolicy {
    std::vector<BackendKind> order{BackendKind::bwrap, BackendKind::landlock};
    std::string bwrap = "bwrap";  // path, or a name looked up in PATH
    Setting<OnUnenforceable> on_unenforceable{OnUnenforceable::approximate, {}};
};

struct Policy {
    int version = 1;
    FilesystemPolicy filesystem;
    NetworkPolicy network;
    ProcessPolicy process;
    BackendPolicy backend;
    std::vector<std::string> sources;  // files merged, in order ("<built-in>" first)
};

// What ${...} and ~ expand to. Filled by the caller from the invocation and the environment,
// so that loading stays a pure function of its inputs and is testable.
struct ExpandContext {
    std::string workspace;  // absolute
    std::string home;       // absolute ($HOME, or the passwd entry)
    std::string tmpdir;     // $TMPDIR or /tmp
    std::vector<std::pair<std::string, std::string>> env;  // for ${env:NAME}

    // The value of NAME in `env` (later entries win, as with putenv over an inherited
    // environment), or nullptr when it is not set.
    [[nodiscard]] const std::string* env_var(std::string_view name) const;
};

// Limits on everything a user controls in a policy (spec: "absurd sizes" are errors).
struct PolicyLimits {
    std::size_t max_file_bytes = 4u << 20;     // one policy file
    std::size_t max_list_entries = 65536;      // any one list
    std::size_t max_path_bytes = 4095;         // PATH_MAX - 1, after expansion
    std::size_t max_depth = 16;                // table/array nesting
    std::size_t max_files = 64;                // --policy given this many times
};

[[nodiscard]] const char* to_string(SymlinkMode m);
[[nodiscard]] const char* to_string(MissingProtected m);
[[nodiscard]] const char* to_string(GitMode m);
[[nodiscard]] const char* to_string(CacheScope s);
[[nodiscard]] const char* to_string(NetworkMode m);
[[nodiscard]] const char* to_string(UnixSockets u);
[[nodiscard]] const char* to_string(BackendKind b);
[[nodiscard]] const char* to_string(OnUnenforceable o);

}  // namespace sbx
