// Host names and the domain patterns of network.allow / network.deny (issue 13).
//
// One grammar for both sides, so a pattern and a request are normalised the same way:
//   example.com       exactly that name
//   *.example.com     its subdomains only (not example.com itself)
//   **.example.com    example.com and its subdomains
//   192.0.2.7, ::1    one address (IPv6 also in brackets, [::1]); how a policy allows a private
//                     address explicitly
// Names are ASCII, compared case-insensitively, one trailing dot ignored, labels of 1..63
// letters, digits, '-' and '_' (no leading or trailing '-'), at most 253 bytes in all.
// Internationalised names are written in punycode (xn--...): sbxrun links no IDNA library
// (libidn2 would be a new dependency on every sandboxed command's path), so a non-ASCII name is
// refused with a message saying so rather than normalised.
// A name whose last label is all digits is taken for an IPv4 address and must be one in
// canonical dotted-quad form: "127.1", "0x7f.0.0.1" or "0177.0.0.1" are refused, never left to
// a resolver that would read them as 127.0.0.1.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/result.hpp"

namespace sbx::net {

enum class HostKind { name, ipv4, ipv6 };

// A host as compared: a lower-case name without trailing dot, or an address in the canonical
// text inet_ntop gives (IPv6 without brackets).
struct Host {
    HostKind kind = HostKind::name;
    std::string text;
    bool operator==(const Host&) const = default;
};

// The host of a request (CONNECT authority, Host header, absolute URI), without its port.
// Brackets around an IPv6 address are accepted and dropped. Errors: ErrorKind::schema, with a
// message that says what is wrong (no origin).
[[nodiscard]] Result<Host> parse_host(std::string_view text);

enum class PatternKind {
    exact,                // example.com, or an address
    subdomains,           // *.example.com
    apex_and_subdomains,  // **.example.com
};

struct HostPattern {
    PatternKind kind = PatternKind::exact;
    Host host;  // the name after the wildcard, or the address
    // The pattern as written back: lower case, no trailing dot, "*." / "**." kept.
    [[nodiscard]] std::string text() const;
    [[nodiscard]] bool matches(const Host& h) const;
    bool operator==(const HostPattern&) const = default;
};

// A pattern of network.allow / network.deny. Refused (ErrorKind::schema, the message says why
// and how to write it): empty, "*" / "**" (that is mode = "full"), a wildcard over a one-label
// suffix ("*.com"), a wildcard anywhere but as the whole first label, a wildcard over an
// address, URLs, ports, CIDR ranges, non-ASCII, overlong names or labels, empty labels.
[[nodiscard]] Result<HostPattern> parse_host_pattern(std::string_view text);

// One rule of the policy: the pattern and where it was written.
struct HostRule {
    HostPattern pattern;
    Origin origin;  // e.g. {"p.toml", 4, "network.allow[2]"}
    bool operator==(const HostRule& o) const { return pattern == o.pattern; }
};

}  // namespace sbx::net
