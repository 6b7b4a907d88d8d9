// Loading policies: discovery, parsing (TOML or JSON, one schema), validation, merging.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// The built-in default policy (spec section 2): everything readable, workspace and tmpdir
// writable, .git/.codex/.agents protected, no network.
[[nodiscard]] Policy default_policy(const ExpandContext& ctx);

// Parse one policy document (TOML or JSON by `name`'s extension, or by content when neither)
// and apply it on top of `base` key by key; lists replace. `name` is used in messages.
[[nodiscard]] Result<Policy> apply_policy_text(const Policy& base, const std::string& text,
                                               const std::string& name, const ExpandContext& ctx,
                                               const PolicyLimits& limits = {});

// Read and apply each file in order over the built-in default.
[[nodiscard]] Result<Policy> load_policy_files(const std::vector<std::string>& files,
                                               const ExpandContext& ctx,
                                               const PolicyLimits& limits = {});

// Read and apply each file in order over `base` (e.g. an imported policy, see import.hpp).
[[nodiscard]] Result<Policy> load_policy_files(const Policy& base,
                                               const std::vector<std::string>& files,
                                               const ExpandContext& ctx,
                                               const PolicyLimits& limits = {});

// Read a policy (or imported) file, at most limits.max_file_bytes; pipes work too.
// ENOENT/ENOTDIR: ErrorKind::not_found; other failures: ErrorKind::os with errno.
[[nodiscard]] Result<std::string> read_policy_file(const std::string& path,
                                                   const PolicyLimits& limits);

// Discovery when no --policy is given: $SBXRUN_POLICY, then <workspace>/.sbxrun.toml, then
// $XDG_CONFIG_HOME/sbxrun/policy.toml (or ~/.config/...); nullopt for the built-in default.
// `getenv` values come from ctx.env. It says where the file was found: a workspace policy is
// applied only when trusted (see trust.hpp, load_workspace_policy); the other two are the
// user's own choice.
enum class PolicySource { environment, workspace, user };
struct DiscoveredPolicy {
    std::string path;
    PolicySource source = PolicySource::user;
};
[[nodiscard]] std::optional<DiscoveredPolicy> discover_policy(const ExpandContext& ctx);

// The effective policy written back as a policy document (for --print-policy and
// --explain-format json). Paths are written expanded (with `$` escaped as `$$`), so reading the
// output again, with any ExpandContext, gives the same Policy up to origins. The TOML form
// notes after each value the file and line it came from.
[[nodiscard]] std::string policy_to_toml(const Policy& policy);
[[nodiscard]] std::string policy_to_json(const Policy& policy);

}  // namespace sbx
