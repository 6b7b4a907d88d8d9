#include "run/allowlist_proxy.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <chrono>

#include "inner/metadata_filter.hpp"

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

Result<std::unique_ptr<AllowlistProxy>> AllowlistProxy::prepare(const NetworkPolicy& policy,
                                                                StaticHosts static_hosts) {
    std::unique_ptr<AllowlistProxy> p(new AllowlistProxy());
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return os_error("cannot create the proxy's socketpair", errno);
    p->ours_.reset(sv[0]);
    p->sandbox_end_.reset(sv[1]);
    net::AllowlistRules rules;
    rules.allow = policy.allow;
    rules.deny = policy.deny;
    rules.ports = policy.ports.value;
    net::ProxyOptions options;
    options.static_hosts = std::move(static_hosts);
    try {
        p->io_ = std::make_unique<asio::io_context>(1);
        p->proxy_ = std::make_unique<net::Proxy>(*p->io_, net::HostMatcher(std::move(rules)),
                                                 std::move(options));
        p->wait_ = std::make_unique<ListenerWait>(*p->io_, p->ours_.get());
    } catch (const std::exception& e) {
        return Error(ErrorKind::resource, std::string("cannot start the proxy: ") + e.what());
    }
    p->await_listener();
    return p;
}

void AllowlistProxy::await_listener() {
    wait_->watch.async_wait(asio::posix::stream_descriptor::wait_read,
                            [this](const boost::system::error_code& ec) {
                                if (ec) return;
                                // One listener per run; nothing (end of file: sbxrun-inner failed
                                // before sending it, and refuses the run) leaves the sandbox
                                // without a way out.
                                UniqueFd fd(receive_fd(ours_.get(), false));
                                if (!fd) return;
                                boost::system::error_code err;
                                asio::ip::tcp::acceptor acceptor(*io_);
                                acceptor.assign(asio::ip::tcp::v4(), fd.get(), err);
                                if (err) return;
                                (void)fd.release();
                                proxy_->serve(std::move(acceptor));
                                serving_ = true;
                            });
}

ProxyReport AllowlistProxy::finish() {
    ProxyReport report;
    try {
        boost::system::error_code ignored;
        wait_->watch.cancel(ignored);
        proxy_->stop();
        io_->restart();
        io_->run_for(std::chrono::seconds(1));
        report = summarize_proxy_records(proxy_->records(), proxy_->dropped_records());
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
