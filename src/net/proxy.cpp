#include "net/proxy.hpp"

#include <fcntl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_set>

#include "net/address_class.hpp"
#include "util/printable.hpp"
#include "util/unique_fd.hpp"

namespace sbx::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using unix_stream = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;
using asio::socket_base;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// What one splice(2) moves at most: a pipe's default capacity (16 pages), so that 200 tunnels'
// pipes stay within an unprivileged user's pipe-user-pages-soft.
constexpr std::size_t kSpliceChunk = 64 * 1024;

struct SessionBase {
    virtual ~SessionBase() = default;
    virtual void close() = 0;
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

// "host:port", "[v6]:port", or (default_port) a bare host. The host keeps its brackets.
struct Authority {
    std::string host;
    std::uint16_t port = 0;
};
std::optional<Authority> split_authority(std::string_view s, std::optional<std::uint16_t> dflt) {
    std::size_t colon = std::string_view::npos;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':') return std::nullopt;
            colon = close + 1;
        }
    } else {
        colon = s.rfind(':');
    }
    if (colon == std::string_view::npos) {
        if (!dflt || s.empty()) return std::nullopt;
        return Authority{std::string(s), *dflt};
    }
    auto port = parse_port(s.substr(colon + 1));
    if (!port || colon == 0) return std::nullopt;
    return Authority{std::string(s.substr(0, colon)), *port};
}

struct Request {
    bool connect = false;
    std::string method, version;
    Authority target;
    std::string path;  // absolute-form: origin-form path sent upstream
    std::vector<std::pair<std::string, std::string>> headers;
};

// The request head (ending in CRLF CRLF). Errors: the reason for a 400.
std::variant<Request, std::string> parse_head(std::string_view head) {
    auto eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    auto sp1 = line.find(' ');
    auto sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return std::string("malformed request line");
    Request r;
    r.method = std::string(line.substr(0, sp1));
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    r.version = std::string(line.substr(sp2 + 1));
    if (r.version != "HTTP/1.1" && r.version != "HTTP/1.0")
        return std::string("only HTTP/1.0 and HTTP/1.1 requests are proxied");
    std::size_t pos = eol + 2;
    while (pos < head.size()) {
        auto end = head.find("\r\n", pos);
        if (end == std::string_view::npos || end == pos) break;
        std::string_view h = head.substr(pos, end - pos);
        pos = end + 2;
        if (h.front() == ' ' || h.front() == '\t') return std::string("folded header line");
        auto colon = h.find(':');
        if (colon == std::string_view::npos || colon == 0) return std::string("malformed header");
        std::string_view value = h.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
            value.remove_suffix(1);
        r.headers.emplace_back(std::string(h.substr(0, colon)), std::string(value));
    }
    if (r.method == "CONNECT") {
        r.connect = true;
        auto a = split_authority(target, std::nullopt);
        if (!a) return std::string("CONNECT needs host:port");
        r.target = std::move(*a);
        return r;
    }
    constexpr std::string_view scheme = "http://";
    if (target.size() < scheme.size() || !iequals(target.substr(0, scheme.size()), scheme)) {
        if (target.size() >= 8 && iequals(target.substr(0, 8), "https://"))
            return std::string("https:// goes through CONNECT, not as a plain request");
        return std::string("only CONNECT and absolute-form (http://host/...) requests are proxied");
    }
    target.remove_prefix(scheme.size());
    auto slash = target.find_first_of("/?#");
    std::string_view authority = target.substr(0, slash);
    if (authority.find('@') != std::string_view::npos)
        return std::string("user information in the URL is not proxied");
    auto a = split_authority(authority, std::uint16_t{80});
    if (!a) return std::string("malformed host in the URL");
    r.target = std::move(*a);
    std::string_view rest = slash == std::string_view::npos ? "" : target.substr(slash);
    if (!rest.empty() && rest.front() == '#') rest = "";
    r.path = rest.empty() || rest.front() != '/' ? "/" + std::string(rest) : std::string(rest);
    if (auto hash = r.path.find('#'); hash != std::string::npos) r.path.resize(hash);
    return r;
}

bool is_hop_header(std::string_view name) {
    return iequals(name, "Connection") || iequals(name, "Proxy-Connection") ||
           iequals(name, "Keep-Alive") || iequals(name, "Proxy-Authorization") ||
           iequals(name, "Proxy-Authenticate") || iequals(name, "TE") || iequals(name, "Upgrade");
}

Host host_of(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return {HostKind::ipv4,
                asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string()};
    return {a.is_v4() ? HostKind::ipv4 : HostKind::ipv6, a.to_string()};
}

}  // namespace

struct Proxy::State {
    State(asio::io_context& i, HostMatcher m, ProxyOptions o)
        : io(i), matcher(std::move(m)), opt(std::move(o)) {}
    asio::io_context& io;
    HostMatcher matcher;
    ProxyOptions opt;
    std::vector<Record> records;
    std::size_t dropped = 0;
    std::size_t bulk_bytes = 0;  // what grown pump buffers hold beyond opt.buffer_bytes
    bool stopped = false;
    std::unordered_set<SessionBase*> sessions;
    std::vector<std::unique_ptr<tcp::acceptor>> tcp_listeners;
    std::vector<std::unique_ptr<unix_stream::acceptor>> unix_listeners;

    void record(Record r) {
        if (records.size() < opt.max_records) {
            records.push_back(std::move(r));
        } else {
            ++dropped;
        }
    }
};

namespace {

template <class Client>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Client>> {
public:
    Session(std::shared_ptr<Proxy::State> st, Client client)
        : st_(std::move(st)),
          client_(std::move(client)),
          upstream_(st_->io),
          resolver_(st_->io),
          timer_(st_->io) {
        st_->sessions.insert(this);
    }
    ~Session() override { st_->sessions.erase(this); }

    void start() {
        auto self = this->shared_from_this();
        deadline_ = Clock::now() + st_->opt.header_timeout;
        asio::co_spawn(st_->io, self->watchdog(self), asio::detached);
        asio::co_spawn(st_->io, self->run(self), asio::detached);
    }

    void close() override {
        error_code ec;
        client_.close(ec);
        upstream_.close(ec);
        resolver_.cancel();
    }

private:
    using Self = std::shared_ptr<Session>;

    asio::awaitable<void> watchdog(Self) {
        while (!done_) {
            timer_.expires_at(deadline_);
            co_await timer_.async_wait(nothrow);
            if (done_) break;
            if (Clock::now() < deadline_) continue;
            if (connecting_) {
                // The client is told (504, or SOCKS "TTL expired") rather than dropped with
                // nothing: a server whose listen queue is full answers SYNs late, and a tool
                // that got an empty reply cannot say why. The answer gets a head's time.
                connecting_ = false;
                connect_timed_out_ = true;
                error_code ec;
                upstream_.close(ec);
                resolver_.cancel();
                touch(st_->opt.header_timeout);
                continue;
            }
            close();
            break;
        }
    }

    void finish() {
        done_ = true;
        timer_.cancel();
        close();
        if (recorded_) st_->record(std::move(rec_));
    }

    void touch(std::chrono::milliseconds d) { deadline_ = Clock::now() + d; }

    // The answer to a request that is not tunnelled, kept in out_ until send_out() writes it.
    // (Built outside the coroutines' co_await expressions: gcc 12 destroys some temporaries in
    // a co_await operand twice, so every co_await below has only named operands.)
    void answer(std::string_view status, const std::string& reason, bool with_rule) {
        std::string body = "sbxrun: " + printable(reason) + "\n";
        out_ = "HTTP/1.1 " + std::string(status) +
               "\r\nContent-Type: text/plain\r\nConnection: close\r\n";
        if (with_rule && !rec_.rule.empty())
            out_ += "X-Sbxrun-Rule: " + printable(rec_.rule) + "\r\n";
        out_ += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    void refuse(std::string reason) {
        rec_.allowed = false;
        answer("403 Forbidden", reason, true);
        rec_.reason = std::move(reason);
    }

    asio::awaitable<void> send_out() {
        co_await asio::async_write(client_, asio::buffer(out_), nothrow);
    }

    asio::awaitable<void> run(Self) {
        co_await serve();
        finish();
    }

    // The first byte tells the protocol apart: 5 is SOCKS5's version, an HTTP request starts
    // with a method name. So one listener serves both (Landlock has a single port).
    asio::awaitable<void> serve() {
        char version = 0;
        auto [fec, fn] = co_await asio::async_read(client_, asio::buffer(&version, 1), nothrow);
        if (fec) co_return;
        if (version == 0x05) {
            co_await socks5();
            co_return;
        }
        std::string head(1, version);
        auto [ec, n] = co_await asio::async_read_until(
            client_, asio::dynamic_buffer(head, st_->opt.max_header_bytes), "\r\n\r\n", nothrow);
        if (ec) {
            if (ec == asio::error::not_found) {
                answer("431 Request Header Fields Too Large",
                       "the request head is over " + std::to_string(st_->opt.max_header_bytes) +
                           " bytes",
                       false);
                co_await send_out();
            }
            co_return;
        }
        std::string rest = head.substr(n);
        auto parsed = parse_head(std::string_view(head).substr(0, n));
        if (auto* why = std::get_if<std::string>(&parsed)) {
            answer("400 Bad Request", *why, false);
            co_await send_out();
            co_return;
        }
        Request& req = std::get<Request>(parsed);
        Decision d = st_->matcher.decide(req.target.host, req.target.port);
        recorded_ = true;
        rec_.host = d.host.text.empty() ? req.target.host : d.host.text;
        rec_.port = req.target.port;
        rec_.rule = d.rule_name;
        if (!d.allowed) {
            refuse(d.reason);
            co_await send_out();
            co_return;
        }
        if (!req.connect) {
            // Plain HTTP: the Host header must name what the URL names, or a server behind an
            // allowed name could be asked for another one.
            for (const auto& [name, value] : req.headers) {
                if (!iequals(name, "Host")) continue;
                auto a = split_authority(value, std::uint16_t{80});
                auto h = a ? parse_host(a->host) : Result<Host>(Error(ErrorKind::schema, ""));
                if (!a || !h || *h != d.host || a->port != req.target.port) {
                    rec_.rule = "Host header";
                    refuse("the Host header \"" + value + "\" does not name " + d.host.text + ":" +
                           std::to_string(req.target.port));
                    co_await send_out();
                    co_return;
                }
            }
        }

        auto attempt = reach(d, req.target.port);
        const Reach reached = co_await std::move(attempt);
        if (reached == Reach::refused) {
            answer("403 Forbidden", rec_.reason, true);
            co_await send_out();
            co_return;
        }
        if (reached == Reach::timed_out) {
            answer("504 Gateway Timeout", rec_.reason, true);
            co_await send_out();
            co_return;
        }
        if (reached == Reach::failed || reached == Reach::unresolved) {
            answer("502 Bad Gateway", rec_.reason, true);
            co_await send_out();
            co_return;
        }
        touch(st_->opt.idle_timeout);

        std::string first;
        if (req.connect) {
            static constexpr std::string_view ok = "HTTP/1.1 200 Connection established\r\n\r\n";
            auto [wec, w] = co_await asio::async_write(client_, asio::buffer(ok), nothrow);
            if (wec) co_return;
        } else {
            first = req.method + " " + req.path + " " + req.version + "\r\n";
            bool host_seen = false;
            for (const auto& [name, value] : req.headers) {
                if (is_hop_header(name)) continue;
                host_seen = host_seen || iequals(name, "Host");
                first += name + ": " + value + "\r\n";
            }
            if (!host_seen) {
                first += "Host: " + req.target.host;
                if (req.target.port != 80) first += ":" + std::to_string(req.target.port);
                first += "\r\n";
            }
            first += "Connection: close\r\n\r\n";
        }
        first += rest;
        if (!first.empty()) {
            auto [wec, w] = co_await asio::async_write(upstream_, asio::buffer(first), nothrow);
            if (wec) co_return;
            rec_.bytes_up += rest.size();
        }
        auto both =
            relay(client_, upstream_, rec_.bytes_up) && relay(upstream_, client_, rec_.bytes_down);
        co_await std::move(both);
    }

    // SOCKS5 (RFC 1928) after its version byte: no authentication, CONNECT only, a name, an
    // IPv4 or an IPv6 address, decided and reached exactly as an HTTP CONNECT. Replies: 2 (not
    // allowed by ruleset) for a refusal, 4 (host unreachable) for a name that does not resolve,
    // 5 (connection refused) for a failed connect, 7 for another command, 8 for another
    // address type. The client's bytes are read exactly, nothing past the request.
    asio::awaitable<void> socks5() {
        unsigned char buf[256];
        auto read = [this, &buf](std::size_t n) -> asio::awaitable<bool> {
            auto [ec, got] = co_await asio::async_read(client_, asio::buffer(buf, n), nothrow);
            co_return !ec && got == n;
        };
        auto reply = [this](unsigned char code) -> asio::awaitable<void> {
            out_ = std::string("\x05", 1) + static_cast<char>(code) + std::string("\0\x01", 2) +
                   std::string(6, '\0');
            co_await send_out();
        };
        if (!co_await read(1)) co_return;
        const std::size_t nmethods = buf[0];
        if (nmethods == 0 || !co_await read(nmethods)) co_return;
        bool no_auth = false;
        for (std::size_t i = 0; i < nmethods; ++i) no_auth = no_auth || buf[i] == 0x00;
        out_ = no_auth ? std::string("\x05\0", 2) : std::string("\x05\xff", 2);
        co_await send_out();
        if (!no_auth) co_return;
        if (!co_await read(4) || buf[0] != 0x05) co_return;
        const unsigned char cmd = buf[1], atyp = buf[3];
        std::string host;
        if (atyp == 0x01) {
            if (!co_await read(4)) co_return;
            asio::ip::address_v4::bytes_type b;
            std::copy(buf, buf + 4, b.begin());
            host = asio::ip::address_v4(b).to_string();
        } else if (atyp == 0x04) {
            if (!co_await read(16)) co_return;
            asio::ip::address_v6::bytes_type b;
            std::copy(buf, buf + 16, b.begin());
            host = asio::ip::address_v6(b).to_string();
        } else if (atyp == 0x03) {
            if (!co_await read(1) || buf[0] == 0) co_return;
            const std::size_t len = buf[0];
            if (!co_await read(len)) co_return;
            host.assign(reinterpret_cast<const char*>(buf), len);
        } else {
            co_await reply(0x08);
            co_return;
        }
        if (!co_await read(2)) co_return;
        const auto port = static_cast<std::uint16_t>((buf[0] << 8) | buf[1]);
        if (cmd != 0x01) {
            co_await reply(0x07);
            co_return;
        }
        Decision d = st_->matcher.decide(host, port);
        recorded_ = true;
        rec_.host = d.host.text.empty() ? host : d.host.text;
        rec_.port = port;
        rec_.rule = d.rule_name;
        if (!d.allowed) {
            rec_.allowed = false;
            rec_.reason = d.reason;
            co_await reply(0x02);
            co_return;
        }
        touch(st_->opt.connect_timeout);
        auto attempt = reach(d, port);
        const Reach reached = co_await std::move(attempt);
        if (reached != Reach::connected) {
            co_await reply(reached == Reach::refused      ? 0x02
                           : reached == Reach::unresolved ? 0x04
                           : reached == Reach::timed_out  ? 0x06
                                                          : 0x05);
            co_return;
        }
        co_await reply(0x00);
        touch(st_->opt.idle_timeout);
        auto both =
            relay(client_, upstream_, rec_.bytes_up) && relay(upstream_, client_, rec_.bytes_down);
        co_await std::move(both);
    }

    // Resolve here, never trusting an address from the client, keep only what the policy lets
    // us reach, and connect upstream_ to exactly those addresses. Sets rec_'s reason (and rule)
    // for a refusal or a failure.
    enum class Reach { connected, refused, unresolved, failed, timed_out };
    asio::awaitable<Reach> reach(const Decision& d, std::uint16_t port) {
        touch(st_->opt.connect_timeout);
        connecting_ = true;
        auto attempt = reach_in_time(d, port);  // named: see answer() on gcc 12's co_await
        const Reach r = co_await std::move(attempt);
        connecting_ = false;
        if (connect_timed_out_ && r != Reach::connected) {
            rec_.failed = true;
            rec_.reason = "no answer from " + d.host.text + ":" + std::to_string(port) +
                          " within " + std::to_string(st_->opt.connect_timeout.count() / 1000) +
                          " s";
            co_return Reach::timed_out;
        }
        co_return r;
    }

    asio::awaitable<Reach> reach_in_time(const Decision& d, std::uint16_t port) {
        std::vector<asio::ip::address> found;
        if (d.host.kind != HostKind::name) {
            found.push_back(asio::ip::make_address(d.host.text));
        } else {
            bool pinned = false;
            for (const auto& [name, addrs] : st_->opt.static_hosts) {
                auto h = parse_host(name);
                if (h && *h == d.host) {
                    found = addrs;
                    pinned = true;
                    break;
                }
            }
            if (!pinned) {
                const std::string service = std::to_string(port);
                auto [rec, results] = co_await resolver_.async_resolve(
                    d.host.text, service, tcp::resolver::numeric_service, nothrow);
                if (rec) {
                    rec_.failed = true;
                    rec_.reason = "cannot resolve " + d.host.text + ": " + rec.message();
                    co_return Reach::unresolved;
                }
                for (const auto& e : results) found.push_back(e.endpoint().address());
            }
        }
        std::vector<tcp::endpoint> usable;
        std::string refused;
        for (const auto& a : found) {
            Host h = host_of(a);
            bool denied = false;
            for (const auto& r : st_->matcher.rules().deny) denied = denied || r.pattern.matches(h);
            AddressClass c = classify(a);
            if (!denied && (c == AddressClass::global || st_->matcher.allows_address(h))) {
                usable.emplace_back(a, port);
                continue;
            }
            if (!refused.empty()) refused += ", ";
            refused +=
                h.text + (denied ? " (network.deny)" : std::string(" (") + to_string(c) + ")");
        }
        if (usable.empty()) {
            rec_.rule = "address check";
            rec_.allowed = false;
            rec_.reason = d.host.text + " resolves only to addresses the policy does not name: " +
                          (refused.empty() ? std::string("none") : refused) +
                          "; list an address in network.allow to allow it";
            co_return Reach::refused;
        }

        // Connect to exactly the addresses checked.
        auto [cec, ep] = co_await asio::async_connect(upstream_, usable, nothrow);
        if (cec) {
            rec_.failed = true;
            rec_.reason = "cannot connect to " + d.host.text + ":" + std::to_string(port) + ": " +
                          cec.message();
            co_return Reach::failed;
        }
        rec_.allowed = true;
        rec_.address = ep.address().to_string();
        co_return Reach::connected;
    }

    // A pump's buffer: opt.buffer_bytes, doubled while reads fill it (ProxyOptions says why),
    // within the proxy's bulk budget, given back when the pump ends. Not zero-filled: a page is
    // resident only once data went through it.
    struct PumpBuffer {
        Proxy::State& st;
        std::size_t size;
        std::unique_ptr<char[]> data;
        explicit PumpBuffer(Proxy::State& s)
            : st(s), size(s.opt.buffer_bytes), data(new char[s.opt.buffer_bytes]) {}
        ~PumpBuffer() { st.bulk_bytes -= size - st.opt.buffer_bytes; }
        PumpBuffer(const PumpBuffer&) = delete;
        PumpBuffer& operator=(const PumpBuffer&) = delete;
        void grow() {
            const std::size_t next = size * 2;
            if (next > st.opt.max_buffer_bytes ||
                st.bulk_bytes + (next - size) > st.opt.bulk_budget_bytes)
                return;
            std::unique_ptr<char[]> bigger(new (std::nothrow) char[next]);
            if (!bigger) return;
            st.bulk_bytes += next - size;
            data = std::move(bigger);
            size = next;
        }
    };

    // One direction of a tunnel: through a pipe with splice(2) where the kernel can, so that
    // the bytes never pass through sbxrun's memory (issue 13's throughput goal: a copying loop
    // reads and writes every byte once more than going direct); by copying where it cannot
    // (a socket type without splice, no descriptor left for the pipe).
    template <class From, class To>
    asio::awaitable<void> relay(From& from, To& to, std::uint64_t& count) {
        const Spliced s = co_await splice_pump(from, to, count);
        if (s == Spliced::unsupported) co_await pump(from, to, count);
    }

    enum class Spliced { done, unsupported };

    template <class From, class To>
    asio::awaitable<Spliced> splice_pump(From& from, To& to, std::uint64_t& count) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) co_return Spliced::unsupported;
        UniqueFd out(p[0]), in(p[1]);
        error_code ec;
        // splice(2) does not wait on a socket only because the pipe side is nonblocking.
        from.native_non_blocking(true, ec);
        if (!ec) to.native_non_blocking(true, ec);
        if (ec) co_return Spliced::unsupported;
        bool moved = false;
        for (;;) {
            const ssize_t n = ::splice(from.native_handle(), nullptr, in.get(), nullptr,
                                       kSpliceChunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n < 0) {
                const int err = errno;
                if (err == EINTR) continue;
                if (err == EAGAIN) {
                    auto [wec] = co_await from.async_wait(socket_base::wait_read, nothrow);
                    if (wec) {
                        close();
                        co_return Spliced::done;
                    }
                    continue;
                }
                if (!moved && (err == EINVAL || err == ENOSYS)) co_return Spliced::unsupported;
                close();
                co_return Spliced::done;
            }
            if (n == 0) {  // end of stream: passed on, as the copying pump does
                error_code ignored;
                to.shutdown(socket_base::shutdown_send, ignored);
                co_return Spliced::done;
            }
            moved = true;
            touch(st_->opt.idle_timeout);
            for (std::size_t left = static_cast<std::size_t>(n); left > 0;) {
                const ssize_t m = ::splice(out.get(), nullptr, to.native_handle(), nullptr, left,
                                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (m < 0 && errno == EINTR) continue;
                if (m < 0 && errno == EAGAIN) {
                    auto [wec] = co_await to.async_wait(socket_base::wait_write, nothrow);
                    if (!wec) continue;
                }
                if (m <= 0) {
                    close();
                    co_return Spliced::done;
                }
                left -= static_cast<std::size_t>(m);
                count += static_cast<std::uint64_t>(m);
            }
            touch(st_->opt.idle_timeout);
        }
    }

    template <class From, class To>
    asio::awaitable<void> pump(From& from, To& to, std::uint64_t& count) {
        PumpBuffer buf(*st_);
        for (;;) {
            auto window = asio::buffer(buf.data.get(), buf.size);
            auto [ec, n] = co_await from.async_read_some(window, nothrow);
            if (ec) {
                error_code ignored;
                if (ec == asio::error::eof) {
                    to.shutdown(asio::socket_base::shutdown_send, ignored);
                } else {
                    close();
                }
                co_return;
            }
            touch(st_->opt.idle_timeout);
            auto filled = asio::buffer(buf.data.get(), n);
            auto [wec, w] = co_await asio::async_write(to, filled, nothrow);
            if (wec) {
                close();
                co_return;
            }
            count += n;
            touch(st_->opt.idle_timeout);
            if (n == buf.size) buf.grow();
        }
    }

    std::shared_ptr<Proxy::State> st_;
    Client client_;
    tcp::socket upstream_;
    tcp::resolver resolver_;
    asio::steady_timer timer_;
    Clock::time_point deadline_;
    bool connecting_ = false;         // reach() is resolving or connecting upstream
    bool connect_timed_out_ = false;  // and the watchdog cut it short
    bool done_ = false;
    bool recorded_ = false;
    Record rec_;
    std::string out_;
};

template <class Acceptor>
asio::awaitable<void> accept_loop(std::shared_ptr<Proxy::State> st, Acceptor* acceptor) {
    asio::steady_timer backoff(st->io);
    while (!st->stopped) {
        auto [ec, sock] = co_await acceptor->async_accept(nothrow);
        if (st->stopped || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors or memory: wait a little rather than spin.
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        if constexpr (std::is_same_v<typename Acceptor::protocol_type, tcp>) {
            if (st->opt.admit && !st->opt.admit(sock)) {
                error_code ignored;
                sock.close(ignored);
                continue;
            }
        }
        if (st->sessions.size() >= st->opt.max_connections) {
            static constexpr std::string_view body =
                "sbxrun: too many connections through the proxy\n";
            static const std::string busy =
                "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
            error_code ignored;
            sock.non_blocking(true, ignored);
            sock.write_some(asio::buffer(busy), ignored);
            sock.close(ignored);
            continue;
        }
        std::make_shared<Session<typename Acceptor::protocol_type::socket>>(st, std::move(sock))
            ->start();
    }
}

}  // namespace

Proxy::Proxy(asio::io_context& io, HostMatcher matcher, ProxyOptions options)
    : state_(std::make_shared<State>(io, std::move(matcher), std::move(options))) {}

Proxy::~Proxy() {
    stop();
}

void Proxy::serve(tcp::acceptor acceptor) {
    state_->tcp_listeners.push_back(std::make_unique<tcp::acceptor>(std::move(acceptor)));
    asio::co_spawn(state_->io, accept_loop(state_, state_->tcp_listeners.back().get()),
                   asio::detached);
}

void Proxy::serve(unix_stream::acceptor acceptor) {
    state_->unix_listeners.push_back(std::make_unique<unix_stream::acceptor>(std::move(acceptor)));
    asio::co_spawn(state_->io, accept_loop(state_, state_->unix_listeners.back().get()),
                   asio::detached);
}

void Proxy::stop() {
    state_->stopped = true;
    error_code ignored;
    for (auto& l : state_->tcp_listeners) l->close(ignored);
    for (auto& l : state_->unix_listeners) l->close(ignored);
    for (SessionBase* s : state_->sessions) s->close();
}

const std::vector<Record>& Proxy::records() const {
    return state_->records;
}
std::size_t Proxy::dropped_records() const {
    return state_->dropped;
}
std::size_t Proxy::active_connections() const {
    return state_->sessions.size();
}

}  // namespace sbx::net
