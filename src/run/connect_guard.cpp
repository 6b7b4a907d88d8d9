#include "run/connect_guard.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "inner/entry_perform.hpp"
#include "inner/net_observe.hpp"
#include "inner/notify_request.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// The answer to a connect(2) sbxrun made for the command: now, or later (pending).
struct Made {
    int err = 0;
    UniqueFd in_progress;  // a blocking socket whose handshake goes on
};

// connect(2) of `sock` to `sa` as the command's socket would make it, without blocking: a
// blocking socket is made non-blocking for the call, and its handshake left to finish.
Made connect_as_the_command(UniqueFd sock, const sockaddr_storage& sa, std::size_t len) {
    const int flags = ::fcntl(sock.get(), F_GETFL);
    if (flags < 0) return {errno, {}};
    const auto* addr = reinterpret_cast<const sockaddr*>(&sa);
    const auto alen = static_cast<socklen_t>(len);
    if ((flags & O_NONBLOCK) != 0) return {::connect(sock.get(), addr, alen) == 0 ? 0 : errno, {}};
    if (::fcntl(sock.get(), F_SETFL, flags | O_NONBLOCK) != 0) return {errno, {}};
    const int r = ::connect(sock.get(), addr, alen);
    const int err = r == 0 ? 0 : errno;
    ::fcntl(sock.get(), F_SETFL, flags);
    if (err != EINPROGRESS) return {err, {}};
    // On loopback the handshake has usually ended by now: answer at once rather than after
    // another turn of the loop (bench/connections.sh).
    pollfd p{sock.get(), POLLOUT, 0};
    if (::poll(&p, 1, 0) == 1) {
        int so_error = 0;
        socklen_t sl = sizeof so_error;
        if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &so_error, &sl) != 0) return {errno, {}};
        return {so_error, {}};
    }
    return {0, std::move(sock)};
}

Made decide(NotifyRequest& rq, const ConnectGuard& guard, DenialLog* log, bool& go_on) {
    UniqueFd sock;
    if (const int err = rq.take_fd(rq.arg(0), sock); err != 0) return {err, {}};
    int domain = 0;
    socklen_t dl = sizeof domain;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_DOMAIN, &domain, &dl) != 0)
        return {errno == ENOTSOCK ? ENOTSOCK : EBADF, {}};
    if (domain != AF_INET && domain != AF_INET6) {
        if (guard.unix_refused) return {EACCES, {}};  // only socketpair()'s (see the header)
        go_on = true;
        return {};
    }
    // The kernel reads the length as an int: the low 32 bits.
    const auto len = static_cast<int>(static_cast<std::uint32_t>(rq.arg(2)));
    sockaddr_storage sa{};
    // As the kernel answers: an address longer than any, or too short for its family (the
    // family is read first, as the kernel reads it).
    if (len < 0 || static_cast<std::size_t>(len) > sizeof sa ||
        static_cast<std::size_t>(len) < sizeof(sa_family_t))
        return {EINVAL, {}};
    if (read_mem(rq.pid(), rq.arg(1), &sa, len) != 0) return {EFAULT, {}};
    if (!rq.still_valid()) return {ECANCELED, {}};  // the caller is gone: nobody to answer
    // An address of another family than the socket's: the kernel's own refusal, not the
    // sandbox's (an IPv4 socket given the proxy's v4-mapped address was listed as a refused
    // connection to the proxy: thirty-fifth review).
    if (sa.ss_family != AF_UNSPEC && sa.ss_family != domain) return {EAFNOSUPPORT, {}};
    if ((sa.ss_family == AF_INET && static_cast<std::size_t>(len) < sizeof(sockaddr_in)) ||
        (sa.ss_family == AF_INET6 &&
         static_cast<std::size_t>(len) < offsetof(sockaddr_in6, sin6_scope_id)))
        return {EINVAL, {}};
    if (!guard.allows(domain, sa, len)) {
        if (log != nullptr)
            if (const auto text = inet_destination(sa, len)) log->add(RefusedOp::connect, *text);
        return {EACCES, {}};
    }
    return connect_as_the_command(std::move(sock), sa, len);
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

PendingConnects::PendingConnects() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

bool PendingConnects::add(std::uint64_t id, UniqueFd sock) {
    if (!epoll_ || pending_.size() >= kMax) return false;
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.fd = sock.get();
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, sock.get(), &ev) != 0) return false;
    const int fd = sock.get();
    try {
        pending_.emplace(fd, std::make_pair(id, std::move(sock)));
    } catch (...) {
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
        return false;
    }
    return true;
}

void PendingConnects::answer_ended(int listener) noexcept {
    epoll_event ev[64];
    const int n = ::epoll_wait(epoll_.get(), ev, 64, 0);
    for (int i = 0; i < n; ++i) {
        auto it = pending_.find(ev[i].data.fd);
        if (it == pending_.end()) continue;
        int so_error = 0;
        socklen_t sl = sizeof so_error;
        if (::getsockopt(it->first, SOL_SOCKET, SO_ERROR, &so_error, &sl) != 0) so_error = errno;
        // A notification whose caller was interrupted or killed meanwhile refuses the answer.
        answer_errno(listener, it->second.first, so_error);
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->first, nullptr);
        pending_.erase(it);
    }
}

void answer_connect_call(int listener, const seccomp_notif& n, const ConnectGuard& guard,
                         PendingConnects& pending, DenialLog* log) noexcept {
    int err = EPERM;
    bool go_on = false;
    try {
        NotifyRequest rq{n, listener, {}};
        // As the command: no capability of sbxrun's takes part in the connect.
        CapsCleared caps;
        Made made = caps.ok() ? decide(rq, guard, log, go_on) : Made{EPERM, {}};
        err = made.err;
        if (made.in_progress) {
            if (pending.add(n.id, std::move(made.in_progress))) return;
            err = EAGAIN;  // kMax blocking connects pending already
        }
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
