// The name-lookup answerer's parsers (inner/dns_refuser.hpp): what it listens on, and what it
// answers to queries, well-formed or hostile (the command sends them).
#include "inner/dns_refuser.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using sbx::dns_nxdomain_answer;
using sbx::resolv_conf_nameservers;

namespace {

using Bytes = std::vector<unsigned char>;

// A standard query for `labels` (type A, class IN), id 0x1234, RD set.
Bytes query(const std::vector<std::string>& labels) {
    Bytes q = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    for (const auto& l : labels) {
        q.push_back(static_cast<unsigned char>(l.size()));
        q.insert(q.end(), l.begin(), l.end());
    }
    q.push_back(0);
    q.insert(q.end(), {0x00, 0x01, 0x00, 0x01});
    return q;
}

struct Answer {
    bool answered = false;
    Bytes bytes;
    std::string name;
};

Answer answer(const Bytes& q) {
    Answer a;
    a.bytes.resize(sbx::kDnsAnswerMax);
    auto len = dns_nxdomain_answer(q.data(), q.size(), a.bytes.data(), a.name);
    a.answered = len.has_value();
    a.bytes.resize(len.value_or(0));
    return a;
}

}  // namespace

TEST_CASE("resolv.conf: the name servers glibc would ask, in order, at most three") {
    CHECK(resolv_conf_nameservers("nameserver 10.0.0.1\n") == std::vector<std::string>{"10.0.0.1"});
    CHECK(resolv_conf_nameservers("# c\nsearch x\n nameserver\t192.0.2.1 # x\nnameserver ::1\n") ==
          std::vector<std::string>{"192.0.2.1", "::1"});
    CHECK(resolv_conf_nameservers("nameserver 1.1.1.1\nnameserver 1.1.1.2\nnameserver 1.1.1.3\n"
                                  "nameserver 1.1.1.4\n")
              .size() == 3);
    // A zone, a host name, junk and a look-alike key are not name servers.
    CHECK(resolv_conf_nameservers("nameserver fe80::1%eth0\nnameserver dns.example\n"
                                  "nameservers 10.0.0.2\nnameserver 10.0.0.300\n") ==
          std::vector<std::string>{"127.0.0.1"});
    // None at all (or no file): glibc's default.
    CHECK(resolv_conf_nameservers("") == std::vector<std::string>{"127.0.0.1"});
    CHECK(resolv_conf_nameservers("nameserver 10.0.0.1") ==
          std::vector<std::string>{"10.0.0.1"});  // no final newline
}

TEST_CASE("a query is answered NXDOMAIN with its id and question, and its name is reported") {
    const Bytes q = query({"Registry", "npmjs", "org"});
    const Answer a = answer(q);
    REQUIRE(a.answered);
    CHECK(a.name == "registry.npmjs.org");
    REQUIRE(a.bytes.size() == q.size());
    CHECK(a.bytes[0] == 0x12);
    CHECK(a.bytes[1] == 0x34);
    CHECK(a.bytes[2] == 0x81);  // QR, RD copied
    CHECK(a.bytes[3] == 0x83);  // RA, NXDOMAIN
    CHECK(Bytes(a.bytes.begin() + 4, a.bytes.begin() + 12) == Bytes{0, 1, 0, 0, 0, 0, 0, 0});
    CHECK(Bytes(a.bytes.begin() + 12, a.bytes.end()) == Bytes(q.begin() + 12, q.end()));
}

TEST_CASE("an EDNS query gets the question back without its additional record") {
    Bytes q = query({"example", "com"});
    q[11] = 1;  // ARCOUNT
    q.insert(q.end(), {0, 0x00, 0x29, 0x10, 0x00, 0, 0, 0, 0, 0, 0});
    const Answer a = answer(q);
    REQUIRE(a.answered);
    CHECK(a.bytes.size() == q.size() - 11);
    CHECK(a.bytes[11] == 0);
}

TEST_CASE("what is not one well-formed standard query gets no answer") {
    CHECK_FALSE(answer(Bytes{}).answered);
    CHECK_FALSE(answer(Bytes(11, 0)).answered);
    Bytes response = query({"a"});
    response[2] |= 0x80;
    CHECK_FALSE(answer(response).answered);
    Bytes notify = query({"a"});
    notify[2] |= 4 << 3;  // opcode 4
    CHECK_FALSE(answer(notify).answered);
    Bytes two = query({"a"});
    two[5] = 2;
    CHECK_FALSE(answer(two).answered);
    Bytes none = query({"a"});
    none[5] = 0;
    CHECK_FALSE(answer(none).answered);
    // A compression pointer, a label over 63 bytes, a label running past the end, no QTYPE.
    Bytes pointer = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1};
    CHECK_FALSE(answer(pointer).answered);
    CHECK_FALSE(answer(query({std::string(64, 'a')})).answered);
    Bytes cut = query({"abcdef"});
    cut.resize(15);
    CHECK_FALSE(answer(cut).answered);
    Bytes short_q = query({"a"});
    short_q.resize(short_q.size() - 1);
    CHECK_FALSE(answer(short_q).answered);
    // A name over 255 bytes in all.
    CHECK_FALSE(answer(query(std::vector<std::string>(5, std::string(63, 'a')))).answered);
    CHECK(answer(query(std::vector<std::string>(3, std::string(63, 'a')))).answered);
}

TEST_CASE("a name's odd bytes are escaped: one plain line, no newline, no '+', no dot inside") {
    const Answer a = answer(query({std::string("ev\nil+1", 7), "a.b", std::string("\xff\x00", 2)}));
    REQUIRE(a.answered);
    CHECK(a.name == "ev\\x0ail\\x2b1.a\\x2eb.\\xff\\x00");
    CHECK(a.name.find('\n') == std::string::npos);
    CHECK(a.name.find('+') == std::string::npos);
    CHECK(answer(query({"x_y-z", "*"})).name == "x_y-z.*");
}

TEST_CASE("sbxrun reads a logged name back to its bytes, and nothing else as a name") {
    const Answer a = answer(query({std::string("ev\nil+1", 7), "a.b", std::string("\xff\x00", 2)}));
    REQUIRE(a.answered);
    CHECK(sbx::decode_logged_name(a.name) == std::string("ev\nil+1.a.b.\xff\x00", 14));
    CHECK(sbx::decode_logged_name("registry.npmjs.org") == "registry.npmjs.org");
    // What the answerer never writes: upper case, a bare backslash, a short or bad escape,
    // a byte that would reorder a terminal's text.
    for (const char* bad : {"Registry.org", "a\\", "a\\x4", "a\\xg0", "a\\y00", "a b", "a\x1b"})
        CHECK_FALSE(sbx::decode_logged_name(bad).has_value());
}
