// Which addresses the Landlock allowlist's connect guard makes connections to
// (run/connect_guard.hpp): the proxy's own, as IPv4 or v4-mapped, and nothing else.
#include "run/connect_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <utility>
#include <vector>

#include "sockaddr_support.hpp"
#include "util/unique_fd.hpp"

using sbx::UniqueFd;

using sbx::test::v4;
using sbx::test::v6;

TEST_CASE("connect guard: only the proxy's own address and port", "[connect_guard]") {
    sbx::ConnectGuard g;
    g.proxy_port = 40123;
    CHECK(g.allows(AF_INET, v4("127.0.0.1", 40123), sizeof(sockaddr_in)));
    CHECK(g.allows(AF_INET6, v6("::ffff:127.0.0.1", 40123), sizeof(sockaddr_in6)));
    CHECK_FALSE(g.allows(AF_INET, v4("127.0.0.2", 40123), sizeof(sockaddr_in)));
    CHECK_FALSE(g.allows(AF_INET, v4("192.0.2.1", 40123), sizeof(sockaddr_in)));
    CHECK_FALSE(g.allows(AF_INET, v4("127.0.0.1", 40124), sizeof(sockaddr_in)));
    CHECK_FALSE(g.allows(AF_INET6, v6("::1", 40123), sizeof(sockaddr_in6)));
    CHECK_FALSE(g.allows(AF_INET6, v6("::ffff:192.0.2.1", 40123), sizeof(sockaddr_in6)));
    // The address's family must be the socket's, and whole.
    CHECK_FALSE(g.allows(AF_INET6, v4("127.0.0.1", 40123), sizeof(sockaddr_in)));
    CHECK_FALSE(g.allows(AF_INET, v4("127.0.0.1", 40123), sizeof(sockaddr_in) - 1));
    // AF_UNSPEC dissolves a connection: allowed, reaches nothing.
    sockaddr_storage unspec{};
    CHECK(g.allows(AF_INET, unspec, sizeof(sa_family_t)));
    // No proxy port: nothing.
    sbx::ConnectGuard none;
    CHECK_FALSE(none.allows(AF_INET, v4("127.0.0.1", 0), sizeof(sockaddr_in)));
}

TEST_CASE("pending connects: kept while the handshake goes on, dropped once it ended",
          "[connect_guard]") {
    // A listener whose backlog is full drops the next SYN: that connect stays in progress
    // until a slot frees and the SYN is sent again (a second or so later).
    UniqueFd server(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    REQUIRE(server);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(server.get(), 0) == 0);
    socklen_t al = sizeof a;
    REQUIRE(::getsockname(server.get(), reinterpret_cast<sockaddr*>(&a), &al) == 0);
    std::vector<UniqueFd> filled;
    UniqueFd waiting;
    for (int i = 0; i < 16 && !waiting; ++i) {
        UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        REQUIRE(c);
        const int r = ::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        REQUIRE((r == 0 || errno == EINPROGRESS));
        pollfd p{c.get(), POLLOUT, 0};
        if (::poll(&p, 1, 200) == 0)
            waiting = std::move(c);  // its SYN was dropped
        else
            filled.push_back(std::move(c));
    }
    REQUIRE(waiting);
    sbx::PendingConnects pending;
    REQUIRE(pending.empty());
    REQUIRE(pending.add(1, std::move(waiting)));
    pending.answer_ended(-1);  // nothing ended: nothing answered (-1: no listener to answer on)
    CHECK_FALSE(pending.empty());
    // Make room: the retransmitted SYN then completes the handshake.
    for (int i = 0; i < 16; ++i) UniqueFd(::accept4(server.get(), nullptr, nullptr, SOCK_NONBLOCK));
    pollfd p{pending.fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 15000) == 1);
    pending.answer_ended(-1);
    CHECK(pending.empty());
}
