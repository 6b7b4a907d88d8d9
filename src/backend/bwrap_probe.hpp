// What the installed bubblewrap can do, learnt from `bwrap --version` and `bwrap --help`
// (never from its error messages), cached on disk keyed by the binary's identity so that an
// upgrade invalidates the cache and the normal path runs no probe process at all.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sbx {

struct BwrapInfo {
    std::string path;      // absolute path of the binary
    std::string version;   // "0.8.0"
    bool setuid = false;   // installed setuid root (then --cap-add/--unshare-user differ)
    bool bind_fd = false;  // --bind-fd / --ro-bind-fd
    bool json_status_fd = false;
    bool disable_userns = false;
    bool args_fd = false;  // --args FD
    bool perms = false;    // --perms
    bool size = false;     // --size
    bool chmod = false;    // --chmod
    bool clearenv = false;
    bool die_with_parent = false;
    bool new_session = false;
    bool as_pid_1 = false;  // --as-pid-1: the payload is the pid namespace's init
    bool cap_add = false;
};

// A test on an executable's resolved path: true to leave it alone.
using ExecutablePredicate = std::function<bool(const std::string& real_path)>;

// Find `name_or_path` (a path, or a name looked up in PATH from `path_env`), then return its
// features, from the cache when the binary's (dev, ino, size, mtime) match, else by running it.
// `planted`: true for a place a sandboxed command could have written (the run's writable
// roots); a bwrap there is never run, and the PATH lookup goes on past it.
// Errors: ErrorKind::no_backend when not found / not executable / only where `planted` says /
// its --help cannot be read.
[[nodiscard]] Result<BwrapInfo> probe_bwrap(const std::string& name_or_path,
                                            const std::string& path_env,
                                            const std::string& cache_dir,
                                            const ExecutablePredicate& planted = {});

// Make the feature cache's directory (mode 0700) without following a symlink on the way; true
// when it exists, is ours and only we can write it. sbxrun makes it before a run whose writable
// roots hold it, so that it can be protected for the run.
[[nodiscard]] bool ensure_bwrap_cache_dir(const std::string& cache_dir);

// Parse `bwrap --help` output into feature flags (pure; unit-tested on captured texts).
void parse_bwrap_help(const std::string& help_text, BwrapInfo& info);

// "bubblewrap 0.8.0\n" -> "0.8.0" ("" when there is no version-looking word).
[[nodiscard]] std::string parse_bwrap_version(const std::string& version_text);

// A short-lived helper process (bwrap --help, the doctor's start probe): run with stdin on
// /dev/null, an empty environment, no inherited fds but 0-2, stdout and stderr captured up to
// max_bytes each, killed (SIGKILL) after timeout_ms.
struct Captured {
    int exit_code = -1;  // exit status, or 128+signal
    bool timed_out = false;
    std::string out;
    std::string err;
};
[[nodiscard]] Result<Captured> run_bounded(const std::vector<std::string>& argv, int timeout_ms,
                                           std::size_t max_bytes = 64 * 1024);

// Where a bare name resolves through PATH ("" when nowhere); a name with a '/' is returned as
// is when it is an executable regular file. Candidates for which `skip` is true are passed
// over, their resolved paths added to `skipped`.
[[nodiscard]] std::string find_executable(const std::string& name_or_path,
                                          const std::string& path_env,
                                          const ExecutablePredicate& skip = {},
                                          std::vector<std::string>* skipped = nullptr);

}  // namespace sbx
