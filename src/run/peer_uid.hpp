// Who holds the other end of a TCP connection on the host's loopback: the allowlist proxy's
// check, under Landlock, that a client is one of this user's programs (run/allowlist_proxy.cpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace sbx {

// The owner (uid) of the client socket 127.0.0.1:client_port connected to
// 127.0.0.1:server_port, asked of the kernel through NETLINK_SOCK_DIAG for that one socket:
// one round trip, where reading /proc/net/tcp costs time in proportion to every TCP socket
// of the host (7 ms a connection once a benchmark's TIME_WAIT sockets piled up: issue 13's
// latency goal is 0.3 ms). nullopt when the kernel has no such socket or cannot be asked.
[[nodiscard]] std::optional<uid_t> loopback_peer_uid(std::uint16_t client_port,
                                                     std::uint16_t server_port);

}  // namespace sbx
