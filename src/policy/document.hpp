// The one document tree both policy formats are read into.
//
// TOML and JSON are parsed by their libraries at the border, then converted into this tree so
// that a single validator (validate.hpp) implements the schema once. Every node keeps its line
// (TOML; 0 when the format does not tell, as with JSON) so errors can name "p.toml:3".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

struct DocEntry;

struct DocNode {
    enum class Kind { table, array, string, integer, floating, boolean, datetime, null };

    Kind kind = Kind::null;
    std::string text;          // string value; for numbers, the value as written in decimal
    std::int64_t integer = 0;  // integer value (clamped for JSON numbers beyond int64)
    double floating = 0;
    bool boolean = false;
    std::vector<DocNode> items;     // array
    std::vector<DocEntry> entries;  // table, in file order
    int line = 0;                   // 0: unknown

    [[nodiscard]] const DocEntry* find(std::string_view key) const;
};

struct DocEntry {
    std::string key;
    int key_line = 0;
    DocNode value;
};

// "a string", "an integer", ... for messages such as "expected a string, got an integer".
[[nodiscard]] const char* kind_name(DocNode::Kind kind);

// A value quoted for a message: "..." with control characters escaped (\n, \u0000).
[[nodiscard]] std::string quote_for_message(std::string_view text);

// One segment of a key path: bare when it is a plain TOML bare key, quoted otherwise.
// key_path_join("process.env_set", "A B") -> process.env_set."A B"
[[nodiscard]] std::string key_path_join(std::string_view parent, std::string_view key);
[[nodiscard]] std::string key_path_index(std::string_view parent, std::size_t index);

// Readers. `name` is the file name used in error origins. Errors: ErrorKind::parse (syntax,
// with line and column), ErrorKind::limit (nesting deeper than limits.max_depth),
// ErrorKind::schema (JSON duplicate keys, which toml++ already reports as syntax errors).
[[nodiscard]] Result<DocNode> read_toml_document(std::string_view text, const std::string& name,
                                                 const PolicyLimits& limits);
[[nodiscard]] Result<DocNode> read_json_document(std::string_view text, const std::string& name,
                                                 const PolicyLimits& limits);

}  // namespace sbx
