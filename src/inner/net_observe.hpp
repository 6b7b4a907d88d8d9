// What the denial report learns of the command's connections under bwrap with network.mode
// "none" or "allowlist" (issue 15).
//
// The sandbox's network namespace has only its loopback interface: a connect(2) to any other
// address, or a datagram sent to one, fails in the kernel (ENETUNREACH) and sbxrun never hears
// of it. Names are reported by the DNS refuser and the proxy; an address the command has by
// itself (a hard-coded IP, /etc/hosts, a tool that ignores HTTP_PROXY) was not. So under those
// modes the entry broker's filter (inner/metadata_filter.hpp, build_entry_filter) also sends
// connect, sendto with an address, sendmsg and sendmmsg to sbxrun-inner, which reads each
// destination, asks its own namespace's routing table whether the kernel is about to refuse it
// (the connect of a UDP socket of its own: a route lookup that sends nothing), notes the refused
// ones in the denial log ("connect" or "send", "ADDRESS:PORT") and lets the kernel go on.
//
// An observer only: the kernel decides every call as before. A destination changed in the
// command's memory after it was read makes the report wrong, never the sandbox weaker.
// Cost: one trip through sbxrun-inner per connect and per datagram sent with an address or by
// sendmsg/sendmmsg; none under network.mode = "full", where nothing is refused.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <optional>
#include <string>

namespace sbx {

class DenialLog;
struct NotifyRequest;

// "1.2.3.4:443" or "[2001:db8::1]:443" for an AF_INET or AF_INET6 address of `len` bytes the
// kernel would accept (len at least sockaddr_in's, or SIN6_LEN_RFC2133's); nullopt otherwise
// (another family, a short address). A v4-mapped IPv6 address is written as IPv4.
[[nodiscard]] std::optional<std::string> inet_destination(const sockaddr_storage& sa,
                                                          std::size_t len);

// Whether this process's network namespace has no route to `sa` (an AF_INET or AF_INET6
// address): ENETUNREACH, EHOSTUNREACH or EADDRNOTAVAIL from the connect of a UDP socket.
[[nodiscard]] bool unroutable(const sockaddr_storage& sa, std::size_t len);

// Whether `nr` is one of the calls observed here.
[[nodiscard]] bool is_observed_network_call(long nr);

// Note the refused destinations of one notified call in `log`. Never answers the call: the
// caller lets the kernel go on. May throw std::bad_alloc (the broker catches it).
void observe_network_call(const NotifyRequest& rq, DenialLog& log);

}  // namespace sbx
