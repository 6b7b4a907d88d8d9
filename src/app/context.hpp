// The host facts a run starts from: environment, workspace, home, tmpdir.
#pragma once

#include <cstdint>
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
    // Where a bare backend.bwrap ("bwrap") is looked up: the system's directories, never the
    // caller's $PATH (context.cpp says why).
    std::string bwrap_search_path;
    std::uint64_t nofile_soft = 0;     // the caller's soft RLIMIT_NOFILE, for the command
                                       // (0: sbxrun did not change it)
};

// Raise sbxrun's soft RLIMIT_NOFILE to the hard limit, as systemd does at start: a plan holds
// one descriptor per rule (and bwrap inherits them all), so 1024 is met by an ordinary long
// policy. Returns the soft limit before, which the command gets back (InnerSpec::nofile_soft),
// or 0 when it was already at the hard limit or could not be changed (then nothing changes).
[[nodiscard]] std::uint64_t raise_nofile_limit();

[[nodiscard]] Result<HostContext> host_context(const Invocation& inv, char** envp);

}  // namespace sbx
