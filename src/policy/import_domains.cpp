// Domain lists of a foreign file (srt's allowedDomains, Codex's allowed_domains and domains
// table) as sbxrun host rules. Both tools write the same three forms sbxrun does (a name,
// "*.name" for its subdomains, "**.name" for both); what else they accept ("*", a mid-label
// wildcard, a URL) has no sbxrun rule.
#include "net/host_pattern.hpp"
#include "policy/import_support.hpp"

namespace sbx::import_detail {

Status domains_into(const std::string& file, const std::vector<DomainItem>& items, bool deny,
                    std::vector<net::HostRule>& rules, std::vector<std::string>& unmapped) {
    for (const DomainItem& d : items) {
        auto pattern = net::parse_host_pattern(d.text);
        if (pattern) {
            rules.push_back({*pattern, origin_of(file, d.item)});
            continue;
        }
        // Left out of an allow list, the host stays refused: narrower, so said and kept going.
        // Left out of a deny list, an allowed wildcard would let it through: an error.
        if (deny)
            return Error(ErrorKind::schema,
                         "cannot map " + quote_for_message(d.text) + ": " + pattern.error().message)
                .with_origin(origin_of(file, d.item));
        unmapped.push_back(d.label + ": " + pattern.error().message +
                           "; left out of network.allow (that host stays refused)");
    }
    return {};
}

std::vector<DomainItem> domain_list(const std::vector<Item>& items) {
    std::vector<DomainItem> out;
    out.reserve(items.size());
    for (const Item& i : items)
        out.push_back({i.node->text, i.key + " = " + quote_for_message(i.node->text), i});
    return out;
}

}  // namespace sbx::import_detail
