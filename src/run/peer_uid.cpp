#include "run/peer_uid.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/unique_fd.hpp"

namespace sbx {

std::optional<uid_t> loopback_peer_uid(std::uint16_t client_port, std::uint16_t server_port) {
    UniqueFd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!nl) return std::nullopt;
    struct {
        nlmsghdr hdr;
        inet_diag_req_v2 req;
    } msg{};
    msg.hdr.nlmsg_len = sizeof msg;
    msg.hdr.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.hdr.nlmsg_flags = NLM_F_REQUEST;  // one socket, found by its exact four-tuple
    msg.req.sdiag_family = AF_INET;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0U;
    msg.req.id.idiag_sport = htons(client_port);
    msg.req.id.idiag_dport = htons(server_port);
    msg.req.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
    msg.req.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
    msg.req.id.idiag_if = 0;
    msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t n;
    do {
        n = ::sendto(nl.get(), &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel),
                     sizeof kernel);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof msg)) return std::nullopt;
    alignas(nlmsghdr) char buf[8192];
    do {
        n = ::recv(nl.get(), buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return std::nullopt;
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return std::nullopt;  // NLMSG_ERROR: none
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return std::nullopt;
        const auto* d = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
        // The kernel matched the four-tuple; checked again, as nothing else may answer.
        if (ntohs(d->id.idiag_sport) != client_port || ntohs(d->id.idiag_dport) != server_port)
            continue;
        return static_cast<uid_t>(d->idiag_uid);
    }
    return std::nullopt;
}

}  // namespace sbx
