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
    std::string cache_dir;             // $XDG_CACHE_HOME/sbxrun or ~/.cache/sbxrun
    std::string path_env;              // $PATH (for finding bwrap)
};

[[nodiscard]] Result<HostContext> host_context(const Invocation& inv, char** envp);

}  // namespace sbx
