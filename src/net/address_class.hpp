// What kind of address a name resolved to: the proxy connects only to public unicast addresses
// unless the policy names the address itself (loopback, private, link-local, multicast and the
// rest are how a sandboxed command would reach the host's or the LAN's services through an
// allowed name that resolves there, e.g. by DNS rebinding).
#pragma once

#include <boost/asio/ip/address.hpp>

namespace sbx::net {

enum class AddressClass {
    global,       // public unicast
    loopback,     // 127.0.0.0/8, ::1
    private_use,  // 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7
    link_local,   // 169.254/16, fe80::/10
    multicast,    // 224/4, ff00::/8
    reserved,     // 0/8, 240/4, broadcast, ::, documentation and benchmarking ranges, fec0::/10
};

// IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 address they carry.
[[nodiscard]] AddressClass classify(const boost::asio::ip::address& a);

[[nodiscard]] const char* to_string(AddressClass c);

}  // namespace sbx::net
