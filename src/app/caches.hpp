// filesystem.caches on the host: the directory a run's private caches live in, and the
// variables that point each tool at its part of it (the tools: policy/caches.hpp).
//
//   $XDG_CACHE_HOME/sbxrun-caches/ws-<name>-<hash>/   cache_scope = "workspace" (the default)
//   $XDG_CACHE_HOME/sbxrun-caches/user/               cache_scope = "user"
//
// ($XDG_CACHE_HOME defaults to ~/.cache.) The directory is a writable root of the run; the
// host's own caches stay read-only. Beside $XDG_CACHE_HOME/sbxrun, not in it: that directory
// is protected during runs (app/own_files.hpp), and the caches must stay writable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/context.hpp"
#include "policy/policy.hpp"

namespace sbx {

struct CacheSetup {
    std::vector<std::string> tools;  // filesystem.caches, in order; empty: no caches
    std::string dir;                 // the private directory (absolute), when there is one
    bool ready = false;              // dir exists and is ours: the run binds it
    std::string unavailable;         // why there is no usable dir (said once), else empty
    bool no_home = false;            // unavailable because the home (or $XDG_CACHE_HOME)
                                     // does not exist: a system user's, said only with -v
    std::vector<std::pair<std::string, std::string>> env;  // variable, value (set when ready)
};

// With `create` (a run), makes the directory (mode 0700) when it is missing, one component at
// a time without following a symlink, and uses it only when it is ours and only we can write
// it. Without (--explain), only looks. Never an error: a run without its caches still runs.
[[nodiscard]] CacheSetup prepare_caches(const FilesystemPolicy& fs, const HostContext& host,
                                        bool create);

// The plan's rule for the directory (PlanOptions::private_roots), when it is ready.
[[nodiscard]] std::vector<PathRule> cache_roots(const CacheSetup& caches);

// The places cache_protections keeps read-only, whether or not a writable root holds them.
[[nodiscard]] std::vector<PathRule> cache_places(const CacheSetup& caches, const HostContext& host);

// Read-only for the run, where a writable root holds them (the workspace is $HOME, or $HOME
// lies in ${tmpdir}), whether this run's private cache is usable or not: the other scopes'
// private caches (a command must not poison another
// workspace's, which a later sandboxed install there would use with that workspace writable),
// and each listed tool's own cache in $HOME, present or missing (what the user's next install
// outside the sandbox would run). For PlanOptions::extra_protect; the run's own directory, a
// private root, stays writable.
[[nodiscard]] std::vector<PathRule> cache_protections(const CacheSetup& caches,
                                                      const FilesystemPolicy& fs,
                                                      const HostContext& host);

}  // namespace sbx
