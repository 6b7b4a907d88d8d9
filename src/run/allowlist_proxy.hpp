// The filtering proxy of one bwrap run with network.mode = "allowlist" (issue 13): made before
// the sandbox starts, driven by the supervision loop (run/io_poll.hpp) while it runs, stopped
// and summarised (run/proxy_report.hpp) once it has ended.
//
// sbxrun-inner sends the sandbox's listening socket (127.0.0.1:3128 in its network namespace,
// inner/proxy_listener.hpp) over a socketpair whose other end this holds; the proxy then
// accepts on it directly.
//
// Threads and fork. sbxrun forks with no second thread (HACKING.md: nothing allocates after
// fork, and the Landlock backend changes its own capabilities per call). Name lookups use Asio's
// async_resolve, which runs getaddrinfo on a private thread started at the first lookup. That
// is safe here because every fork of a bwrap run comes first: bwrap is spawned before the
// listener exists, so before any connection and any lookup, and sbxrun forks nothing else
// while the sandbox runs. The io_context (and with it that thread, which Asio joins) is
// destroyed by finish() before run_bwrap() returns, so whatever sbxrun does next (another
// backend after a setup failure, the integrity check) runs single-threaded again. The thread is
// created by the supervision loop while the signals it forwards are blocked, so it inherits
// that mask and they still reach the loop's signalfd. Why not the alternatives: a blocking
// getaddrinfo on the loop would stall the supervision and every other connection for up to the
// resolver's timeout; a resolver child process would need a protocol and its own failure handling
// for what Asio already does.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inner/proxy_listener.hpp"
#include "net/proxy.hpp"
#include "policy/policy.hpp"
#include "run/proxy_report.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

using StaticHosts = std::vector<std::pair<std::string, std::vector<boost::asio::ip::address>>>;

// SBXRUN_TEST_PROXY_HOSTS (a test knob, HACKING.md): "name=addr[,addr...][;name=addr...]",
// names the proxy answers without DNS. The addresses still go through the address check, so a
// loopback address works only when the policy's network.allow names it.
[[nodiscard]] Result<StaticHosts> parse_static_hosts(std::string_view text);
// The knob as sbxrun's environment sets it (unset or empty: none).
[[nodiscard]] Result<StaticHosts> static_hosts_from_environment();

// The uid owning the established TCP socket whose local port is `client_port` and whose peer's
// port is `server_port`, in the text of /proc/net/tcp (loopback: both ends are listed there);
// nullopt when there is none. How the Landlock backend's proxy, listening on the host's
// loopback, serves only the run's own user: another user's program reaching that port is
// closed unanswered.
[[nodiscard]] std::optional<unsigned> tcp_client_uid(std::string_view proc_net_tcp,
                                                     std::uint16_t client_port,
                                                     std::uint16_t server_port);

class AllowlistProxy {
public:
    // Where the command reaches the proxy: the listener sbxrun-inner sends from the sandbox's
    // network namespace (bwrap), or a port of the host's 127.0.0.1 that sbxrun listens on itself
    // (Landlock, whose TCP rules then allow connect(2) to that port only).
    enum class Listen { from_sandbox, host_loopback };

    [[nodiscard]] static Result<std::unique_ptr<AllowlistProxy>> prepare(
        const NetworkPolicy& policy, StaticHosts static_hosts = {},
        Listen listen = Listen::from_sandbox);
    ~AllowlistProxy();
    AllowlistProxy(const AllowlistProxy&) = delete;
    AllowlistProxy& operator=(const AllowlistProxy&) = delete;

    // from_sandbox: the end sbxrun-inner gets (--proxy-sock): it sends the listener over it.
    [[nodiscard]] int sandbox_end() const { return sandbox_end_.get(); }
    // host_loopback: the port of 127.0.0.1 the proxy listens on; the URL the command gets.
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string url() const;
    [[nodiscard]] std::string socks_url() const;
    [[nodiscard]] boost::asio::io_context& io() { return *io_; }
    // Whether the listener has arrived (the sandbox's 127.0.0.1:3128 is being served).
    [[nodiscard]] bool serving() const { return serving_; }

    // After the sandbox has ended: close every connection, let their handlers finish (at most
    // a second), summarise, and destroy the io_context. A lookup still in progress is waited
    // for there (Asio joins its resolver thread): at most the resolver's own timeout.
    [[nodiscard]] ProxyReport finish();

private:
    AllowlistProxy() = default;
    void await_listener();
    void take_listener();

    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<net::Proxy> proxy_;
    UniqueFd ours_, sandbox_end_;
    std::unique_ptr<struct ListenerWait> wait_;
    bool serving_ = false;
    std::uint16_t port_ = 0;
    int listeners_ = 0;
};

}  // namespace sbx
