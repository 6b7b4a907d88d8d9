#include "run/direct_denials.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

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

std::string why_for(NetworkMode mode, RefusedOp op) {
    if (op == RefusedOp::socket)
        return "network.mode is \"none\": no internet socket can be made (under Landlock the "
               "names and addresses the command wanted are not known)";
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
        if (r.op == RefusedOp::socket) {
            if (r.path != "inet" && r.path != "inet6") continue;
            d.family = r.path;
        } else if (!split_destination(r.path, d.host, d.port)) {
            continue;  // not a line a broker writes
        }
        d.op = to_string(r.op);
        d.count = r.count;
        d.why = why_for(mode, r.op);
        o.direct_denials.push_back(std::move(d));
    }
}

std::string direct_denial_summary(const Outcome& o) {
    std::uint64_t total = 0, sockets = 0;
    std::vector<const Outcome::NetDenial*> addressed;
    for (const auto& d : o.direct_denials) {
        if (d.op == "socket") {
            sockets += d.count;
        } else {
            total += d.count;
            addressed.push_back(&d);
        }
    }
    if (sockets != 0)
        return "refused " + std::to_string(sockets) +
               (sockets == 1 ? " internet socket" : " internet sockets") +
               ": the command wanted the network (network.mode = \"none\")";
    if (addressed.empty()) return {};
    // Each destination once (a connect and a datagram to one address are two entries).
    std::vector<std::string> shown;
    for (const auto* d : addressed) {
        const bool v6 = d->host.find(':') != std::string::npos;
        std::string s =
            std::string(v6 ? "[" : "") + d->host + (v6 ? "]" : "") + ":" + std::to_string(d->port);
        if (std::find(shown.begin(), shown.end(), s) == shown.end()) shown.push_back(std::move(s));
    }
    constexpr std::size_t kShown = 3;
    std::string where;
    for (std::size_t i = 0; i < shown.size() && i < kShown; ++i)
        where += (i == 0 ? "" : ", ") + shown[i];
    if (shown.size() > kShown) where += " and " + std::to_string(shown.size() - kShown) + " more";
    const std::string mode = o.proxy.active ? "allowlist" : "none";
    return "refused " + std::to_string(total) +
           (total == 1 ? " connection or datagram to an address: "
                       : " connections or datagrams to addresses: ") +
           where + " (network.mode = \"" + mode + "\")";
}

}  // namespace sbx
