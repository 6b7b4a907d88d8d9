// The filtering proxy (net/proxy.hpp) against servers this test starts on 127.0.0.1; nothing
// leaves the machine (test names are mapped to 127.0.0.1 through ProxyOptions::static_hosts, so
// no DNS lookup is made either). The proxy runs on an io_context driven by a second thread; the
// test thread is the client, with blocking sockets and bounded waits.
#include "net/proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

using namespace sbx;
using namespace sbx::net;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// Echoes every byte back until the client half-closes, then closes.
asio::awaitable<void> echo_conn(tcp::socket s) {
    std::vector<char> buf(8192);
    for (;;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), nothrow);
        if (ec) co_return;
        auto [wec, w] = co_await asio::async_write(s, asio::buffer(buf.data(), n), nothrow);
        if (wec) co_return;
    }
}

// Answers one request with its own head as the body, then closes.
asio::awaitable<void> http_conn(tcp::socket s) {
    std::string head;
    auto [ec, n] =
        co_await asio::async_read_until(s, asio::dynamic_buffer(head), "\r\n\r\n", nothrow);
    if (ec) co_return;
    std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(n) +
                        "\r\nConnection: close\r\n\r\n" + head.substr(0, n);
    co_await asio::async_write(s, asio::buffer(reply), nothrow);
}

template <class Handler>
asio::awaitable<void> serve(tcp::acceptor& a, Handler h) {
    for (;;) {
        auto [ec, s] = co_await a.async_accept(nothrow);
        if (ec) co_return;
        asio::co_spawn(a.get_executor(), h(std::move(s)), asio::detached);
    }
}

tcp::acceptor loopback_listener(asio::io_context& io) {
    return tcp::acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
}

// A blocking client socket with a receive timeout, closed at the end of the scope.
struct Client {
    int fd = -1;
    explicit Client(std::uint16_t port) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    explicit Client(const std::string& unix_path) {
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        REQUIRE(unix_path.size() < sizeof sa.sun_path);
        std::copy(unix_path.begin(), unix_path.end(), sa.sun_path);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Client() {
        if (fd >= 0) ::close(fd);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void send(std::string_view s) const {
        while (!s.empty()) {
            ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
            REQUIRE(n > 0);
            s.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // Up to and including the blank line that ends a response head ("" on EOF or timeout).
    std::string head() const {
        std::string out;
        char c;
        while (out.size() < 65536 && ::recv(fd, &c, 1, 0) == 1) {
            out += c;
            if (out.ends_with("\r\n\r\n")) break;
        }
        return out;
    }
    std::string exactly(std::size_t n) const {
        std::string out(n, '\0');
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
            if (r <= 0) break;
            got += static_cast<std::size_t>(r);
        }
        out.resize(got);
        return out;
    }
    std::string until_eof() const {
        std::string out;
        char buf[4096];
        for (;;) {
            ssize_t r = ::recv(fd, buf, sizeof buf, 0);
            if (r <= 0) break;
            out.append(buf, static_cast<std::size_t>(r));
        }
        return out;
    }
    void shutdown_write() const { ::shutdown(fd, SHUT_WR); }
};

struct Harness {
    asio::io_context io;
    tcp::acceptor echo{loopback_listener(io)};
    tcp::acceptor web{loopback_listener(io)};
    std::uint16_t echo_port = echo.local_endpoint().port();
    std::uint16_t web_port = web.local_endpoint().port();
    std::unique_ptr<Proxy> proxy;
    std::uint16_t proxy_port = 0;
    std::thread thread;

    // `allow`/`deny` are patterns; ports are the two servers'.
    void start(std::vector<std::string> allow, std::vector<std::string> deny = {},
               ProxyOptions opt = {}, std::vector<std::uint16_t> extra_ports = {}) {
        AllowlistRules rules;
        auto add = [](std::vector<HostRule>& out, const std::vector<std::string>& list,
                      const char* key) {
            for (std::size_t i = 0; i < list.size(); ++i) {
                auto p = parse_host_pattern(list[i]);
                REQUIRE(p.ok());
                out.push_back(
                    {*p, {"t.toml", 1, std::string(key) + "[" + std::to_string(i) + "]"}});
            }
        };
        add(rules.allow, allow, "network.allow");
        add(rules.deny, deny, "network.deny");
        rules.ports = {echo_port, web_port};
        rules.ports.insert(rules.ports.end(), extra_ports.begin(), extra_ports.end());
        auto lo = asio::ip::make_address("127.0.0.1");
        for (const char* name :
             {"allowed.test", "bad.allowed.test", "private.test", "web.test", "other.test"})
            opt.static_hosts.push_back({name, {lo}});
        proxy = std::make_unique<Proxy>(io, HostMatcher(std::move(rules)), std::move(opt));
        auto listener = loopback_listener(io);
        proxy_port = listener.local_endpoint().port();
        proxy->serve(std::move(listener));
        asio::co_spawn(io, serve(echo, echo_conn), asio::detached);
        asio::co_spawn(io, serve(web, http_conn), asio::detached);
        thread = std::thread([this] { io.run(); });
    }

    template <class F>
    auto on_io(F f) {
        std::promise<decltype(f())> p;
        asio::post(io, [&] { p.set_value(f()); });
        return p.get_future().get();
    }

    // Bounded wait until the proxy holds `n` connections.
    bool wait_active(std::size_t n) {
        for (int i = 0; i < 500; ++i) {
            if (on_io([&] { return proxy->active_connections(); }) == n) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    std::vector<Record> records() {
        return on_io([&] { return proxy->records(); });
    }

    ~Harness() {
        io.stop();
        if (thread.joinable()) thread.join();
    }
};

std::string connect_line(const std::string& authority) {
    return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
}

}  // namespace

TEST_CASE("an allowed CONNECT tunnels bytes both ways and is recorded", "[proxy]") {
    Harness h;
    h.start({"allowed.test", "127.0.0.1"});
    const std::string target = "allowed.test:" + std::to_string(h.echo_port);
    {
        Client c(h.proxy_port);
        c.send(connect_line(target) + "early");  // bytes after the head go through too
        CHECK(c.head() == "HTTP/1.1 200 Connection established\r\n\r\n");
        CHECK(c.exactly(5) == "early");
        // More than every buffer on the way, so the bounded buffers must cycle.
        std::string big(1 << 20, 'x');
        for (std::size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
        std::thread writer([&] { c.send(big); });
        CHECK(c.exactly(big.size()) == big);
        writer.join();
        c.shutdown_write();
        CHECK(c.until_eof().empty());
    }
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].allowed);
    CHECK(recs[0].host == "allowed.test");
    CHECK(recs[0].port == h.echo_port);
    CHECK(recs[0].rule == "network.allow[0] \"allowed.test\"");
    CHECK(recs[0].address == "127.0.0.1");
    CHECK(recs[0].bytes_up == 5 + (1u << 20));
    CHECK(recs[0].bytes_down == 5 + (1u << 20));
}

TEST_CASE("a denied or unlisted name, or another port, is a 403 naming the rule", "[proxy]") {
    Harness h;
    h.start({"**.allowed.test", "127.0.0.1"}, {"bad.allowed.test"});
    auto ask = [&](const std::string& authority) {
        Client c(h.proxy_port);
        c.send(connect_line(authority));
        std::string head = c.head();
        return head + c.until_eof();
    };
    std::string r = ask("BAD.allowed.test.:" + std::to_string(h.echo_port));
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403 Forbidden\r\n"));
    CHECK_THAT(r, Catch::Contains("X-Sbxrun-Rule: network.deny[0] \"bad.allowed.test\"\r\n"));
    CHECK_THAT(r, Catch::EndsWith("sbxrun: bad.allowed.test:" + std::to_string(h.echo_port) +
                                  " is refused by network.deny[0] \"bad.allowed.test\"\n"));
    r = ask("example.org:" + std::to_string(h.echo_port));
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));
    CHECK_THAT(r, Catch::Contains("no network.allow rule matches"));
    r = ask("allowed.test:1");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));
    CHECK_THAT(r, Catch::Contains("not in network.ports"));
    r = ask("127.1:" + std::to_string(h.echo_port));
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));
    CHECK_THAT(r, Catch::Contains("dotted-quad"));
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    REQUIRE(recs.size() == 4);
    for (const auto& rec : recs) CHECK_FALSE(rec.allowed);
    CHECK(recs[0].host == "bad.allowed.test");
    CHECK(recs[0].rule == "network.deny[0] \"bad.allowed.test\"");
    CHECK(recs[1].rule == "no network.allow rule");
    CHECK(recs[2].rule == "network.ports");
    CHECK(recs[3].rule == "host syntax");
    CHECK(recs[0].bytes_up == 0);
}

TEST_CASE("an allowed name that resolves to a private address is refused", "[proxy]") {
    Harness h;
    h.start({"private.test"});
    {
        Client c(h.proxy_port);
        c.send(connect_line("private.test:" + std::to_string(h.echo_port)));
        std::string r = c.head() + c.until_eof();
        CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));
        CHECK_THAT(r, Catch::Contains("X-Sbxrun-Rule: address check"));
        CHECK_THAT(r, Catch::Contains("127.0.0.1 (loopback)"));
    }
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    REQUIRE(recs.size() == 1);
    CHECK_FALSE(recs[0].allowed);
    CHECK(recs[0].rule == "address check");
    CHECK(recs[0].address.empty());
}

TEST_CASE("an address the policy names is reached, and a deny on it wins", "[proxy]") {
    Harness h;
    h.start({"127.0.0.1", "private.test", "::1"}, {"[::1]"});
    {
        Client c(h.proxy_port);
        c.send(connect_line("127.0.0.1:" + std::to_string(h.echo_port)));
        CHECK_THAT(c.head(), Catch::StartsWith("HTTP/1.1 200"));
        c.send("ping");
        CHECK(c.exactly(4) == "ping");
    }
    {
        // The name is allowed and its address is named: reached.
        Client c(h.proxy_port);
        c.send(connect_line("private.test:" + std::to_string(h.echo_port)));
        CHECK_THAT(c.head(), Catch::StartsWith("HTTP/1.1 200"));
    }
    {
        Client c(h.proxy_port);
        c.send(connect_line("[::1]:" + std::to_string(h.echo_port)));
        std::string r = c.head() + c.until_eof();
        CHECK_THAT(r, Catch::Contains("network.deny[0] \"::1\""));
    }
    {
        Client c(h.proxy_port);
        c.send(connect_line("127.0.0.2:" + std::to_string(h.echo_port)));
        CHECK_THAT(c.head(), Catch::StartsWith("HTTP/1.1 403"));
    }
}

TEST_CASE("absolute-form GET is checked by host and by its Host header", "[proxy]") {
    Harness h;
    h.start({"web.test", "127.0.0.1"});
    const std::string port = std::to_string(h.web_port);
    {
        Client c(h.proxy_port);
        c.send("GET http://WEB.test:" + port + "/path?q=1#frag HTTP/1.1\r\nHost: web.test:" + port +
               "\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
               "User-Agent: t\r\n\r\n");
        std::string r = c.head() + c.until_eof();
        CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
        CHECK_THAT(r, Catch::Contains("\r\n\r\nGET /path?q=1 HTTP/1.1\r\n"));
        CHECK_THAT(r, Catch::Contains("Host: web.test:" + port + "\r\n"));
        CHECK_THAT(r, Catch::Contains("User-Agent: t\r\n"));
        CHECK_THAT(r, Catch::Contains("Connection: close\r\n"));
        CHECK_THAT(r, !Catch::Contains("Proxy-"));
    }
    {
        // HTTP/1.0 without Host: the proxy adds it.
        Client c(h.proxy_port);
        c.send("GET http://web.test:" + port + " HTTP/1.0\r\n\r\n");
        std::string r = c.head() + c.until_eof();
        CHECK_THAT(r, Catch::Contains("GET / HTTP/1.0\r\nHost: web.test:" + port + "\r\n"));
    }
    auto ask = [&](const std::string& request) {
        Client c(h.proxy_port);
        c.send(request);
        return c.head() + c.until_eof();
    };
    std::string r =
        ask("GET http://web.test:" + port + "/ HTTP/1.1\r\nHost: other.test:" + port + "\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));
    CHECK_THAT(r, Catch::Contains("X-Sbxrun-Rule: Host header"));
    r = ask("GET http://web.test:" + port + "/ HTTP/1.1\r\nHost: web.test\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));  // port 80 is not the URL's port
    r = ask("GET http://other.test:" + port + "/ HTTP/1.1\r\nHost: other.test:" + port +
            "\r\n\r\n");
    CHECK_THAT(r, Catch::Contains("no network.allow rule"));
    r = ask("GET / HTTP/1.1\r\nHost: web.test\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 400"));
    r = ask("GET https://web.test/ HTTP/1.1\r\n\r\n");
    CHECK_THAT(r, Catch::Contains("CONNECT"));
    r = ask("GET http://user@web.test:" + port + "/ HTTP/1.1\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 400"));
    r = ask("CONNECT web.test HTTP/1.1\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 400"));
    r = ask("GET http://web.test:" + port + "/ HTTP/1.1\r\nX: a\r\n folded\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 400"));
    r = ask("GET http://web.test/ HTTP/1.1\r\n" + std::string(20000, 'a') + "\r\n\r\n");
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 431"));
}

TEST_CASE("200 parallel tunnels", "[proxy]") {
    Harness h;
    h.start({"allowed.test", "127.0.0.1"});
    const std::string target = "allowed.test:" + std::to_string(h.echo_port);
    constexpr int kClients = 200;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<Client>(h.proxy_port));
        clients.back()->send(connect_line(target));
    }
    for (auto& c : clients) REQUIRE(c->head() == "HTTP/1.1 200 Connection established\r\n\r\n");
    CHECK(h.wait_active(kClients));
    for (int i = 0; i < kClients; ++i) clients[i]->send("msg-" + std::to_string(1000 + i));
    for (int i = 0; i < kClients; ++i)
        CHECK(clients[i]->exactly(8) == "msg-" + std::to_string(1000 + i));
    clients.clear();
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    REQUIRE(recs.size() == kClients);
    for (const auto& r : recs) CHECK((r.allowed && r.bytes_up == 8 && r.bytes_down == 8));
}

TEST_CASE("a slow-loris client and an idle tunnel time out", "[proxy]") {
    Harness h;
    ProxyOptions opt;
    opt.header_timeout = 200ms;
    opt.idle_timeout = 300ms;
    h.start({"allowed.test", "127.0.0.1"}, {}, opt);
    {
        Client c(h.proxy_port);
        auto t0 = std::chrono::steady_clock::now();
        c.send("CONNECT allowed.test:");  // and never the rest
        CHECK(c.until_eof().empty());
        auto took = std::chrono::steady_clock::now() - t0;
        CHECK(took >= 150ms);
        CHECK(took < 3s);
    }
    {
        // Dribbling bytes does not extend the deadline for the head.
        Client c(h.proxy_port);
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 10; ++i) {
            if (::send(c.fd, "X", 1, MSG_NOSIGNAL) != 1) break;
            std::this_thread::sleep_for(50ms);
        }
        CHECK(c.until_eof().empty());
        CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    }
    {
        Client c(h.proxy_port);
        c.send(connect_line("allowed.test:" + std::to_string(h.echo_port)));
        CHECK_THAT(c.head(), Catch::StartsWith("HTTP/1.1 200"));
        auto t0 = std::chrono::steady_clock::now();
        CHECK(c.until_eof().empty());
        auto took = std::chrono::steady_clock::now() - t0;
        CHECK(took >= 250ms);
        CHECK(took < 3s);
    }
    REQUIRE(h.wait_active(0));
}

TEST_CASE("connections over the cap get a 503", "[proxy]") {
    Harness h;
    ProxyOptions opt;
    opt.max_connections = 2;
    h.start({"allowed.test", "127.0.0.1"}, {}, opt);
    Client a(h.proxy_port), b(h.proxy_port);
    REQUIRE(h.wait_active(2));
    Client c(h.proxy_port);
    std::string r = c.head() + c.until_eof();
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 503"));
    CHECK_THAT(r, Catch::EndsWith("too many connections through the proxy\n"));
}

TEST_CASE("the proxy serves a unix socket listener too", "[proxy]") {
    Harness h;
    auto dir = std::filesystem::temp_directory_path() / ("sbx-proxy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "proxy.sock").string();
    h.start({"allowed.test", "127.0.0.1"});
    h.on_io([&] {
        h.proxy->serve(asio::local::stream_protocol::acceptor(
            h.io, asio::local::stream_protocol::endpoint(path)));
        return 0;
    });
    {
        Client c(path);
        c.send(connect_line("allowed.test:" + std::to_string(h.echo_port)));
        CHECK_THAT(c.head(), Catch::StartsWith("HTTP/1.1 200"));
        c.send("via unix");
        CHECK(c.exactly(8) == "via unix");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a deny rule on an address refuses an allowed name that resolves there", "[proxy]") {
    Harness h;
    h.start({"private.test", "127.0.0.1"}, {"127.0.0.1"});
    Client c(h.proxy_port);
    c.send(connect_line("private.test:" + std::to_string(h.echo_port)));
    std::string r = c.head() + c.until_eof();
    CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 403"));
    CHECK_THAT(r, Catch::Contains("127.0.0.1 (network.deny)"));
}

TEST_CASE("an allowed destination that refuses the connection is a 502, recorded", "[proxy]") {
    std::uint16_t closed = 0;
    {
        asio::io_context tmp;
        closed = loopback_listener(tmp).local_endpoint().port();  // closed again at once
    }
    Harness h;
    h.start({"allowed.test", "127.0.0.1"}, {}, {}, {closed});
    {
        Client c(h.proxy_port);
        c.send(connect_line("allowed.test:" + std::to_string(closed)));
        std::string r = c.head() + c.until_eof();
        CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 502 Bad Gateway"));
        CHECK_THAT(r, Catch::Contains("cannot connect to allowed.test:" + std::to_string(closed)));
    }
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    REQUIRE(recs.size() == 1);
    CHECK_FALSE(recs[0].allowed);
    CHECK(recs[0].rule == "network.allow[0] \"allowed.test\"");
    CHECK_THAT(recs[0].reason, Catch::Contains("cannot connect"));
}

TEST_CASE("an allowed destination that does not answer in time is a 504, recorded", "[proxy]") {
    // A listener whose accept queue is full drops further SYNs: the proxy's connect hangs as
    // it does on a busy server's, until connect_timeout.
    const int full = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(full >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(full, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(full, 0) == 0);
    REQUIRE(::getsockname(full, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    const std::uint16_t port = ntohs(a.sin_port);
    std::vector<int> fillers;
    for (int i = 0; i < 3; ++i) {
        const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        (void)::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
        fillers.push_back(f);
    }
    std::this_thread::sleep_for(100ms);
    ProxyOptions opt;
    opt.connect_timeout = 300ms;
    Harness h;
    h.start({"allowed.test", "127.0.0.1"}, {}, opt, {port});
    {
        Client c(h.proxy_port);
        c.send(connect_line("allowed.test:" + std::to_string(port)));
        std::string r = c.head();
        r += c.until_eof();
        CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 504 Gateway Timeout"));
        CHECK_THAT(r, Catch::Contains("no answer from allowed.test:" + std::to_string(port)));
    }
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].failed);
    CHECK_THAT(recs[0].reason, Catch::Contains("no answer"));
    for (int f : fillers) ::close(f);
    ::close(full);
}

TEST_CASE("stop() closes the listener and every connection", "[proxy]") {
    Harness h;
    h.start({"allowed.test", "127.0.0.1"});
    Client c(h.proxy_port);
    c.send(connect_line("allowed.test:" + std::to_string(h.echo_port)));
    CHECK_THAT(c.head(), Catch::StartsWith("HTTP/1.1 200"));
    h.on_io([&] {
        h.proxy->stop();
        return 0;
    });
    CHECK(c.until_eof().empty());
    REQUIRE(h.wait_active(0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(h.proxy_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0);
    ::close(fd);
}

namespace {

// A SOCKS5 CONNECT request for a name (ATYP 3).
std::string socks_name(const std::string& name, std::uint16_t port) {
    std::string r("\x05\x01\x00\x03", 4);
    r += static_cast<char>(name.size());
    r += name;
    r += static_cast<char>(port >> 8);
    r += static_cast<char>(port & 0xff);
    return r;
}

}  // namespace

TEST_CASE("SOCKS5 on the same listener: allowed names tunnel, the rest get code 2", "[proxy]") {
    Harness h;
    h.start({"**.allowed.test", "127.0.0.1"}, {"bad.allowed.test"});
    {
        Client c(h.proxy_port);
        c.send(std::string("\x05\x02\x02\x00", 4));  // offers user/password and none
        CHECK(c.exactly(2) == std::string("\x05\x00", 2));
        c.send(socks_name("allowed.test", h.echo_port) + "early");
        const std::string reply = c.exactly(10);
        REQUIRE(reply.size() == 10);
        CHECK(reply[0] == 0x05);
        CHECK(reply[1] == 0x00);
        CHECK(c.exactly(5) == "early");
        c.send("more");
        CHECK(c.exactly(4) == "more");
        c.shutdown_write();
        CHECK(c.until_eof().empty());
    }
    auto code_for = [&](const std::string& request) {
        Client c(h.proxy_port);
        c.send(std::string("\x05\x01\x00", 3));
        if (c.exactly(2) != std::string("\x05\x00", 2)) return -1;
        c.send(request);
        std::string r = c.exactly(10);
        return r.size() == 10 ? static_cast<int>(static_cast<unsigned char>(r[1])) : -2;
    };
    CHECK(code_for(socks_name("bad.allowed.test", h.echo_port)) == 2);  // deny wins
    CHECK(code_for(socks_name("example.org", h.echo_port)) == 2);       // no allow rule
    CHECK(code_for(socks_name("allowed.test", 1)) == 2);                // network.ports
    // IPv4 address form, an address the policy names.
    std::string v4("\x05\x01\x00\x01\x7f\x00\x00\x01", 8);
    v4 += static_cast<char>(h.echo_port >> 8);
    v4 += static_cast<char>(h.echo_port & 0xff);
    CHECK(code_for(v4) == 0);
    // BIND and UDP ASSOCIATE are not offered.
    std::string bind = socks_name("allowed.test", h.echo_port);
    bind[1] = 0x02;
    CHECK(code_for(bind) == 7);
    {
        // No acceptable method: 0xff, then closed.
        Client c(h.proxy_port);
        c.send(std::string("\x05\x01\x02", 3));
        CHECK(c.exactly(2) == std::string("\x05\xff", 2));
        CHECK(c.until_eof().empty());
    }
    REQUIRE(h.wait_active(0));
    auto recs = h.records();
    std::size_t allowed = 0, refused = 0;
    for (const auto& r : recs) {
        if (r.allowed) {
            ++allowed;
        } else {
            ++refused;
            if (r.host == "bad.allowed.test")
                CHECK(r.rule == "network.deny[0] \"bad.allowed.test\"");
        }
    }
    CHECK(allowed == 2);
    CHECK(refused == 3);  // the BIND request is not a decision
}
