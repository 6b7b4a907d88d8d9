#include "run/connect_guard.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "inner/entry_perform.hpp"
#include "inner/net_observe.hpp"
#include "inner/notify_request.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// How long a blocking connect's handshake may hold sbxrun's loop.
constexpr int kHandshakeMs = 1000;

// connect(2) of `sock` to `sa` as the command's socket would make it, blocking or not, without
// blocking here for longer than kHandshakeMs: 0 or an errno value.
int connect_as_the_command(int sock, const sockaddr_storage& sa, std::size_t len) {
    const int flags = ::fcntl(sock, F_GETFL);
    if (flags < 0) return errno;
    const auto* addr = reinterpret_cast<const sockaddr*>(&sa);
    const auto alen = static_cast<socklen_t>(len);
    if ((flags & O_NONBLOCK) != 0) return ::connect(sock, addr, alen) == 0 ? 0 : errno;
    if (::fcntl(sock, F_SETFL, flags | O_NONBLOCK) != 0) return errno;
    const int r = ::connect(sock, addr, alen);
    const int err = r == 0 ? 0 : errno;
    ::fcntl(sock, F_SETFL, flags);
    if (err != EINPROGRESS) return err;
    pollfd p{sock, POLLOUT, 0};
    int n;
    do {
        n = ::poll(&p, 1, kHandshakeMs);
    } while (n < 0 && errno == EINTR);
    if (n == 0) return ETIMEDOUT;
    int so_error = 0;
    socklen_t sl = sizeof so_error;
    if (::getsockopt(sock, SOL_SOCKET, SO_ERROR, &so_error, &sl) != 0) return errno;
    return so_error;
}

int decide(NotifyRequest& rq, const ConnectGuard& guard, DenialLog* log, bool& go_on) {
    UniqueFd sock;
    if (const int err = rq.take_fd(rq.arg(0), sock); err != 0) return err;
    int domain = 0;
    socklen_t dl = sizeof domain;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_DOMAIN, &domain, &dl) != 0)
        return errno == ENOTSOCK ? ENOTSOCK : EBADF;
    if (domain != AF_INET && domain != AF_INET6) {
        if (guard.unix_refused) return EACCES;  // only socketpair()'s (see the header)
        go_on = true;
        return 0;
    }
    const std::uint64_t len = rq.arg(2);
    sockaddr_storage sa{};
    if (len > sizeof sa) return EINVAL;  // as the kernel answers
    if (len < sizeof(sa_family_t)) return EINVAL;
    if (read_mem(rq.pid(), rq.arg(1), &sa, len) != 0) return EFAULT;
    if (!rq.still_valid()) return ECANCELED;  // the caller is gone; nobody gets this answer
    if (!guard.allows(domain, sa, len)) {
        if (log != nullptr)
            if (const auto text = inet_destination(sa, len)) log->add(RefusedOp::connect, *text);
        return EACCES;
    }
    return connect_as_the_command(sock.get(), sa, len);
}

}  // namespace

bool ConnectGuard::allows(int domain, const sockaddr_storage& sa, std::size_t len) const {
    if (sa.ss_family == AF_UNSPEC) return true;
    if (proxy_port == 0) return false;
    if (domain == AF_INET && sa.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(sa);
        return ntohs(in.sin_port) == proxy_port && ntohl(in.sin_addr.s_addr) == INADDR_LOOPBACK;
    }
    constexpr std::size_t kMinIn6 = offsetof(sockaddr_in6, sin6_scope_id);
    if (domain == AF_INET6 && sa.ss_family == AF_INET6 && len >= kMinIn6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(sa);
        static constexpr unsigned char kMappedLoopback[16] = {0, 0, 0,    0,    0,   0, 0, 0,
                                                              0, 0, 0xff, 0xff, 127, 0, 0, 1};
        return ntohs(in6.sin6_port) == proxy_port &&
               std::memcmp(in6.sin6_addr.s6_addr, kMappedLoopback, 16) == 0;
    }
    return false;
}

void answer_connect_call(int listener, const seccomp_notif& n, const ConnectGuard& guard,
                         DenialLog* log) noexcept {
    int err = EPERM;
    bool go_on = false;
    try {
        NotifyRequest rq{n, listener, {}};
        // As the command: no capability of sbxrun's takes part in the connect.
        CapsCleared caps;
        err = caps.ok() ? decide(rq, guard, log, go_on) : EPERM;
    } catch (...) {
        err = ENOMEM;  // an allocation failed (the report): refuse
    }
    if (err == ECANCELED) return;
    if (go_on) {
        NotifyReply r = NotifyReply::go_on();
        send_reply(listener, n.id, r);
        return;
    }
    answer_errno(listener, n.id, err);
}

}  // namespace sbx
