// The allowlist decision: given a host and a port, allowed or refused, and the rule that decided.
//
// Order: the host must parse (net/host_pattern.hpp), the port must be in network.ports, then
// the first network.deny rule that matches refuses (deny wins over any allow), then the first
// network.allow rule that matches allows; nothing matching refuses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/host_pattern.hpp"

namespace sbx::net {

struct AllowlistRules {
    std::vector<HostRule> allow;
    std::vector<HostRule> deny;
    std::vector<std::uint16_t> ports{443, 80};
};

struct Decision {
    bool allowed = false;
    Host host;                       // as parsed (empty text when the host did not parse)
    const HostRule* rule = nullptr;  // the allow or deny rule that decided, if one did
    // The rule in one line for a 403, a log line and the status document:
    // "network.deny[0] \"gist.github.com\"", "network.ports", "no network.allow rule", ...
    std::string rule_name;
    std::string reason;  // one line, e.g. "gist.github.com is refused by network.deny[0] ..."
};

class HostMatcher {
public:
    explicit HostMatcher(AllowlistRules rules) : rules_(std::move(rules)) {}

    // `host` as the client wrote it (brackets around IPv6 accepted, a trailing dot ignored).
    [[nodiscard]] Decision decide(std::string_view host, std::uint16_t port) const;
    [[nodiscard]] Decision decide(const Host& host, std::uint16_t port) const;

    // Whether an allow rule names this address itself (not through a name): the one way a
    // resolved loopback/private/link-local/multicast address may be reached. `address` is in
    // the canonical form parse_host() gives.
    [[nodiscard]] bool allows_address(const Host& address) const;

    [[nodiscard]] const AllowlistRules& rules() const { return rules_; }

private:
    AllowlistRules rules_;
};

// "network.allow[2] \"**.pypi.org\"" (the key of the rule's origin, or "network.allow").
[[nodiscard]] std::string rule_label(const HostRule& rule, std::string_view list);

}  // namespace sbx::net
