// Helpers shared by the Codex and srt importers (internal to src/policy).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/host_pattern.hpp"
#include "policy/document.hpp"
#include "policy/expand.hpp"
#include "policy/import.hpp"

namespace sbx::import_detail {

// A value of the foreign document together with its key path and line, for origins.
struct Item {
    const DocNode* node;
    std::string key;
    int line;
};

[[nodiscard]] Origin origin_of(const std::string& file, const Item& item);

// The entries of a table as Items (key path joined under `parent`).
[[nodiscard]] std::vector<Item> entries_of(const Item& table);

// Typed access; a wrong type is ErrorKind::schema with the origin.
[[nodiscard]] Result<bool> as_bool(const std::string& file, const Item& item);
[[nodiscard]] Result<std::string> as_string(const std::string& file, const Item& item);
[[nodiscard]] Result<std::vector<Item>> as_string_list(const std::string& file, const Item& item);
[[nodiscard]] Status expect_table(const std::string& file, const Item& item);

// Where a relative foreign path is anchored.
enum class Anchor { workspace, directory };

// A path as a foreign tool writes it ("~", "~/x", "/abs", "rel", "./rel") -> a PathRule.
// `$` is literal in foreign paths, so it is escaped before sbxrun's variable expansion.
// Relative paths are anchored at ${workspace} or at `dir` (absolute).
[[nodiscard]] Result<PathRule> foreign_path(std::string_view text, Anchor anchor,
                                            const std::string& dir, const Origin& origin,
                                            const ExpandContext& ctx, const PolicyLimits& limits);

// A sbxrun-style relative name ("`.git/hooks`") for protect lists, with an origin.
[[nodiscard]] Result<PathRule> protected_name(std::string_view name, const Origin& origin,
                                              const ExpandContext& ctx, const PolicyLimits& limits);

// Glob characters srt expands on some platforms; sbxrun paths are literal.
[[nodiscard]] bool has_glob(std::string_view text);

// Append `rule` unless a rule with the same expanded path is already there.
void add_unique(std::vector<PathRule>& list, PathRule rule);

// The built-in default with the import recorded as its source: process and backend settings
// keep their defaults unless the importer changes them.
[[nodiscard]] Policy import_base(const ExpandContext& ctx, ImportKind kind,
                                 const std::string& name);

// "a.b" = value rendered for messages: strings quoted, lists in brackets.
[[nodiscard]] std::string render_value(const DocNode& node);

// A domain pattern of a foreign file: the pattern, how a message shows the entry
// (`network.allowedDomains[0] = "x.org"`), and where it is written.
struct DomainItem {
    std::string text;
    std::string label;
    Item item;
};

// A list of strings as DomainItems.
[[nodiscard]] std::vector<DomainItem> domain_list(const std::vector<Item>& items);

// Append each domain to `rules` as an sbxrun host rule (import_domains.cpp). A pattern sbxrun's
// grammar refuses is left out of an allow list and said in `unmapped` (the host stays refused:
// narrower); in a deny list it is ErrorKind::schema (leaving it out would widen).
[[nodiscard]] Status domains_into(const std::string& file, const std::vector<DomainItem>& items,
                                  bool deny, std::vector<net::HostRule>& rules,
                                  std::vector<std::string>& unmapped);

// Codex's network allowlist settings (import_codex_network.cpp), applied over the network
// sandbox_mode gave `out.policy.network`; `root` is the whole config.toml.
[[nodiscard]] Status map_codex_network(const std::string& file, const Item& root,
                                       ImportResult& out);

}  // namespace sbx::import_detail
