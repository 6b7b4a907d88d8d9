#include "run/proxy_report.hpp"

#include <algorithm>

#include "net/proxy.hpp"

namespace sbx {

ProxyReport summarize_proxy_records(const std::vector<net::Record>& records, std::size_t dropped) {
    ProxyReport out;
    out.active = true;
    out.dropped = dropped;
    for (const auto& r : records) {
        auto& list = r.allowed || r.failed ? out.connections : out.refused;
        auto it = std::find_if(list.begin(), list.end(), [&](const ProxyDestination& d) {
            return d.host == r.host && d.port == r.port;
        });
        if (it == list.end()) {
            ProxyDestination d;
            d.host = r.host;
            d.port = r.port;
            d.rule = r.rule;
            list.push_back(std::move(d));
            it = list.end() - 1;
        }
        ++it->count;
        it->bytes_up += r.bytes_up;
        it->bytes_down += r.bytes_down;
        if (it->why.empty() && !r.reason.empty()) it->why = r.reason;
    }
    return out;
}

}  // namespace sbx
