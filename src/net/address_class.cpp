#include "net/address_class.hpp"

#include <cstdint>

namespace sbx::net {
namespace {

bool in(std::uint32_t a, std::uint32_t net, int bits) {
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (a & mask) == net;
}

AddressClass classify_v4(const boost::asio::ip::address_v4& v4) {
    const std::uint32_t a = v4.to_uint();
    if (in(a, 0x7f000000, 8)) return AddressClass::loopback;
    if (in(a, 0x0a000000, 8) || in(a, 0xac100000, 12) || in(a, 0xc0a80000, 16) ||
        in(a, 0x64400000, 10))
        return AddressClass::private_use;
    if (in(a, 0xa9fe0000, 16)) return AddressClass::link_local;
    if (in(a, 0xe0000000, 4)) return AddressClass::multicast;
    if (in(a, 0x00000000, 8) || in(a, 0xf0000000, 4) ||  // this network, class E + broadcast
        in(a, 0xc0000000, 24) ||                         // IETF protocol assignments
        in(a, 0xc0000200, 24) || in(a, 0xc6336400, 24) || in(a, 0xcb007100, 24) ||  // TEST-NET-1..3
        in(a, 0xc6120000, 15))                                                      // benchmarking
        return AddressClass::reserved;
    return AddressClass::global;
}

}  // namespace

AddressClass classify(const boost::asio::ip::address& a) {
    if (a.is_v4()) return classify_v4(a.to_v4());
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped())
        return classify_v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
    const auto b = v6.to_bytes();
    if (v6.is_loopback()) return AddressClass::loopback;
    if (v6.is_unspecified()) return AddressClass::reserved;
    if (b[0] == 0xff) return AddressClass::multicast;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::link_local;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::reserved;  // site-local
    if ((b[0] & 0xfe) == 0xfc) return AddressClass::private_use;
    // ::/96 (IPv4-compatible, deprecated), 64:ff9b::/96 (NAT64: the IPv4 inside decides).
    bool compat = true;
    for (int i = 0; i < 12; ++i) compat = compat && b[i] == 0;
    bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b;
    for (int i = 4; i < 12; ++i) nat64 = nat64 && b[i] == 0;
    if (compat || nat64) {
        boost::asio::ip::address_v4::bytes_type v4{b[12], b[13], b[14], b[15]};
        return classify_v4(boost::asio::ip::address_v4(v4));
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return AddressClass::reserved;  // documentation
    return AddressClass::global;
}

const char* to_string(AddressClass c) {
    switch (c) {
        case AddressClass::global:
            return "public";
        case AddressClass::loopback:
            return "loopback";
        case AddressClass::private_use:
            return "private";
        case AddressClass::link_local:
            return "link-local";
        case AddressClass::multicast:
            return "multicast";
        case AddressClass::reserved:
            return "reserved";
    }
    return "reserved";
}

}  // namespace sbx::net
