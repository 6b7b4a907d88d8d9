// What the installed bubblewrap can do, learnt from `bwrap --version` and `bwrap --help`
// (never from its error messages), cached on disk keyed by the binary's identity so that an
// upgrade invalidates the cache and the normal path runs no probe process at all.
#pragma once

#include <string>

#include "util/result.hpp"

namespace sbx {

struct BwrapInfo {
    std::string path;        // absolute path of the binary
    std::string version;     // "0.8.0"
    bool setuid = false;     // installed setuid root (then --cap-add/--unshare-user differ)
    bool bind_fd = false;    // --bind-fd / --ro-bind-fd
    bool json_status_fd = false;
    bool disable_userns = false;
    bool args_fd = false;    // --args FD
    bool perms = false;      // --perms
    bool size = false;       // --size
    bool chmod = false;      // --chmod
    bool clearenv = false;
    bool die_with_parent = false;
    bool new_session = false;
    bool cap_add = false;
};

// Find `name_or_path` (a path, or a name looked up in PATH from `path_env`), then return its
// features, from the cache when the binary's (dev, ino, size, mtime) match, else by running it.
// Errors: ErrorKind::no_backend when not found / not executable / its --help cannot be read.
[[nodiscard]] Result<BwrapInfo> probe_bwrap(const std::string& name_or_path,
                                            const std::string& path_env,
                                            const std::string& cache_dir);

// Parse `bwrap --help` output into feature flags (pure; unit-tested on captured texts).
void parse_bwrap_help(const std::string& help_text, BwrapInfo& info);

}  // namespace sbx
