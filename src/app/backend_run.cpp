#include "app/backend_run.hpp"

namespace sbx {

Attempt supervise(const RunContext& ctx, Launch& launch, Channels& channels,
                  const std::string& what) {
    Attempt a;
    if (ctx.inv.timeout_seconds) {
        launch.timeout = std::chrono::milliseconds(
            static_cast<long long>(*ctx.inv.timeout_seconds * 1000.0 + 0.5));
    }
    auto exit = run_sandbox(launch, channels);
    if (!exit.ok()) {
        a.why = std::move(exit).error();
        return a;
    }
    if (exit->kind == SandboxExit::Kind::setup_failed) {
        a.why = Error(ErrorKind::no_backend,
                      what + " failed before the command started" +
                          (exit->message.empty() ? std::string() : ": " + exit->message));
        return a;
    }
    a.ran = true;
    a.exit = std::move(exit).value();
    return a;
}

}  // namespace sbx
