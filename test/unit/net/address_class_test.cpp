// Which resolved addresses the proxy treats as public (net/address_class.hpp).
#include "net/address_class.hpp"

#include <catch2/catch.hpp>

using namespace sbx::net;

namespace {
AddressClass of(const char* text) {
    return classify(boost::asio::ip::make_address(text));
}
}  // namespace

TEST_CASE("address classes, IPv4") {
    CHECK(of("8.8.8.8") == AddressClass::global);
    CHECK(of("1.1.1.1") == AddressClass::global);
    CHECK(of("127.0.0.1") == AddressClass::loopback);
    CHECK(of("127.255.0.9") == AddressClass::loopback);
    CHECK(of("10.1.2.3") == AddressClass::private_use);
    CHECK(of("172.16.0.1") == AddressClass::private_use);
    CHECK(of("172.31.255.255") == AddressClass::private_use);
    CHECK(of("172.32.0.1") == AddressClass::global);
    CHECK(of("192.168.1.1") == AddressClass::private_use);
    CHECK(of("100.64.0.1") == AddressClass::private_use);
    CHECK(of("100.128.0.1") == AddressClass::global);
    CHECK(of("169.254.169.254") == AddressClass::link_local);
    CHECK(of("224.0.0.1") == AddressClass::multicast);
    CHECK(of("239.255.255.250") == AddressClass::multicast);
    CHECK(of("0.0.0.0") == AddressClass::reserved);
    CHECK(of("255.255.255.255") == AddressClass::reserved);
    CHECK(of("240.0.0.1") == AddressClass::reserved);
    CHECK(of("192.0.2.1") == AddressClass::reserved);
    CHECK(of("198.18.0.1") == AddressClass::reserved);
}

TEST_CASE("address classes, IPv6 and IPv4 inside IPv6") {
    CHECK(of("2606:4700::1111") == AddressClass::global);
    CHECK(of("::1") == AddressClass::loopback);
    CHECK(of("::") == AddressClass::reserved);
    CHECK(of("fe80::1") == AddressClass::link_local);
    CHECK(of("febf::1") == AddressClass::link_local);
    CHECK(of("fec0::1") == AddressClass::reserved);
    CHECK(of("fc00::1") == AddressClass::private_use);
    CHECK(of("fd12:3456::1") == AddressClass::private_use);
    CHECK(of("ff02::1") == AddressClass::multicast);
    CHECK(of("2001:db8::1") == AddressClass::reserved);
    CHECK(of("::ffff:127.0.0.1") == AddressClass::loopback);
    CHECK(of("::ffff:10.0.0.1") == AddressClass::private_use);
    CHECK(of("::ffff:8.8.8.8") == AddressClass::global);
    CHECK(of("::127.0.0.1") == AddressClass::loopback);
    CHECK(of("64:ff9b::a9fe:a9fe") == AddressClass::link_local);
    CHECK(std::string(to_string(AddressClass::loopback)) == "loopback");
}
