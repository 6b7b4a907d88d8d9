// Helpers shared by the Codex and srt importers (internal to src/policy).
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

}  // namespace sbx::import_detail
