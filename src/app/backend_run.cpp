#include "app/backend_run.hpp"

#include <cerrno>
#include <cstring>

#include "run/environment.hpp"

namespace sbx {

const Backend& backend_of(BackendKind kind) {
    static const Backend bwrap{BackendKind::bwrap, preview_bwrap, run_bwrap};
    static const Backend landlock{BackendKind::landlock, preview_landlock, run_landlock};
    return kind == BackendKind::bwrap ? bwrap : landlock;
}

Attempt supervise(const RunContext& ctx, Launch& launch, Channels& channels,
                  const std::string& what, const std::vector<std::string>& approximated,
                  const std::vector<std::string>& weakened) {
    Attempt a;
    if (ctx.inv.timeout_seconds) {
        launch.timeout = std::chrono::milliseconds(
            static_cast<long long>(*ctx.inv.timeout_seconds * 1000.0 + 0.5));
    }
    if (ctx.before_start) ctx.before_start(approximated, weakened);
    auto exit = run_sandbox(launch, channels);
    if (!exit.ok()) {
        a.why = std::move(exit).error();
        // sbxrun's own failure (out of descriptors in the middle of the spawn, say) once the
        // command may have started: final, whatever it was, so that nothing runs it again.
        if (command_may_have_started(channels)) {
            a.why = Error(is_resource_errno(a.why.sys_errno) ? ErrorKind::resource
                                                             : ErrorKind::internal,
                          what +
                              ": sbxrun lost track of the run after the command may have "
                              "started: " +
                              a.why.message)
                        .with_errno(a.why.sys_errno);
        }
        return a;
    }
    if (exit->kind == SandboxExit::Kind::setup_failed) {
        // bwrap (or the inner stage) ran out of descriptors or memory: the next backend would
        // need as many, so this is sbxrun's setup failing (123), not a backend missing here.
        // Their messages end in strerror(), which is all that is left of the errno.
        for (int err : {EMFILE, ENFILE, ENOMEM, E2BIG}) {
            if (exit->message.find(std::strerror(err)) == std::string::npos) continue;
            a.why = Error(ErrorKind::resource,
                          what + " failed before the command started: " + exit->message)
                        .with_errno(err);
            return a;
        }
        a.why = Error(ErrorKind::no_backend,
                      what + " failed before the command started" +
                          (exit->message.empty() ? std::string() : ": " + exit->message));
        return a;
    }
    a.ran = true;
    a.exit = std::move(exit).value();
    return a;
}

std::vector<std::string> command_environment(const RunContext& ctx) {
    EnvironmentExtras extras;
    extras.no_unix_sockets = effective_unix_sockets(ctx.policy.network).value == UnixSockets::block;
    extras.no_network = ctx.plan.network == NetworkMode::none;
    if (ctx.caches.ready) extras.caches = ctx.caches.env;
    return sandbox_environment(ctx.policy.process, ctx.host.environ, extras);
}

Result<std::unique_ptr<AllowlistProxy>> allowlist_proxy_for(const RunContext& ctx,
                                                            AllowlistProxy::Listen listen) {
    if (ctx.plan.network != NetworkMode::allowlist) return std::unique_ptr<AllowlistProxy>();
    auto hosts = static_hosts_from_environment();
    if (!hosts.ok()) return std::move(hosts).error();
    return AllowlistProxy::prepare(ctx.policy.network, std::move(hosts).value(), listen);
}

}  // namespace sbx
