// Running the plan on one backend. A backend either ran the command (never retried, whatever
// its status) or could not start it, with the reason the next backend's run reports.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/caches.hpp"
#include "app/context.hpp"
#include "cli/cli.hpp"
#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"
#include "run/allowlist_proxy.hpp"
#include "run/proxy_report.hpp"
#include "run/spawn.hpp"

namespace sbx {

struct RunContext {
    const Invocation& inv;
    const HostContext& host;
    const Policy& policy;
    const MountPlan& plan;
    const CacheSetup& caches;  // filesystem.caches: the variables the command gets
    // Called once the backend is about to start the command, with what it gives up: the
    // caller's warnings then come before the command's output, not after it.
    std::function<void(const std::vector<std::string>& approximated,
                       const std::vector<std::string>& weakened)>
        before_start;
    // --tty: the pty the command gets, and how sbxrun relays it (run/pty.hpp); inactive
    // (master -1) for --tty never and when stdin is not a terminal under auto.
    TtyLink tty{};
};

// The names the command looked up while the network was off (bwrap: inner/dns_refuser.hpp).
struct NetworkLookups {
    std::vector<std::string> names;  // in the order first asked, at most 64
    std::size_t dropped = 0;         // further distinct names, counted only
};

struct Attempt {
    bool ran = false;                 // the command started: `exit` is its end
    SandboxExit exit;
    Error why;                        // !ran: why this backend could not start the command
    std::vector<std::string> approximated, weakened;  // what the backend gave up (Landlock)
    NetworkLookups lookups;  // ran: the name lookups refused (network "none", bwrap)
    ProxyReport proxy;       // ran: what the allowlist proxy saw (network "allowlist", bwrap)
};

// What --explain shows for a backend: its argv and notes, or why it cannot run here.
struct Preview {
    bool available = false;
    std::vector<std::string> argv;
    std::vector<std::string> notes;
    Error why;
};

// The part both backends share: apply --timeout, run the launch, and turn "failed before the
// command started" into a reason for the next backend. `what` names the backend in it.
// `approximated` and `weakened` go to ctx.before_start just before the launch.
[[nodiscard]] Attempt supervise(const RunContext& ctx, Launch& launch, Channels& channels,
                                const std::string& what,
                                const std::vector<std::string>& approximated = {},
                                const std::vector<std::string>& weakened = {});

// A backend, as the dispatcher (app.cpp) sees it. Probing is part of both calls, not a third
// one: whether bwrap can run here, or which Landlock ABI the kernel has, decides what the
// backend would run, so a separate probe would only be asked again.
//   preview: what --explain and --check show; opens and starts nothing.
//   run: start the command, or say why this backend could not (the next one is then tried).
// The interface lives in app/, not backend/: running needs run/ (processes), and backend/ is
// the pure compile step (bwrap argv, Landlock ruleset) that tests call without a process.
struct Backend {
    BackendKind kind;
    Preview (*preview)(const RunContext& ctx);
    Attempt (*run)(const RunContext& ctx);
};

[[nodiscard]] const Backend& backend_of(BackendKind kind);

// The implementations (run_bwrap.cpp, run_landlock.cpp), reached through backend_of().
[[nodiscard]] Preview preview_bwrap(const RunContext& ctx);
[[nodiscard]] Attempt run_bwrap(const RunContext& ctx);
[[nodiscard]] Preview preview_landlock(const RunContext& ctx);
[[nodiscard]] Attempt run_landlock(const RunContext& ctx);

// The command's environment: the policy's [process] table with what the run adds to it
// (run/environment.hpp). The same for both backends.
[[nodiscard]] std::vector<std::string> command_environment(const RunContext& ctx);

// network.mode = "allowlist": the run's proxy, listening as `listen` says, made before the
// backend forks anything (run/allowlist_proxy.hpp says why); null for any other mode. Both
// backends take it from here, with the test knob SBXRUN_TEST_PROXY_HOSTS (HACKING.md).
[[nodiscard]] Result<std::unique_ptr<AllowlistProxy>> allowlist_proxy_for(
    const RunContext& ctx, AllowlistProxy::Listen listen);

}  // namespace sbx
