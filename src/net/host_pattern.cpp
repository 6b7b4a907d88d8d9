#include "net/host_pattern.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <optional>

namespace sbx::net {
namespace {

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;

Error bad(std::string msg) {
    return Error(ErrorKind::schema, std::move(msg));
}

std::string quoted(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<std::string> canonical_ipv4(const std::string& s) {
    in_addr a{};
    if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
    std::array<char, INET_ADDRSTRLEN> buf{};
    if (!inet_ntop(AF_INET, &a, buf.data(), buf.size())) return std::nullopt;
    return std::string(buf.data());
}

std::optional<std::string> canonical_ipv6(const std::string& s) {
    in6_addr a{};
    if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return std::nullopt;
    std::array<char, INET6_ADDRSTRLEN> buf{};
    if (!inet_ntop(AF_INET6, &a, buf.data(), buf.size())) return std::nullopt;
    return std::string(buf.data());
}

// What a text that is not a plain host looks like, said once for patterns and hosts alike.
Status shape(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80)
            return bad(quoted(s) +
                       " is not ASCII: write an internationalised name in punycode (xn--...); "
                       "this build has no IDNA library to convert it");
    if (s.find("://") != std::string_view::npos)
        return bad(quoted(s) + " is a URL: write the host name only (e.g. example.com)");
    if (s.find('/') != std::string_view::npos)
        return bad(quoted(s) +
                   " has a '/': write a host name or one address (no paths, no CIDR ranges)");
    for (char c : s)
        if (c == '@' || c == '?' || c == '#' || c == ' ' || c == '\t' || c < 0x20 || c == 0x7f)
            return bad(quoted(s) + " is not a host name (it contains " +
                       quoted(std::string_view(&c, 1)) + ")");
    return {};
}

// A DNS name or address, already ASCII and free of URL syntax; wildcards are the caller's.
Result<Host> plain_host(std::string_view s, std::string_view whole) {
    if (s.empty()) return bad(quoted(whole) + " has no host name");
    if (s.front() == '[') {
        if (s.back() != ']' || s.size() < 3)
            return bad(quoted(whole) + " has an unclosed '[' (write an IPv6 address as [::1])");
        auto v6 = canonical_ipv6(std::string(s.substr(1, s.size() - 2)));
        if (!v6) return bad(quoted(whole) + " is not an IPv6 address in brackets");
        return Host{HostKind::ipv6, *v6};
    }
    if (s.find(':') != std::string_view::npos) {
        if (auto v6 = canonical_ipv6(std::string(s))) return Host{HostKind::ipv6, *v6};
        return bad(quoted(whole) +
                   " has a ':': ports are not part of a pattern (network.ports lists them), "
                   "and it is not an IPv6 address");
    }
    std::string name = lower(s);
    if (name.back() == '.') name.pop_back();
    if (name.empty()) return bad(quoted(whole) + " has no host name");
    if (name.size() > kMaxName)
        return bad(quoted(whole) + " is longer than " + std::to_string(kMaxName) + " bytes");
    std::size_t start = 0;
    std::string_view last;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string::npos) end = name.size();
        std::string_view label(name.data() + start, end - start);
        if (label.empty())
            return bad(quoted(whole) + " has an empty label (\"..\" or a leading '.')");
        if (label.size() > kMaxLabel)
            return bad(quoted(whole) + " has a label longer than " + std::to_string(kMaxLabel) +
                       " bytes");
        for (char c : label)
            if (!is_label_char(c))
                return bad(quoted(whole) + " has " + quoted(std::string_view(&c, 1)) +
                           " in a label (letters, digits, '-' and '_' only)");
        if (label.front() == '-' || label.back() == '-')
            return bad(quoted(whole) + " has a label that starts or ends with '-'");
        last = label;
        start = end + 1;
    }
    if (std::all_of(last.begin(), last.end(), is_digit)) {
        auto v4 = canonical_ipv4(name);
        if (!v4)
            return bad(quoted(whole) +
                       " is neither a host name nor an IPv4 address in dotted-quad form "
                       "(a name's last label is never all digits)");
        return Host{HostKind::ipv4, *v4};
    }
    return Host{HostKind::name, std::move(name)};
}

}  // namespace

Result<Host> parse_host(std::string_view text) {
    SBX_TRY(shape(text));
    if (text.find('*') != std::string_view::npos)
        return bad(quoted(text) + " is not a host name (it contains '*')");
    return plain_host(text, text);
}

std::string HostPattern::text() const {
    switch (kind) {
        case PatternKind::exact:
            return host.text;
        case PatternKind::subdomains:
            return "*." + host.text;
        case PatternKind::apex_and_subdomains:
            return "**." + host.text;
    }
    return host.text;
}

bool HostPattern::matches(const Host& h) const {
    if (h.kind != host.kind) return false;
    if (h.kind != HostKind::name || kind == PatternKind::exact) return h.text == host.text;
    const std::string& n = h.text;
    const std::string& p = host.text;
    bool below = n.size() > p.size() + 1 && n.compare(n.size() - p.size(), p.size(), p) == 0 &&
                 n[n.size() - p.size() - 1] == '.';
    return below || (kind == PatternKind::apex_and_subdomains && n == p);
}

Result<HostPattern> parse_host_pattern(std::string_view text) {
    if (text.empty()) return bad("an empty pattern matches no host");
    SBX_TRY(shape(text));
    if (text == "*" || text == "**" || text == "*." || text == "**.")
        return bad(quoted(text) +
                   " allows every host: that is network.mode = \"full\", not an allowlist");
    HostPattern p;
    std::string_view rest = text;
    if (rest.starts_with("**.")) {
        p.kind = PatternKind::apex_and_subdomains;
        rest.remove_prefix(3);
    } else if (rest.starts_with("*.")) {
        p.kind = PatternKind::subdomains;
        rest.remove_prefix(2);
    }
    if (rest.find('*') != std::string_view::npos)
        return bad(quoted(text) +
                   ": '*' may only be the whole first label (*.example.com for subdomains, "
                   "**.example.com for the name and its subdomains)");
    auto host = plain_host(rest, text);
    if (!host) return std::move(host).error();
    if (p.kind != PatternKind::exact) {
        if (host->kind != HostKind::name)
            return bad(quoted(text) + ": an address cannot have a wildcard (name each address)");
        if (host->text.find('.') == std::string::npos)
            return bad(quoted(text) + " is a wildcard over the whole suffix " + quoted(host->text) +
                       ": name the domain under it (e.g. *.example." + host->text + ")");
    }
    p.host = std::move(host).value();
    return p;
}

}  // namespace sbx::net
