#include "net/host_matcher.hpp"

#include <algorithm>

namespace sbx::net {

std::string rule_label(const HostRule& rule, std::string_view list) {
    std::string key = rule.origin.key.empty() ? std::string(list) : rule.origin.key;
    return key + " \"" + rule.pattern.text() + "\"";
}

Decision HostMatcher::decide(std::string_view host, std::uint16_t port) const {
    auto h = parse_host(host);
    if (!h) {
        Decision d;
        d.rule_name = "host syntax";
        d.reason = "refused: " + h.error().message;
        return d;
    }
    return decide(*h, port);
}

Decision HostMatcher::decide(const Host& host, std::uint16_t port) const {
    Decision d;
    d.host = host;
    const std::string shown = host.text + ":" + std::to_string(port);
    if (std::find(rules_.ports.begin(), rules_.ports.end(), port) == rules_.ports.end()) {
        d.rule_name = "network.ports";
        d.reason = shown + " is refused: port " + std::to_string(port) + " is not in network.ports";
        return d;
    }
    for (const auto& r : rules_.deny) {
        if (!r.pattern.matches(host)) continue;
        d.rule = &r;
        d.rule_name = rule_label(r, "network.deny");
        d.reason = shown + " is refused by " + d.rule_name;
        return d;
    }
    for (const auto& r : rules_.allow) {
        if (!r.pattern.matches(host)) continue;
        d.allowed = true;
        d.rule = &r;
        d.rule_name = rule_label(r, "network.allow");
        d.reason = shown + " is allowed by " + d.rule_name;
        return d;
    }
    d.rule_name = "no network.allow rule";
    d.reason = shown + " is refused: no network.allow rule matches it";
    return d;
}

bool HostMatcher::allows_address(const Host& address) const {
    if (address.kind == HostKind::name) return false;
    for (const auto& r : rules_.deny)
        if (r.pattern.matches(address)) return false;
    return std::any_of(rules_.allow.begin(), rules_.allow.end(),
                       [&](const HostRule& r) { return r.pattern.matches(address); });
}

}  // namespace sbx::net
