#include "inner/proxy_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "inner/metadata_filter.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

Status hand_over_proxy_listener(int sock) {
    UniqueFd owned_sock(sock);  // closed however this ends: sbxrun then sees the end of it
    for (std::uint16_t port : {kHttpProxyPort, kSocksProxyPort}) {
        UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd) return os_error("socket for the proxy listener", errno);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
            return os_error("bind 127.0.0.1:" + std::to_string(port) +
                                " in the sandbox for the proxy (is its loopback up?)",
                            errno);
        if (::listen(fd.get(), SOMAXCONN) != 0) return os_error("listen for the proxy", errno);
        if (int err = send_fd(owned_sock.get(), fd.get()); err != 0)
            return os_error("send the proxy listener to sbxrun", err);
    }
    return {};
}

}  // namespace sbx
