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
// that swaps the descriptor for an IP socket in between reaches the proxy's port at another
// address, as without this guard (the compile lists that as approximated; the thirty-third
// review won the race in 54 ms).
//
// A blocking connect never blocks sbxrun's loop (which also runs the proxy and the --timeout):
// the socket is made non-blocking for the call and restored, and the answer waits in
// PendingConnects until the handshake ends, however long the kernel takes (the thirty-third
// review stalled the loop a second per connect of an earlier version, which waited in place).
#pragma once

#include <linux/seccomp.h>
#include <sys/socket.h>

#include <cstdint>
#include <unordered_map>

#include "inner/denial_log.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// The blocking connects sbxrun made whose handshake has not ended: each answered when its
// socket becomes writable (SO_ERROR), from the supervision loop, which polls fd().
class PendingConnects {
public:
    static constexpr std::size_t kMax = 1024;  // one per command thread blocked in connect(2)

    PendingConnects();
    [[nodiscard]] int fd() const { return epoll_.get(); }  // readable when one has ended
    [[nodiscard]] bool empty() const { return pending_.empty(); }
    // Keep `sock` until its handshake ends; false (nothing kept) when kMax are pending or the
    // socket cannot be watched: the caller answers at once.
    [[nodiscard]] bool add(std::uint64_t id, UniqueFd sock);
    // Answer every notification whose handshake has ended, on `listener`.
    void answer_ended(int listener) noexcept;

private:
    UniqueFd epoll_;
    std::unordered_map<int, std::pair<std::uint64_t, UniqueFd>> pending_;  // fd -> (id, socket)
};

struct ConnectGuard {
    std::uint16_t proxy_port = 0;  // the proxy's port on 127.0.0.1
    bool unix_refused = true;      // network.unix_sockets: socket(AF_UNIX) is refused

    // Whether an IP socket of `domain` may connect to `sa` (`len` bytes): the proxy's address,
    // or AF_UNSPEC (which dissolves a connection and reaches nothing).
    [[nodiscard]] bool allows(int domain, const sockaddr_storage& sa, std::size_t len) const;
};

// Answer the notification `n` (already received) of a connect(2), now or, for a blocking
// connect still in its handshake, through `pending`. Never fails: a notification whose process
// is gone is dropped, anything else gets an answer.
void answer_connect_call(int listener, const seccomp_notif& n, const ConnectGuard& guard,
                         PendingConnects& pending, DenialLog* log) noexcept;

}  // namespace sbx
