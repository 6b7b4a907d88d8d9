// sbxrun --doctor: what this host offers each backend, which one the default policy would use,
// what that backend cannot enforce, and for each problem the commands that fix it.
//
// Probing is separated from judging and rendering: run_doctor() takes its observations through
// DoctorProbes (real ones from real_doctor_probes(), fakes in tests), so the diagnosis and both
// renderings are unit-tested without touching the host.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/bwrap_probe.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

struct DoctorProbes {
    std::function<std::string()> kernel_release;
    // The content of a /proc/sys file, trimmed; nullopt when it does not exist.
    std::function<std::optional<std::string>(const std::string&)> read_sysctl;
    std::function<Result<BwrapInfo>()> probe_bwrap;
    // One quick sandbox start with the found bwrap (`--unshare-all --ro-bind / / true`).
    std::function<Result<Captured>(const BwrapInfo&)> try_bwrap;
    std::function<int()> landlock_kernel_abi;
    std::function<int()> landlock_effective_abi;
    std::function<bool()> seccomp_available;  // filter mode with the errno action
    // How a Landlock run's processes are ended for this user (inner/teardown.hpp); optional.
    std::function<std::string()> landlock_teardown;
};

// Probes of the real host. `bwrap` is backend.bwrap of the policy (a path or a name).
// `planted`: as for probe_bwrap(), the places whose bwrap is never run.
[[nodiscard]] DoctorProbes real_doctor_probes(const std::string& bwrap, const std::string& path_env,
                                              const std::string& cache_dir,
                                              ExecutablePredicate planted = {});

struct DoctorProblem {
    std::string problem;             // one sentence
    std::vector<std::string> fixes;  // commands or steps, most specific first
};

struct DoctorReport {
    std::string kernel_release;
    // User-namespace sysctls ("" when the file does not exist on this kernel).
    std::string max_user_namespaces;
    std::string unprivileged_userns_clone;
    std::string apparmor_restrict_unprivileged_userns;

    bool bwrap_found = false;
    std::string bwrap_path;
    std::string bwrap_version;
    bool bwrap_setuid = false;
    std::vector<std::string> bwrap_features;  // "bind-fd", "json-status-fd", ...
    std::string bwrap_error;                  // why it was not found / could not be probed
    bool bwrap_starts = false;
    std::string bwrap_start_error;  // its stderr (trimmed) when it could not start

    int landlock_kernel_abi = 0;
    int landlock_abi = 0;  // effective: min(kernel, known, $SBXRUN_LANDLOCK_ABI_MAX)
    bool seccomp = false;
    std::string landlock_teardown;  // "" when not probed

    // What feeds the status document's denials.filesystem on each backend here: the entry
    // broker's observations (inner/denial_log.hpp), or why there are none. Never complete.
    std::string denials_bwrap, denials_landlock;

    std::string backend;                   // "bwrap", "landlock" or "none" for the default policy
    std::vector<std::string> limitations;  // what that backend cannot enforce here
    std::vector<DoctorProblem> problems;
};

[[nodiscard]] DoctorReport run_doctor(const DoctorProbes& probes,
                                      const std::vector<BackendKind>& order = {
                                          BackendKind::bwrap, BackendKind::landlock});

[[nodiscard]] std::string render_text(const DoctorReport& report);
[[nodiscard]] std::string render_json(
    const DoctorReport& report);  // one object, "sbxrun_doctor": 1

}  // namespace sbx
