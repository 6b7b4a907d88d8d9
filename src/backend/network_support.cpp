#include "backend/network_support.hpp"

namespace sbx {

Status check_network_supported(NetworkMode mode) {
    switch (mode) {
        case NetworkMode::none:
        case NetworkMode::full:
            return {};
        case NetworkMode::allowlist:
            break;
    }
    return Error(ErrorKind::unenforceable,
                 "network.mode = \"allowlist\" is not enforced by this build yet; use "
                 "network.mode = \"none\" or \"full\"");
}

}  // namespace sbx
