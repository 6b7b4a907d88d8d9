// network.mode = "allowlist" under bwrap: how the command reaches sbxrun's filtering proxy
// (net/proxy.hpp) from inside an empty network namespace.
//
// sbxrun-inner, in the sandbox's network namespace (bwrap brought its loopback up), makes TCP
// sockets listening on 127.0.0.1:3128 (HTTP) and 127.0.0.1:1080 (SOCKS5) and sends them to sbxrun
// over a unix socket sbxrun handed it (SCM_RIGHTS), then closes its own copies before the command
// exists. sbxrun's proxy accepts on that socket directly: each connection the command makes to
// 127.0.0.1:3128 is accepted by the supervising sbxrun, in the host's network namespace, which
// reaches out only for what the allowlist lets through.
//
// Why the listening socket itself and not a relay to a unix socket bound into the sandbox
// (what issue 13 first sketched): sbxrun-inner runs under the seccomp filter that refuses
// socket(AF_UNIX) (unix_sockets = "block"), so it could not open a connection to such a socket
// per client; a relay would also copy every byte twice and need buffers and a poll loop in
// the sandbox's init. Passing the listener costs nothing per connection, leaves no unix socket
// path in the sandbox, and fails closed the same way: the listener has no other owner, so if
// sbxrun (the proxy) dies, bwrap (--die-with-parent) and the sandbox die with it, and if the
// proxy stops accepting, a connect waits in the backlog or is refused; the namespace has no
// route out whatever happens.
#pragma once

#include <cstdint>

#include "util/result.hpp"

namespace sbx {

// The ports the command's HTTP_PROXY and ALL_PROXY name (127.0.0.1 in the sandbox's own
// namespace). The proxy tells SOCKS5 from HTTP by the first byte, so both are served alike.
inline constexpr std::uint16_t kHttpProxyPort = 3128;
inline constexpr std::uint16_t kSocksProxyPort = 1080;
// What the command's HTTP_PROXY and friends, and ALL_PROXY, say (run/environment.hpp).
inline constexpr const char* kHttpProxyUrl = "http://127.0.0.1:3128";
inline constexpr const char* kSocksProxyUrl = "socks5h://127.0.0.1:1080";

// Listen on 127.0.0.1:kHttpProxyPort and 127.0.0.1:kSocksProxyPort, send both sockets over
// `sock`, close them all. Errors refuse the run (the command never starts without its way to
// the proxy).
[[nodiscard]] Status hand_over_proxy_listener(int sock);

}  // namespace sbx
