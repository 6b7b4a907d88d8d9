// Which addresses the Landlock allowlist's connect guard makes connections to
// (run/connect_guard.hpp): the proxy's own, as IPv4 or v4-mapped, and nothing else.
#include "run/connect_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

namespace {

sockaddr_storage v4(const char* addr, unsigned short port) {
    sockaddr_storage ss{};
    auto& in = reinterpret_cast<sockaddr_in&>(ss);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    ::inet_pton(AF_INET, addr, &in.sin_addr);
    return ss;
}

sockaddr_storage v6(const char* addr, unsigned short port) {
    sockaddr_storage ss{};
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    ::inet_pton(AF_INET6, addr, &in6.sin6_addr);
    return ss;
}

}  // namespace

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
