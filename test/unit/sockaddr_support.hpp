// IPv4 and IPv6 socket addresses for the tests of the network observers and guards, as a
// program would pass them to connect(2).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace sbx::test {

inline sockaddr_storage v4(const char* addr, unsigned short port) {
    sockaddr_storage ss{};
    auto& in = reinterpret_cast<sockaddr_in&>(ss);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    ::inet_pton(AF_INET, addr, &in.sin_addr);
    return ss;
}

inline sockaddr_storage v6(const char* addr, unsigned short port) {
    sockaddr_storage ss{};
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    ::inet_pton(AF_INET6, addr, &in6.sin6_addr);
    return ss;
}

}  // namespace sbx::test
