// connect(2) under Landlock with network.mode = "allowlist": sbxrun performs it, to the proxy
// only.
//
// Landlock's TCP rules match a port, not an address: with only the proxy's port allowed, the
// command could still connect to that port number on any host it can route to (an exfiltration
// server listening on every port). So the Landlock backend's second filter
// (inner/metadata_filter.hpp) sends every connect(2) to sbxrun, which takes the socket
// (pidfd_getfd), and for an IP socket reads the address once, compares it with the proxy's own
// (127.0.0.1, or ::ffff:127.0.0.1 on an IPv6 socket, at its port) and connects its copy of the
// socket itself to the address it checked: the command's socket is the same open file. Any
// other address is refused (EACCES, what Landlock answers) and noted for the denial report
// (denials.network, op "connect"). A connection made in TCP Fast Open's way (MSG_FASTOPEN on
// sendto/sendmsg/sendmmsg), which would pass no connect(2), is refused by the filter
// (EOPNOTSUPP, as a kernel without it answers).
//
// Never SECCOMP_USER_NOTIF_FLAG_CONTINUE for an IP socket: the kernel would read the address
// again, after the command had a chance to change it. A socket of another family is not
// sbxrun's to connect (it would do so with sbxrun's own reach): with unix sockets refused by the
// policy the only ones are socketpair()'s, already connected, and connect(2) on them is refused
// (EACCES) without the kernel; with unix sockets allowed it goes on to the kernel, and a command
// that swaps the descriptor for an IP socket in between reaches the proxy's port on another host,
// as without this guard (the compile lists that as approximated).
//
// A blocking connect is made without blocking sbxrun's loop (which also runs the proxy): the
// socket is made non-blocking for the call and restored, and the answer waits at most a second
// for the handshake, which on loopback completes in the kernel without the proxy's accept.
#pragma once

#include <linux/seccomp.h>
#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "inner/denial_log.hpp"

namespace sbx {

struct ConnectGuard {
    std::uint16_t proxy_port = 0;  // the proxy's port on 127.0.0.1
    bool unix_refused = true;      // network.unix_sockets: socket(AF_UNIX) is refused

    // Whether an IP socket of `domain` may connect to `sa` (`len` bytes): the proxy's address,
    // or AF_UNSPEC (which dissolves a connection and reaches nothing).
    [[nodiscard]] bool allows(int domain, const sockaddr_storage& sa, std::size_t len) const;
};

// Answer the notification `n` (already received) of a connect(2). Never fails: a notification
// whose process is gone is dropped, anything else gets an answer.
void answer_connect_call(int listener, const seccomp_notif& n, const ConnectGuard& guard,
                         DenialLog* log) noexcept;

}  // namespace sbx
