// Host names, allow/deny patterns and the decision between them (net/host_matcher.hpp).
#include "net/host_matcher.hpp"

#include <catch2/catch.hpp>

using namespace sbx;
using namespace sbx::net;

namespace {

HostPattern pat(std::string_view text) {
    auto p = parse_host_pattern(text);
    if (!p) FAIL(std::string(text) + ": " + p.error().message);
    return *p;
}

std::string pattern_error(std::string_view text) {
    auto p = parse_host_pattern(text);
    if (p) FAIL(std::string(text) + " was accepted as " + p->text());
    return p.error().message;
}

HostRule rule(std::string_view text, std::string key) {
    return {pat(text), {"p.toml", 3, key}};
}

bool matches(std::string_view pattern, std::string_view host) {
    auto h = parse_host(host);
    if (!h) FAIL(std::string(host) + ": " + h.error().message);
    return pat(pattern).matches(*h);
}

}  // namespace

TEST_CASE("pattern kinds and their text") {
    CHECK(pat("example.com").kind == PatternKind::exact);
    CHECK(pat("*.example.com").kind == PatternKind::subdomains);
    CHECK(pat("**.example.com").kind == PatternKind::apex_and_subdomains);
    CHECK(pat("Example.COM.").text() == "example.com");
    CHECK(pat("*.EXAMPLE.com").text() == "*.example.com");
    CHECK(pat("**.example.com.").text() == "**.example.com");
    CHECK(pat("xn--bcher-kva.example").text() == "xn--bcher-kva.example");
    CHECK(pat("_acme.example.com").text() == "_acme.example.com");
    CHECK(pat("localhost").text() == "localhost");
}

TEST_CASE("addresses are exact patterns in canonical form") {
    CHECK(pat("127.0.0.1").host == Host{HostKind::ipv4, "127.0.0.1"});
    CHECK(pat("::1").host == Host{HostKind::ipv6, "::1"});
    CHECK(pat("[::1]").host == Host{HostKind::ipv6, "::1"});
    CHECK(pat("[0:0:0:0:0:0:0:1]").text() == "::1");
    CHECK(pat("FE80::A").text() == "fe80::a");
    CHECK(pat("::ffff:10.0.0.1").host.kind == HostKind::ipv6);
}

TEST_CASE("exact, subdomain and apex-and-subdomain matching") {
    CHECK(matches("example.com", "example.com"));
    CHECK(matches("example.com", "EXAMPLE.com."));
    CHECK_FALSE(matches("example.com", "www.example.com"));
    CHECK_FALSE(matches("example.com", "example.co"));
    CHECK_FALSE(matches("example.com", "example.com.evil"));

    CHECK(matches("*.example.com", "a.example.com"));
    CHECK(matches("*.example.com", "a.b.example.com"));
    CHECK(matches("*.example.com", "A.Example.Com."));
    CHECK_FALSE(matches("*.example.com", "example.com"));
    CHECK_FALSE(matches("*.example.com", "badexample.com"));
    CHECK_FALSE(matches("*.example.com", "example.com.evil.org"));

    CHECK(matches("**.example.com", "example.com"));
    CHECK(matches("**.example.com", "x.example.com"));
    CHECK(matches("**.example.com", "y.x.example.com"));
    CHECK_FALSE(matches("**.example.com", "notexample.com"));
    CHECK_FALSE(matches("**.example.com", "com"));

    CHECK(matches("127.0.0.1", "127.0.0.1"));
    CHECK(matches("::1", "[::1]"));
    CHECK(matches("[::1]", "0:0::1"));
    CHECK_FALSE(matches("127.0.0.1", "127.0.0.2"));
    CHECK_FALSE(matches("127.0.0.1", "localhost"));
    CHECK_FALSE(matches("::1", "127.0.0.1"));
    CHECK_FALSE(matches("**.example.com", "127.0.0.1"));
}

TEST_CASE("hosts: case, trailing dot, empty labels, overlong names, numeric tails") {
    auto host = [](std::string_view t) { return parse_host(t); };
    CHECK(host("WWW.Example.COM.")->text == "www.example.com");
    CHECK_FALSE(host("example.com.."));
    CHECK_FALSE(host(".example.com"));
    CHECK_FALSE(host("a..b"));
    CHECK_FALSE(host("."));
    CHECK_FALSE(host(""));
    CHECK_FALSE(host("-a.com"));
    CHECK_FALSE(host("a-.com"));
    CHECK_FALSE(host("a b.com"));
    CHECK_FALSE(host("a*.com"));
    CHECK_FALSE(host("*.com"));
    CHECK_FALSE(host("a.com\n"));
    CHECK_FALSE(host(std::string_view("a\0b.com", 7)));
    std::string label63(63, 'a'), label64(64, 'a');
    CHECK(host(label63 + ".com"));
    CHECK_FALSE(host(label64 + ".com"));
    std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
    REQUIRE(name253.size() == 253);
    CHECK(host(name253));
    CHECK(host(name253 + "."));  // the trailing dot is not counted
    CHECK_FALSE(host(name253 + "b"));
    // A last label of digits is an address, and only a canonical dotted quad is one.
    CHECK(host("10.1.2.3")->kind == HostKind::ipv4);
    CHECK_FALSE(host("127.1"));
    CHECK_FALSE(host("0177.0.0.1"));
    CHECK_FALSE(host("0x7f.0.0.1"));
    CHECK_FALSE(host("1.2.3.4.5"));
    CHECK_FALSE(host("256.0.0.1"));
    CHECK_FALSE(host("example.123"));
    CHECK(host("123.example")->kind == HostKind::name);
    // IPv6 literals.
    CHECK(host("[2001:DB8::1]")->text == "2001:db8::1");
    CHECK(host("2001:db8::1")->kind == HostKind::ipv6);
    CHECK_FALSE(host("[2001:db8::1"));
    CHECK_FALSE(host("[]"));
    CHECK_FALSE(host("[example.com]"));
    CHECK_FALSE(host("[::1]:443"));
    CHECK_FALSE(host("[fe80::1%eth0]"));
    // Punycode is plain ASCII; Unicode is refused, saying why.
    CHECK(host("xn--mnchen-3ya.de")->text == "xn--mnchen-3ya.de");
    auto u = host("m\xc3\xbcnchen.de");
    REQUIRE_FALSE(u);
    CHECK_THAT(u.error().message, Catch::Contains("punycode"));
}

TEST_CASE("refused patterns say why") {
    using Catch::Contains;
    CHECK_THAT(pattern_error(""), Contains("empty"));
    CHECK_THAT(pattern_error("*"), Contains("mode = \"full\""));
    CHECK_THAT(pattern_error("**"), Contains("mode = \"full\""));
    CHECK_THAT(pattern_error("*.com"), Contains("whole suffix"));
    CHECK_THAT(pattern_error("**.org"), Contains("whole suffix"));
    CHECK_THAT(pattern_error("*.com."), Contains("whole suffix"));
    CHECK_THAT(pattern_error("a.*.example.com"), Contains("whole first label"));
    CHECK_THAT(pattern_error("*example.com"), Contains("whole first label"));
    CHECK_THAT(pattern_error("example.*"), Contains("whole first label"));
    CHECK_THAT(pattern_error("***.example.com"), Contains("whole first label"));
    CHECK_THAT(pattern_error("https://example.com"), Contains("URL"));
    CHECK_THAT(pattern_error("example.com/path"), Contains("'/'"));
    CHECK_THAT(pattern_error("10.0.0.0/8"), Contains("CIDR"));
    CHECK_THAT(pattern_error("example.com:443"), Contains("network.ports"));
    CHECK_THAT(pattern_error("[::1]:443"), Contains("IPv6"));
    CHECK_THAT(pattern_error("*.10.0.0.1"), Contains("address cannot have a wildcard"));
    CHECK_THAT(pattern_error("**.[::1]"), Contains("address cannot have a wildcard"));
    CHECK_THAT(pattern_error("10.0.0.*"), Contains("whole first label"));
    CHECK_THAT(pattern_error("user@example.com"), Contains("not a host name"));
    CHECK_THAT(pattern_error(" example.com"), Contains("not a host name"));
    CHECK_THAT(pattern_error("b\xc3\xbc"
                             "cher.example"),
               Contains("not ASCII"));
    CHECK_THAT(pattern_error("a..example.com"), Contains("empty label"));
    CHECK_THAT(pattern_error(std::string(64, 'a') + ".com"), Contains("label longer"));
    CHECK_THAT(pattern_error("127.1"), Contains("dotted-quad"));
}

TEST_CASE("decide: ports, deny wins, first allow names the rule, default refusal") {
    AllowlistRules r;
    r.allow = {rule("registry.npmjs.org", "network.allow[0]"),
               rule("**.github.com", "network.allow[1]"), rule("127.0.0.1", "network.allow[2]")};
    r.deny = {rule("gist.github.com", "network.deny[0]")};
    HostMatcher m(r);

    auto d = m.decide("registry.npmjs.org", 443);
    CHECK(d.allowed);
    CHECK(d.rule_name == "network.allow[0] \"registry.npmjs.org\"");
    CHECK(d.rule == &m.rules().allow[0]);

    d = m.decide("API.GitHub.com.", 80);
    CHECK(d.allowed);
    CHECK(d.host.text == "api.github.com");
    CHECK(d.rule_name == "network.allow[1] \"**.github.com\"");

    d = m.decide("gist.github.com", 443);
    CHECK_FALSE(d.allowed);
    CHECK(d.rule_name == "network.deny[0] \"gist.github.com\"");
    CHECK_THAT(d.reason, Catch::Contains("refused by network.deny[0]"));

    d = m.decide("registry.npmjs.org", 22);
    CHECK_FALSE(d.allowed);
    CHECK(d.rule_name == "network.ports");

    d = m.decide("example.org", 443);
    CHECK_FALSE(d.allowed);
    CHECK(d.rule == nullptr);
    CHECK(d.rule_name == "no network.allow rule");

    d = m.decide("127.1", 443);
    CHECK_FALSE(d.allowed);
    CHECK(d.rule_name == "host syntax");

    d = m.decide("127.0.0.1", 80);
    CHECK(d.allowed);
    CHECK(m.allows_address(Host{HostKind::ipv4, "127.0.0.1"}));
    CHECK_FALSE(m.allows_address(Host{HostKind::ipv4, "127.0.0.2"}));
    CHECK_FALSE(m.allows_address(Host{HostKind::name, "127.0.0.1"}));
}

TEST_CASE("deny wins over an overlapping allow, and over an explicit address") {
    AllowlistRules r;
    r.allow = {rule("**.example.com", "network.allow[0]"), rule("::1", "network.allow[1]")};
    r.deny = {rule("*.example.com", "network.deny[0]"), rule("[::1]", "network.deny[1]")};
    r.ports = {8443};
    HostMatcher m(r);
    CHECK(m.decide("example.com", 8443).allowed);
    CHECK_FALSE(m.decide("a.example.com", 8443).allowed);
    CHECK_FALSE(m.decide("example.com", 443).allowed);
    CHECK_FALSE(m.decide("[::1]", 8443).allowed);
    CHECK_FALSE(m.allows_address(Host{HostKind::ipv6, "::1"}));
}

TEST_CASE("an empty allowlist refuses everything") {
    HostMatcher m(AllowlistRules{});
    CHECK_FALSE(m.decide("example.com", 443).allowed);
    CHECK_FALSE(m.decide("127.0.0.1", 80).allowed);
}
