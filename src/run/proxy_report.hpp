// What the allowlist proxy saw in one run, per destination, for the status document and the
// last lines on stderr (pure: unit-tested without a proxy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sbx::net {
struct Record;  // net/proxy.hpp
}

namespace sbx {

// One host:port, aggregated over every connection to it, in the order first seen.
struct ProxyDestination {
    std::string host;  // as the proxy normalised it (printable)
    std::uint16_t port = 0;
    std::string rule;  // the rule that decided (the first connection's)
    std::string why;   // refused or failed: the one-line reason (the first connection's)
    std::size_t count = 0;
    std::uint64_t bytes_up = 0, bytes_down = 0;  // allowed: summed over the connections
};

struct ProxyReport {
    bool active = false;    // the run had network.mode = "allowlist" through the proxy
    std::string url;        // what the command's HTTP_PROXY named
    std::string socks_url;  // what its ALL_PROXY named
    std::vector<ProxyDestination> refused;      // 403: denials.network, op "connect"
    std::vector<ProxyDestination> connections;  // allowed (and the 502s, with `why`)
    std::size_t dropped = 0;                    // decisions past the proxy's record cap
};

// Aggregate the records by (allowed or refused, host, port). A destination that was allowed
// and failed (502: no address, connect refused) is listed with the connections, its `why` set.
[[nodiscard]] ProxyReport summarize_proxy_records(const std::vector<net::Record>& records,
                                                  std::size_t dropped);

}  // namespace sbx
