#include "run/allowlist_proxy.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "inner/metadata_filter.hpp"
#include "run/peer_uid.hpp"

namespace sbx {

namespace asio = boost::asio;

// The wait for the listener sbxrun-inner sends: our end of the socketpair, watched on the
// io_context (it does not own the descriptor: ours_ does).
struct ListenerWait {
    explicit ListenerWait(asio::io_context& io, int fd) : watch(io, fd) {}
    asio::posix::stream_descriptor watch;
};

Result<StaticHosts> parse_static_hosts(std::string_view text) {
    StaticHosts out;
    auto bad = [&](const std::string& why) {
        return Error(ErrorKind::usage, "SBXRUN_TEST_PROXY_HOSTS: " + why);
    };
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find(';', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view entry = text.substr(at, end - at);
        at = end + 1;
        if (entry.empty()) continue;
        std::size_t eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return bad("\"" + std::string(entry) + "\" is not name=address[,address...]");
        std::vector<asio::ip::address> addrs;
        std::string_view list = entry.substr(eq + 1);
        std::size_t p = 0;
        while (p <= list.size()) {
            std::size_t comma = list.find(',', p);
            if (comma == std::string_view::npos) comma = list.size();
            std::string one(list.substr(p, comma - p));
            boost::system::error_code ec;
            auto a = asio::ip::make_address(one, ec);
            if (ec) return bad("\"" + one + "\" is not an IP address");
            addrs.push_back(a);
            p = comma + 1;
        }
        out.emplace_back(std::string(entry.substr(0, eq)), std::move(addrs));
    }
    return out;
}

std::optional<unsigned> tcp_client_uid(std::string_view text, std::uint16_t client_port,
                                       std::uint16_t server_port) {
    auto port_of = [](std::string_view addr) -> std::optional<unsigned> {
        auto colon = addr.rfind(':');
        if (colon == std::string_view::npos || colon + 1 >= addr.size()) return std::nullopt;
        unsigned v = 0;
        for (char c : addr.substr(colon + 1)) {
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                           : -1;
            if (d < 0 || v > 0xffff) return std::nullopt;
            v = v * 16 + static_cast<unsigned>(d);
        }
        return v;
    };
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t nl = text.find('\n', at);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(at, nl - at);
        at = nl + 1;
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid ...
        std::string_view f[8];
        std::size_t n = 0, p = 0;
        while (n < 8) {
            while (p < line.size() && line[p] == ' ') ++p;
            if (p >= line.size()) break;
            std::size_t e = line.find(' ', p);
            if (e == std::string_view::npos) e = line.size();
            f[n++] = line.substr(p, e - p);
            p = e;
        }
        if (n < 8 || f[3] != "01") continue;  // TCP_ESTABLISHED
        if (port_of(f[1]) != client_port || port_of(f[2]) != server_port) continue;
        unsigned uid = 0;
        bool digits = !f[7].empty();
        for (char c : f[7]) {
            if (c < '0' || c > '9' || uid > 0x7fffffffu / 10) {
                digits = false;
                break;
            }
            uid = uid * 10 + static_cast<unsigned>(c - '0');
        }
        if (digits) return uid;
    }
    return std::nullopt;
}

Result<StaticHosts> static_hosts_from_environment() {
    const char* knob = std::getenv("SBXRUN_TEST_PROXY_HOSTS");
    if (knob == nullptr || *knob == '\0') return StaticHosts{};
    return parse_static_hosts(knob);
}

Result<std::unique_ptr<AllowlistProxy>> AllowlistProxy::prepare(const NetworkPolicy& policy,
                                                                StaticHosts static_hosts,
                                                                Listen listen) {
    std::unique_ptr<AllowlistProxy> p(new AllowlistProxy());
    net::AllowlistRules rules;
    rules.allow = policy.allow;
    rules.deny = policy.deny;
    rules.ports = policy.ports.value;
    net::ProxyOptions options;
    options.static_hosts = std::move(static_hosts);
    if (listen == Listen::host_loopback) {
        // Only this user's programs (the command runs as sbxrun's uid): another local user
        // could otherwise borrow the run's allowlist from our network position.
        options.admit = [uid = ::getuid()](const asio::ip::tcp::socket& s) {
            boost::system::error_code ec;
            auto peer = s.remote_endpoint(ec);
            auto self = s.local_endpoint(ec);
            if (ec) return false;
            if (auto owner = loopback_peer_uid(peer.port(), self.port())) return *owner == uid;
            // No sock_diag (a kernel without inet_diag): the same from /proc/net/tcp, read in
            // one piece.
            std::ifstream in("/proc/net/tcp", std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            auto owner = tcp_client_uid(text.str(), peer.port(), self.port());
            return owner && *owner == uid;
        };
    }
    if (listen == Listen::from_sandbox) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return os_error("cannot create the proxy's socketpair", errno);
        p->ours_.reset(sv[0]);
        p->sandbox_end_.reset(sv[1]);
    }
    try {
        p->io_ = std::make_unique<asio::io_context>(1);
        p->proxy_ = std::make_unique<net::Proxy>(*p->io_, net::HostMatcher(std::move(rules)),
                                                 std::move(options));
        if (listen == Listen::from_sandbox) {
            p->wait_ = std::make_unique<ListenerWait>(*p->io_, p->ours_.get());
        } else {
            // A port the kernel picks: nothing else on the host can be made to listen on it
            // first. Not close-on-exec (Asio opens it plainly), and not needed: the child gets
            // exactly the descriptors its Launch lists (run/spawn.hpp), so the command never
            // holds it.
            asio::ip::tcp::acceptor acceptor(
                *p->io_, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
            p->port_ = acceptor.local_endpoint().port();
            p->proxy_->serve(std::move(acceptor));
            p->serving_ = true;
        }
    } catch (const std::exception& e) {
        return Error(ErrorKind::resource, std::string("cannot start the proxy: ") + e.what());
    }
    if (p->wait_) p->await_listener();
    return p;
}

std::string AllowlistProxy::socks_url() const {
    if (port_ == 0) return kSocksProxyUrl;
    return "socks5h://127.0.0.1:" + std::to_string(port_);
}

std::string AllowlistProxy::url() const {
    if (port_ == 0) return kHttpProxyUrl;
    return "http://127.0.0.1:" + std::to_string(port_);
}

void AllowlistProxy::await_listener() {
    wait_->watch.async_wait(asio::posix::stream_descriptor::wait_read,
                            [this](const boost::system::error_code& ec) {
                                if (!ec) take_listener();
                            });
}

void AllowlistProxy::take_listener() {
    // The HTTP and the SOCKS listener, once each. Nothing (end of file: sbxrun-inner failed
    // before sending them, and refuses the run) leaves the sandbox without a way out.
    UniqueFd fd(receive_fd(ours_.get(), false));
    if (!fd) return;
    boost::system::error_code err;
    asio::ip::tcp::acceptor acceptor(*io_);
    acceptor.assign(asio::ip::tcp::v4(), fd.get(), err);
    if (err) return;
    (void)fd.release();
    proxy_->serve(std::move(acceptor));
    serving_ = true;
    if (++listeners_ < 2) await_listener();
}

ProxyReport AllowlistProxy::finish() {
    ProxyReport report;
    try {
        boost::system::error_code ignored;
        if (wait_) wait_->watch.cancel(ignored);
        proxy_->stop();
        io_->restart();
        io_->run_for(std::chrono::seconds(1));
        report = summarize_proxy_records(proxy_->records(), proxy_->dropped_records());
        report.url = url();
        report.socks_url = socks_url();
    } catch (...) {
        report.active = true;
    }
    return report;
}

AllowlistProxy::~AllowlistProxy() {
    // The descriptor belongs to ours_: take it back from Asio before either is destroyed.
    if (wait_) (void)wait_->watch.release();
    wait_.reset();
    proxy_.reset();
    io_.reset();
}

}  // namespace sbx
