// The denial report's view of connections (inner/net_observe.hpp): how a destination is
// written, and which ones a namespace with nothing but loopback is about to refuse.
#include "inner/net_observe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "skip.hpp"
#include "sockaddr_support.hpp"

using sbx::test::v4;
using sbx::test::v6;

TEST_CASE("inet_destination: IPv4, IPv6 in brackets, v4-mapped as IPv4", "[net_observe]") {
    CHECK(sbx::inet_destination(v4("192.0.2.1", 443), sizeof(sockaddr_in)) == "192.0.2.1:443");
    CHECK(sbx::inet_destination(v6("2001:db8::1", 80), sizeof(sockaddr_in6)) == "[2001:db8::1]:80");
    CHECK(sbx::inet_destination(v6("::ffff:192.0.2.2", 81), sizeof(sockaddr_in6)) ==
          "192.0.2.2:81");
    // RFC 2133's 24 bytes, which the kernel accepts.
    CHECK(sbx::inet_destination(v6("2001:db8::2", 1), 24) == "[2001:db8::2]:1");
}

TEST_CASE("inet_destination: what the kernel would refuse is no destination", "[net_observe]") {
    CHECK_FALSE(sbx::inet_destination(v4("192.0.2.1", 443), sizeof(sockaddr_in) - 1));
    CHECK_FALSE(sbx::inet_destination(v6("2001:db8::1", 80), 23));
    sockaddr_storage un{};
    un.ss_family = AF_UNIX;
    CHECK_FALSE(sbx::inet_destination(un, sizeof un));
    CHECK_FALSE(sbx::unroutable(un, sizeof un));
}

TEST_CASE("unroutable: in a namespace of its own, only where there is no route",
          "[net_observe][kernel]") {
    // A new user and network namespace: loopback exists but is down, no other interface.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) ::_exit(77);
        int bad = 0;
        if (!sbx::unroutable(v4("192.0.2.1", 9), sizeof(sockaddr_in))) bad |= 1;
        if (!sbx::unroutable(v6("2001:db8::1", 9), sizeof(sockaddr_in6))) bad |= 2;
        if (!sbx::unroutable(v4("192.0.2.1", 0), sizeof(sockaddr_in))) bad |= 4;  // port 0 too
        ::_exit(bad);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) return sbx::test::skip("no user namespaces here");
    CHECK(WEXITSTATUS(status) == 0);
}
