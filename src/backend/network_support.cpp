#include "backend/network_support.hpp"

namespace sbx {

Status check_network_supported(NetworkMode mode, BackendKind backend) {
    if (mode != NetworkMode::allowlist || backend == BackendKind::bwrap) return {};
    return Error(ErrorKind::unenforceable,
                 "network.mode = \"allowlist\" needs the bwrap backend: Landlock has no network "
                 "namespace to put sbxrun's filtering proxy in front of; run with bwrap, or use "
                 "network.mode = \"none\" or \"full\"");
}

}  // namespace sbx
