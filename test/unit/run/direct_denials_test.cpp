// The connections half of the denial report (run/direct_denials.hpp): what the broker's
// network lines become in the outcome, and the line on stderr.
#include "run/direct_denials.hpp"

#include <catch2/catch.hpp>

using sbx::Outcome;
using sbx::RefusedOp;

TEST_CASE("add_direct_denials: network refusals only, split into address and port", "[denials]") {
    sbx::SandboxExit e;
    e.refusals = {{RefusedOp::create, "/home/u/.cache/x", 2},
                  {RefusedOp::connect, "192.0.2.1:443", 3},
                  {RefusedOp::send, "[2001:db8::1]:53", 1},
                  {RefusedOp::connect, "nonsense", 1},
                  {RefusedOp::connect, "[::1:80", 1},
                  {RefusedOp::connect, "192.0.2.1:70000", 1},
                  {RefusedOp::socket, "inet6", 4},
                  {RefusedOp::socket, "bluetooth", 1}};
    Outcome o;
    sbx::add_direct_denials(o, e, sbx::NetworkMode::none);
    REQUIRE(o.direct_denials.size() == 3);
    CHECK(o.direct_denials[2].op == "socket");
    CHECK(o.direct_denials[2].family == "inet6");
    CHECK(o.direct_denials[2].count == 4);
    CHECK(o.direct_denials[2].host.empty());
    CHECK(o.direct_denials[0].op == "connect");
    CHECK(o.direct_denials[0].host == "192.0.2.1");
    CHECK(o.direct_denials[0].port == 443);
    CHECK(o.direct_denials[0].count == 3);
    CHECK(o.direct_denials[0].why == "network.mode is \"none\": nothing leaves the sandbox");
    CHECK(o.direct_denials[1].op == "send");
    CHECK(o.direct_denials[1].host == "2001:db8::1");
    CHECK(o.direct_denials[1].port == 53);
    Outcome a;
    sbx::add_direct_denials(a, e, sbx::NetworkMode::allowlist);
    REQUIRE(a.direct_denials.size() == 3);
    CHECK(a.direct_denials[0].why.rfind("network.mode is \"allowlist\"", 0) == 0);
}

TEST_CASE("direct_denial_summary: the total, three addresses, how many more", "[denials]") {
    Outcome o;
    CHECK(sbx::direct_denial_summary(o).empty());
    o.direct_denials.push_back({"connect", "192.0.2.1", 443, 1, "", ""});
    CHECK(sbx::direct_denial_summary(o) ==
          "refused 1 connection or datagram to an address: 192.0.2.1:443 (network.mode = "
          "\"none\")");
    o.direct_denials.push_back({"send", "2001:db8::1", 53, 2, "", ""});
    o.direct_denials.push_back({"connect", "192.0.2.2", 1, 1, "", ""});
    o.direct_denials.push_back({"connect", "192.0.2.3", 1, 1, "", ""});
    o.proxy.active = true;
    CHECK(sbx::direct_denial_summary(o) ==
          "refused 5 connections or datagrams to addresses: 192.0.2.1:443, [2001:db8::1]:53, "
          "192.0.2.2:1 and 1 more (network.mode = \"allowlist\")");
}

TEST_CASE("direct_denial_summary: refused internet sockets say the network was wanted",
          "[denials]") {
    Outcome o;
    o.direct_denials.push_back({"socket", "", 0, 3, "", "inet"});
    o.direct_denials.push_back({"socket", "", 0, 1, "", "inet6"});
    CHECK(sbx::direct_denial_summary(o) ==
          "refused 4 internet sockets: the command wanted the network (network.mode = \"none\")");
}

TEST_CASE("direct_denial_summary: a destination both connected to and sent to is named once",
          "[denials]") {
    Outcome o;
    o.direct_denials.push_back({"connect", "198.51.100.7", 53, 1, "", ""});
    o.direct_denials.push_back({"send", "198.51.100.7", 53, 2, "", ""});
    CHECK(sbx::direct_denial_summary(o) ==
          "refused 3 connections or datagrams to addresses: 198.51.100.7:53 (network.mode = "
          "\"none\")");
}
