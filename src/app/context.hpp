// The host facts a run starts from: environment, workspace, home, tmpdir.
#pragma once

#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

struct HostContext {
    std::vector<std::string> environ;  // "NAME=value" as sbxrun received it
    std::string cwd;                   // absolute: sbxrun's own working directory
    std::string command_cwd;           // absolute: where the command starts (-C, else cwd)
    ExpandContext expand;              // workspace, home, tmpdir, env for ${...}
    std::string workspace_source;      // why expand.workspace is what it is (app/workspace.hpp)
    std::string cache_dir;             // $XDG_CACHE_HOME/sbxrun or ~/.cache/sbxrun
    std::string path_env;              // $PATH (for finding bwrap)
};

[[nodiscard]] Result<HostContext> host_context(const Invocation& inv, char** envp);

// Look a variable up in "NAME=value" entries.
[[nodiscard]] const std::string* find_env(const std::vector<std::pair<std::string, std::string>>& env,
                                          const std::string& name);

}  // namespace sbx
