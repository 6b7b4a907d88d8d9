// What the allowlist proxy saw, per destination (run/proxy_report.hpp), and the test knob that
// maps names for it (run/allowlist_proxy.hpp's parse_static_hosts).
#include "run/proxy_report.hpp"

#include <catch2/catch.hpp>

#include "net/proxy.hpp"
#include "run/allowlist_proxy.hpp"

using namespace sbx;

namespace {

net::Record rec(std::string host, std::uint16_t port, bool allowed, std::string rule,
                std::string reason = {}, std::uint64_t up = 0, std::uint64_t down = 0) {
    net::Record r;
    r.host = std::move(host);
    r.port = port;
    r.allowed = allowed;
    r.rule = std::move(rule);
    r.reason = std::move(reason);
    r.bytes_up = up;
    r.bytes_down = down;
    return r;
}

}  // namespace

TEST_CASE("proxy records are aggregated per host:port, refused apart from allowed") {
    std::vector<net::Record> records = {
        rec("a.test", 443, true, "network.allow[0]", "", 10, 100),
        rec("b.test", 443, false, "network.deny[0] \"b.test\"", "b.test is refused"),
        rec("a.test", 443, true, "network.allow[0]", "", 5, 50),
        rec("a.test", 80, true, "network.allow[0]", "", 1, 2),
        rec("b.test", 443, false, "network.deny[0] \"b.test\"", "b.test is refused"),
        rec("c.test", 8080, false, "network.ports", "port 8080 is not in network.ports"),
    };
    net::Record failed = rec("d.test", 443, false, "network.allow[1]", "cannot connect");
    failed.failed = true;
    records.push_back(failed);

    ProxyReport r = summarize_proxy_records(records, 7);
    CHECK(r.active);
    CHECK(r.dropped == 7);
    REQUIRE(r.refused.size() == 2);
    CHECK(r.refused[0].host == "b.test");
    CHECK(r.refused[0].port == 443);
    CHECK(r.refused[0].count == 2);
    CHECK(r.refused[0].rule == "network.deny[0] \"b.test\"");
    CHECK(r.refused[0].why == "b.test is refused");
    CHECK(r.refused[1].host == "c.test");
    CHECK(r.refused[1].rule == "network.ports");

    REQUIRE(r.connections.size() == 3);
    CHECK(r.connections[0].host == "a.test");
    CHECK(r.connections[0].port == 443);
    CHECK(r.connections[0].count == 2);
    CHECK(r.connections[0].bytes_up == 15);
    CHECK(r.connections[0].bytes_down == 150);
    CHECK(r.connections[0].why.empty());
    CHECK(r.connections[1].port == 80);
    // Allowed but failed (502): a connection with its reason, not a refusal of the sandbox.
    CHECK(r.connections[2].host == "d.test");
    CHECK(r.connections[2].why == "cannot connect");
}

TEST_CASE("no records: an active, empty report") {
    ProxyReport r = summarize_proxy_records({}, 0);
    CHECK(r.active);
    CHECK(r.refused.empty());
    CHECK(r.connections.empty());
}

TEST_CASE("SBXRUN_TEST_PROXY_HOSTS maps names to addresses") {
    auto h = parse_static_hosts("a.test=127.0.0.1;b.test=::1,127.0.0.2;");
    REQUIRE(h.ok());
    REQUIRE(h->size() == 2);
    CHECK((*h)[0].first == "a.test");
    REQUIRE((*h)[0].second.size() == 1);
    CHECK((*h)[0].second[0].to_string() == "127.0.0.1");
    REQUIRE((*h)[1].second.size() == 2);
    CHECK((*h)[1].second[0].to_string() == "::1");
    CHECK(parse_static_hosts("").ok());
    CHECK_FALSE(parse_static_hosts("a.test").ok());
    CHECK_FALSE(parse_static_hosts("=127.0.0.1").ok());
    CHECK_FALSE(parse_static_hosts("a.test=example.com").ok());
    CHECK_FALSE(parse_static_hosts("a.test=127.0.0.1,").ok());
}

TEST_CASE("the Landlock proxy finds the uid of a loopback client in /proc/net/tcp") {
    // A listener on 9000, a client 127.0.0.1:40000 -> 9000 of uid 1001 (and the accepted end,
    // owned by sbxrun's uid 0), another user's connection to 9000 from port 40001, and a
    // closing one (TIME_WAIT) from port 40002.
    const char* text =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0     "
        "   0 1 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:9C40 0100007F:2328 01 00000000:00000000 00:00000000 00000000  1001     "
        "   0 2 1 0000000000000000 20 4 30 10 -1\n"
        "   2: 0100007F:2328 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0     "
        "   0 3 1 0000000000000000 20 4 30 10 -1\n"
        "   3: 0100007F:9C41 0100007F:2328 01 00000000:00000000 00:00000000 00000000  1002     "
        "   0 4 1 0000000000000000 20 4 30 10 -1\n"
        "   4: 0100007F:9C42 0100007F:2328 06 00000000:00000000 00:00000000 00000000  1001     "
        "   0 0 1 0000000000000000 20 4 30 10 -1\n";
    CHECK(sbx::tcp_client_uid(text, 40000, 9000) == 1001u);
    CHECK(sbx::tcp_client_uid(text, 40001, 9000) == 1002u);
    CHECK_FALSE(sbx::tcp_client_uid(text, 40002, 9000).has_value());  // not established
    CHECK_FALSE(sbx::tcp_client_uid(text, 40000, 9001).has_value());
    CHECK_FALSE(sbx::tcp_client_uid("", 40000, 9000).has_value());
    CHECK_FALSE(sbx::tcp_client_uid("garbage\n1 2 3\n", 40000, 9000).has_value());
}
