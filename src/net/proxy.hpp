// sbxrun's filtering HTTP proxy (issue 13): HTTP CONNECT and absolute-form HTTP requests,
// checked against network.allow / network.deny, on an io_context the caller drives.
//
// How it will be wired (not yet: the backends refuse mode = "allowlist", see
// backend/network_support.hpp):
//   - The supervising sbxrun process owns one io_context for the run's lifetime and drives the
//     proxy on it alongside the child's supervision; no thread and no process per connection.
//   - bwrap: the sandbox keeps --unshare-net. The proxy listens on a unix socket in a private
//     directory that is bound into the sandbox; sbxrun-inner, inside the empty network
//     namespace, listens on 127.0.0.1:3128 and relays each connection to that socket, then
//     drops everything and execs the command, which keeps socket(AF_UNIX) refused
//     (unix_sockets = "block"): it reaches the proxy only through the relay. If the relay or
//     the proxy dies the namespace has no route out: fail closed.
//   - Landlock: no network namespace. The proxy listens on a loopback TCP port; the seccomp
//     filter allows only AF_INET/AF_INET6 stream sockets and a Landlock ABI 4+ net rule allows
//     connect to that port only. Landlock cannot tell addresses apart, so a connect to the same
//     port on another host is possible: listed under `approximated`, on_unenforceable decides;
//     below ABI 4 it is not enforceable.
//   - The command gets HTTP_PROXY/HTTPS_PROXY/http_proxy/https_proxy pointing at the relay or
//     the port, NO_PROXY naming neither an allowed host nor loopback.
//   - records() feed the status document: refusals under denials.network, allowed connections
//     under network.connections.
//   - Caveat for the wiring: Asio's async_resolve runs getaddrinfo on a private thread, and
//     sbxrun relies on never having a second thread when it forks (HACKING.md). Either fork
//     every child before the first lookup, or pass a `resolve` hook that does not use one.
//
// What it guarantees: the host is checked by net::HostMatcher (deny wins); names are resolved
// here, never taken from the client; an address that is not public unicast (address_class.hpp)
// is refused unless an allow rule names that address itself; the connection goes to the
// address that was checked (no second lookup); TLS is tunnelled uninspected; buffers are
// bounded; the request head, the connect and an idle tunnel each have a timeout; at most
// max_connections clients at once. A refusal is `HTTP/1.1 403 Forbidden` with a one-line
// reason naming the rule, and a Record.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/host_matcher.hpp"

namespace sbx::net {

struct ProxyOptions {
    std::chrono::milliseconds header_timeout{10'000};   // the request head must arrive in this
    // Resolving and connecting upstream; then a 504. Longer than the head's: a server whose
    // listen queue is full answers a SYN retried after 1, 3, 7 and 15 s (200 parallel
    // downloads from one Python http.server took 31 s direct).
    std::chrono::milliseconds connect_timeout{30'000};
    std::chrono::milliseconds idle_timeout{300'000};    // a tunnel with no byte either way
    std::size_t max_connections = 256;                  // clients at once; more get a 503
    std::size_t buffer_bytes = 16 * 1024;               // per direction per connection
    // A direction whose reads fill the buffer (a download) doubles it, up to this, while all
    // such grown buffers together stay within bulk_budget_bytes: 16 KiB per read and write cost
    // the proxy twice the system calls of going direct (issue 13's throughput goal), while 200
    // idle tunnels must stay small (its memory goal).
    std::size_t max_buffer_bytes = 256 * 1024;
    std::size_t bulk_budget_bytes = 16 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;           // request line and headers
    std::size_t max_records = 4096;                     // then only counted (dropped_records)
    // Names answered without DNS (tests map a test name to 127.0.0.1; a harness could pin
    // names). Checked before the resolver; the addresses still go through the address check.
    std::vector<std::pair<std::string, std::vector<boost::asio::ip::address>>> static_hosts;
    // Whether a client accepted on a TCP listener may be served (unset: every one). A client
    // it refuses is closed at once, unanswered and unrecorded: the Landlock backend's listener
    // is on the host's loopback, where other users' programs could reach it too.
    std::function<bool(const boost::asio::ip::tcp::socket&)> admit;
};

// One decision, for the status document.
struct Record {
    // Text here is as the client sent it (bytes it chose included): each output escapes it,
    // once (the status document, stderr, the 403's body; util/printable.hpp).
    std::string host;  // as normalised (or as the client wrote it when it did not parse)
    std::uint16_t port = 0;
    bool allowed = false;
    // Allowed by the policy, but the name did not resolve or the connect failed (a 502): not a
    // refusal of the sandbox, so it is reported with the connections, with `reason`.
    bool failed = false;
    std::string rule;              // "network.allow[1] \"**.pypi.org\"", "network.ports", ...
    std::string reason;            // the one line sent with a refusal, empty when allowed
    std::string address;           // the address connected to, when one was
    std::uint64_t bytes_up = 0;    // client -> server, after the request head
    std::uint64_t bytes_down = 0;  // server -> client
};

class Proxy {
public:
    Proxy(boost::asio::io_context& io, HostMatcher matcher, ProxyOptions options = {});
    ~Proxy();
    Proxy(const Proxy&) = delete;
    Proxy& operator=(const Proxy&) = delete;

    // Start accepting on a listening socket (the caller bound it and called listen()).
    void serve(boost::asio::ip::tcp::acceptor acceptor);
    void serve(boost::asio::local::stream_protocol::acceptor acceptor);

    // Close the listeners and every connection; pending handlers finish on the io_context.
    void stop();

    [[nodiscard]] const std::vector<Record>& records() const;
    [[nodiscard]] std::size_t dropped_records() const;
    [[nodiscard]] std::size_t active_connections() const;

    struct State;  // shared with the sessions, which may outlive a stop()

private:
    std::shared_ptr<State> state_;
};

}  // namespace sbx::net
