#include "run/direct_denials.hpp"

#include <charconv>
#include <string_view>

#include "util/printable.hpp"

namespace sbx {
namespace {

// "1.2.3.4:443" or "[2001:db8::1]:443" (inner/net_observe.hpp's inet_destination) split into
// the address and the port; false for anything else.
bool split_destination(std::string_view text, std::string& host, unsigned& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view h = text.substr(0, colon), p = text.substr(colon + 1);
    if (h.front() == '[') {
        if (h.size() < 3 || h.back() != ']') return false;
        h = h.substr(1, h.size() - 2);
    }
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || ptr != p.data() + p.size() || port > 65535) return false;
    host = std::string(h);
    return true;
}

std::string why_for(NetworkMode mode) {
    if (mode == NetworkMode::allowlist)
        return "network.mode is \"allowlist\": connections go through the proxy (HTTP_PROXY), "
               "and nothing else leaves the sandbox";
    return "network.mode is \"none\": nothing leaves the sandbox";
}

}  // namespace

void add_direct_denials(Outcome& o, const SandboxExit& e, NetworkMode mode) {
    for (const auto& r : e.refusals) {
        if (!is_network(r.op)) continue;
        Outcome::NetDenial d;
        if (!split_destination(r.path, d.host, d.port)) continue;  // not sbxrun-inner's line
        d.op = to_string(r.op);
        d.count = r.count;
        d.why = why_for(mode);
        o.direct_denials.push_back(std::move(d));
    }
}

std::string direct_denial_summary(const Outcome& o) {
    if (o.direct_denials.empty()) return {};
    std::uint64_t total = 0;
    for (const auto& d : o.direct_denials) total += d.count;
    constexpr std::size_t kShown = 3;
    std::string where;
    for (std::size_t i = 0; i < o.direct_denials.size() && i < kShown; ++i) {
        const auto& d = o.direct_denials[i];
        const bool v6 = d.host.find(':') != std::string::npos;
        where += (i == 0 ? "" : ", ") + std::string(v6 ? "[" : "") + printable(d.host) +
                 (v6 ? "]" : "") + ":" + std::to_string(d.port);
    }
    if (o.direct_denials.size() > kShown)
        where += " and " + std::to_string(o.direct_denials.size() - kShown) + " more";
    const std::string mode = o.proxy.active ? "allowlist" : "none";
    return "refused " + std::to_string(total) +
           (total == 1 ? " connection or datagram to an address: "
                       : " connections or datagrams to addresses: ") +
           where + " (network.mode = \"" + mode + "\")";
}

}  // namespace sbx
