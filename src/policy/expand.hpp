// Variables in policy paths, and turning a written path into a PathRule.
#pragma once

#include <string>
#include <string_view>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// Expand `~` / `~/...` at the start, ${workspace}, ${home}, ${tmpdir}, ${env:NAME}; `$$` is a
// literal `$` (so any path can be written back out, see serialize.cpp); a `$` followed by
// anything else is literal. Errors (ErrorKind::schema, no origin): unknown variable, unset
// environment variable, unterminated ${, ~user.
[[nodiscard]] Result<std::string> expand_variables(std::string_view text, const ExpandContext& ctx);

// Where a path list allows relative entries.
enum class PathListKind {
    absolute_only,  // read, write, tmpfs: must be absolute after expansion
    names_allowed,  // deny: a relative entry is a name applied inside writable roots
    protect_names,  // protect: the same, and "@agent-config" names a set (agent_config.hpp)
};

// Expand and check one path-list entry. The error carries `origin`.
[[nodiscard]] Result<PathRule> make_path_rule(const std::string& text, const Origin& origin,
                                              PathListKind kind, const ExpandContext& ctx,
                                              const PolicyLimits& limits);

}  // namespace sbx
