// The trust store for workspace policies (<workspace>/.sbxrun.toml).
//
// A workspace policy is writable by the very commands it constrains and is written by whoever
// authored the repository, so discovery applies it only when its bytes equal a copy the user
// approved with --trust-policy. The copies live outside every workspace, in
// $XDG_CONFIG_HOME/sbxrun/trusted/ (~/.config/... by the XDG rules), one file per policy, named
// by the percent-encoded canonical path of the policy file. No printing here.
#pragma once

#include <optional>
#include <string>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// The name every workspace policy has.
inline constexpr const char* kWorkspacePolicyName = ".sbxrun.toml";

// $XDG_CONFIG_HOME/sbxrun (~/.config/sbxrun when XDG_CONFIG_HOME is unset, empty or relative;
// $HOME from ctx.env, else ctx.home). Empty when no home is known.
[[nodiscard]] std::string user_config_dir(const ExpandContext& ctx);

// <user_config_dir>/trusted, or empty.
[[nodiscard]] std::string trust_store_dir(const ExpandContext& ctx);

// A workspace policy file as trust sees it: its bytes and its key, both taken through one
// descriptor of its directory, so the bytes compared (or stored) are the bytes of the file the
// key names, whatever is renamed meanwhile. The key is the directory's canonical path (what
// that descriptor is, by /proc/self/fd) joined with the file's own name, which is not followed,
// so a .sbxrun.toml that is a symlink is trusted for this place only. `path` must be absolute.
// Fails (ErrorKind::not_found/usage, with errno) when the directory or file cannot be read,
// ErrorKind::limit when the file is too large.
struct TrustCandidate {
    std::string text;
    std::string key;
};
[[nodiscard]] Result<TrustCandidate> read_trust_candidate(const std::string& path,
                                                          const PolicyLimits& limits = {});

// The store's file name for a key: every byte except A-Z a-z 0-9 - . _ ~ as %XX (upper-case
// hex), so '/' is %2F and the mapping cannot be reversed ambiguously. Fails (ErrorKind::limit)
// when the name would exceed NAME_MAX (255 bytes).
[[nodiscard]] Result<std::string> trust_entry_name(const std::string& key);

// The trusted copy for `key` in `store` (a directory), or nullopt when there is none (neither
// the store nor the entry exists). A store or entry that is a symlink, not a directory / not a
// regular file, or a store writable by others, is an error (ErrorKind::usage) rather than
// "not trusted": someone tampered with it, and the user should know.
[[nodiscard]] Result<std::optional<std::string>> read_trusted_copy(const std::string& store,
                                                                   const std::string& key,
                                                                   const PolicyLimits& limits);

// Store `text` as the trusted copy for `key`: creates `store` (and its parent) with mode 0700
// when missing, never following a symlink at either, then writes a 0600 temporary file and
// renames it over the entry. Returns the entry's path.
[[nodiscard]] Result<std::string> store_trusted_copy(const std::string& store,
                                                     const std::string& key,
                                                     const std::string& text);

// Create `store` (and its parent) with mode 0700 if missing, as store_trusted_copy does.
[[nodiscard]] Status ensure_trust_store(const std::string& store);

// Discovery's use of a workspace policy: read `path` once, compare those bytes with the trusted
// copy in `store`, and apply them over the built-in default only when they are identical.
// Otherwise ErrorKind::unenforceable (exit 122, needs_approval) naming the file, with the
// --trust-policy command as the suggestion.
[[nodiscard]] Result<Policy> load_workspace_policy(const std::string& path,
                                                   const std::string& store,
                                                   const ExpandContext& ctx,
                                                   const PolicyLimits& limits = {});

}  // namespace sbx
