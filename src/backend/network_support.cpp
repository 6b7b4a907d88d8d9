#include "backend/network_support.hpp"

#include <string>

namespace sbx {

Status check_network_supported(NetworkMode mode, BackendKind backend, int landlock_abi) {
    if (mode != NetworkMode::allowlist || backend == BackendKind::bwrap || landlock_abi >= 4)
        return {};
    // Below ABI 4 Landlock has no TCP rules: the seccomp filter would have to let TCP sockets
    // through to reach the proxy, and then every host could be reached. No mode of
    // on_unenforceable makes that an approximation of an allowlist.
    return Error(ErrorKind::unenforceable,
                 "network.mode = \"allowlist\" under the Landlock backend needs Landlock ABI 4 "
                 "(TCP rules); this kernel has ABI " +
                     std::to_string(landlock_abi) +
                     ": run with bwrap, or use network.mode = \"none\" or \"full\"");
}

}  // namespace sbx
