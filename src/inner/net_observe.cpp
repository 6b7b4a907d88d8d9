#include "inner/net_observe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "inner/denial_log.hpp"
#include "inner/notify_request.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// The kernel's own bounds: sendmmsg handles at most UIO_MAXIOV messages, and an address longer
// than sockaddr_storage is refused (EINVAL) before anything is sent.
constexpr std::size_t kMaxMessages = 1024;

// 127.0.0.0/8, ::1 or a v4-mapped 127.x.y.z: the sandbox's own loopback, which bwrap brings up.
bool loopback(const sockaddr_storage& sa, std::size_t len) {
    if (sa.ss_family == AF_INET && len >= sizeof(sockaddr_in))
        return (ntohl(reinterpret_cast<const sockaddr_in&>(sa).sin_addr.s_addr) >> 24) == 127;
    if (sa.ss_family != AF_INET6 || len < offsetof(sockaddr_in6, sin6_scope_id)) return false;
    const in6_addr& a = reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127);
}

// The destination of `len` bytes at `addr` in the caller's memory, noted when refused.
void note_destination(const NotifyRequest& rq, std::uint64_t addr, std::uint64_t len, RefusedOp op,
                      DenialLog& log) {
    // The kernel refuses (EINVAL) an address longer than any before it is sent anywhere.
    if (addr == 0 || len < sizeof(sa_family_t) || len > sizeof(sockaddr_storage)) return;
    sockaddr_storage sa{};
    const std::size_t n = len;
    if (read_mem(rq.pid(), addr, &sa, n) != 0) return;
    if (loopback(sa, n)) return;  // a test suite's own servers: the common case, no lookup
    const auto text = inet_destination(sa, n);
    if (text && unroutable(sa, n)) log.add(op, *text);
}

// sendmsg's and sendmmsg's headers: each message's name and its length.
void note_messages(const NotifyRequest& rq, std::uint64_t addr, std::uint64_t count,
                   std::size_t stride, DenialLog& log) {
    count = std::min<std::uint64_t>(count, kMaxMessages);
    if (addr == 0 || count == 0) return;
    std::vector<unsigned char> buf(count * stride);
    if (read_mem(rq.pid(), addr, buf.data(), buf.size()) != 0) return;
    for (std::uint64_t i = 0; i < count; ++i) {
        msghdr m;  // the first member of mmsghdr
        std::memcpy(&m, buf.data() + i * stride, sizeof m);
        note_destination(rq, reinterpret_cast<std::uint64_t>(m.msg_name), m.msg_namelen,
                         RefusedOp::send, log);
    }
}

}  // namespace

std::optional<std::string> inet_destination(const sockaddr_storage& sa, std::size_t len) {
    char host[INET6_ADDRSTRLEN] = {};
    if (sa.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(sa);
        if (::inet_ntop(AF_INET, &in.sin_addr, host, sizeof host) == nullptr) return std::nullopt;
        return std::string(host) + ":" + std::to_string(ntohs(in.sin_port));
    }
    // The kernel takes an IPv6 address of 24 bytes (RFC 2133's, without the scope id).
    constexpr std::size_t kMinIn6 = offsetof(sockaddr_in6, sin6_scope_id);
    if (sa.ss_family == AF_INET6 && len >= kMinIn6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(sa);
        const std::string port = std::to_string(ntohs(in6.sin6_port));
        if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
            if (::inet_ntop(AF_INET, &in6.sin6_addr.s6_addr[12], host, sizeof host) == nullptr)
                return std::nullopt;
            return std::string(host) + ":" + port;
        }
        if (::inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host) == nullptr)
            return std::nullopt;
        return "[" + std::string(host) + "]:" + port;
    }
    return std::nullopt;
}

bool unroutable(const sockaddr_storage& sa, std::size_t len) {
    if (sa.ss_family != AF_INET && sa.ss_family != AF_INET6) return false;
    UniqueFd s(::socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) return false;
    // A UDP connect only looks the route up (and picks a source address): nothing is sent.
    // Port 0 would be refused before the lookup, and the route does not depend on the port.
    sockaddr_storage probe = sa;
    if (probe.ss_family == AF_INET)
        reinterpret_cast<sockaddr_in&>(probe).sin_port = htons(9);
    else
        reinterpret_cast<sockaddr_in6&>(probe).sin6_port = htons(9);
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&probe),
                  static_cast<socklen_t>(len)) == 0)
        return false;
    // EADDRNOTAVAIL: no address to send from toward it (IPv6 with loopback down).
    return errno == ENETUNREACH || errno == EHOSTUNREACH || errno == EADDRNOTAVAIL;
}

bool is_observed_network_call(long nr) {
    return nr == SYS_connect || nr == SYS_sendto || nr == SYS_sendmsg || nr == SYS_sendmmsg;
}

void observe_network_call(const NotifyRequest& rq, DenialLog& log) {
    switch (rq.n.data.nr) {
        // The lengths are ints to the kernel: the low 32 bits.
        case SYS_connect:  // connect(fd, addr, addrlen)
            note_destination(rq, rq.arg(1), static_cast<std::uint32_t>(rq.arg(2)),
                             RefusedOp::connect, log);
            break;
        case SYS_sendto:  // sendto(fd, buf, len, flags, dest_addr, addrlen)
            note_destination(rq, rq.arg(4), static_cast<std::uint32_t>(rq.arg(5)), RefusedOp::send,
                             log);
            break;
        case SYS_sendmsg:  // sendmsg(fd, msg, flags)
            note_messages(rq, rq.arg(1), 1, sizeof(msghdr), log);
            break;
        case SYS_sendmmsg:  // sendmmsg(fd, msgvec, vlen, flags)
            note_messages(rq, rq.arg(1), rq.arg(2), sizeof(mmsghdr), log);
            break;
        default:
            break;
    }
}

}  // namespace sbx
