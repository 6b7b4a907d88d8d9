// The named set `@agent-config` (filesystem.protect): the names in a writable root through
// which a program on the host takes code or instructions the next time it runs there, so that
// a sandboxed command that writes them would act outside the sandbox later. The table in
// agent_config.cpp says, for each name, which host program reads it and what it runs from it;
// sbxrun-policy(5) prints the same table.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

inline constexpr std::string_view kAgentConfigSet = "@agent-config";

struct AgentConfigName {
    std::string_view name;
    // Where a *missing* name must be kept from being created: every writable root for the
    // names host programs look up in every parent directory (git's .git, direnv's .envrc);
    // the workspace and $HOME for the ones an agent or tool reads at a project's top; $HOME
    // alone for the shells' start-up files and the like (a .bashrc made in a project or in
    // $TMPDIR is read by nobody). An existing name is protected in every writable root either
    // way: that costs one read-only bind, no placeholder.
    MissingScope missing;
    std::string_view reader;  // which host program runs what from it (the man page's line)
};

[[nodiscard]] std::span<const AgentConfigName> agent_config_names();

// A protect entry that names a set ("@agent-config") expanded into one rule per name, each
// with `origin` and `set` filled in. Errors (ErrorKind::schema, with `origin`): an unknown set.
[[nodiscard]] Result<std::vector<PathRule>> expand_protect_set(std::string_view text,
                                                               const Origin& origin);

}  // namespace sbx
