// TOML -> DocNode. toml++ is the only place that may throw here; its exceptions stop in this file.
// toml++ 3.3 checks parts of its *input* with internal assertions (the fuzzer found
// "[!backend]" reaching TOML_ASSERT_ASSUME in parse_key): without NDEBUG they abort the whole
// process, with NDEBUG they become __builtin_assume, undefined behaviour on bad input. The code
// after each such check handles the bad case itself (parse_key sets "expected bare key starting
// character or string delimiter"), so the checks are turned off here, and with NDEBUG lifted
// around the include toml++ does not turn them into assumptions either. Found by
// test/fuzz/fuzz_policy_toml; the input is kept in its corpus and in test/data/policies.
#ifdef NDEBUG
#define SBX_TOML_HAD_NDEBUG
#undef NDEBUG
#endif
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>
#ifdef SBX_TOML_HAD_NDEBUG
#define NDEBUG
#undef SBX_TOML_HAD_NDEBUG
#endif

#include <algorithm>

#include "policy/document.hpp"

namespace sbx {
namespace {

struct Converter {
    const std::string& name;
    const PolicyLimits& limits;

    // The key path is carried along only to name the place of a nesting-limit error.
    Result<DocNode> convert(const toml::node& node, std::size_t depth, const std::string& path) {
        DocNode out;
        out.line = static_cast<int>(node.source().begin.line);
        if (node.is_table() || node.is_array()) {
            if (depth > limits.max_depth)
                return Error(ErrorKind::limit,
                             "nested deeper than " + std::to_string(limits.max_depth) + " levels")
                    .with_origin({name, out.line, path});
        }
        switch (node.type()) {
            case toml::node_type::table: {
                out.kind = DocNode::Kind::table;
                // toml++ keeps keys sorted; put them back in file order so that errors come in
                // the order a reader meets them and env_set keeps "later wins" by position.
                std::vector<std::pair<const toml::key*, const toml::node*>> kids;
                for (auto&& [k, v] : *node.as_table()) kids.emplace_back(&k, &v);
                std::stable_sort(kids.begin(), kids.end(), [](const auto& a, const auto& b) {
                    const auto& sa = a.first->source().begin;
                    const auto& sb = b.first->source().begin;
                    return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
                });
                for (const auto& [k, v] : kids) {
                    std::string child_path = key_path_join(path, k->str());
                    auto child = convert(*v, depth + 1, child_path);
                    if (!child) return std::move(child).error();
                    DocEntry e;
                    e.key = std::string(k->str());
                    e.key_line = static_cast<int>(k->source().begin.line);
                    if (e.key_line == 0) e.key_line = child->line;
                    e.value = std::move(child).value();
                    out.entries.push_back(std::move(e));
                }
                break;
            }
            case toml::node_type::array: {
                out.kind = DocNode::Kind::array;
                const auto& arr = *node.as_array();
                for (std::size_t i = 0; i < arr.size(); ++i) {
                    auto child = convert(arr[i], depth + 1, key_path_index(path, i));
                    if (!child) return std::move(child).error();
                    if (child->line == 0) child->line = out.line;
                    out.items.push_back(std::move(child).value());
                }
                break;
            }
            case toml::node_type::string:
                out.kind = DocNode::Kind::string;
                out.text = node.as_string()->get();
                break;
            case toml::node_type::integer:
                out.kind = DocNode::Kind::integer;
                out.integer = node.as_integer()->get();
                out.text = std::to_string(out.integer);
                break;
            case toml::node_type::floating_point:
                out.kind = DocNode::Kind::floating;
                out.floating = node.as_floating_point()->get();
                out.text = std::to_string(out.floating);
                break;
            case toml::node_type::boolean:
                out.kind = DocNode::Kind::boolean;
                out.boolean = node.as_boolean()->get();
                break;
            case toml::node_type::date:
            case toml::node_type::time:
            case toml::node_type::date_time:
                out.kind = DocNode::Kind::datetime;
                break;
            case toml::node_type::none:
                out.kind = DocNode::Kind::null;
                break;
        }
        return out;
    }
};

Error syntax_error(const std::string& name, std::string_view description,
                   const toml::source_region& where) {
    std::string msg = "invalid TOML";
    if (where.begin.column > 0) msg += " at column " + std::to_string(where.begin.column);
    msg += ": ";
    msg += description;
    return Error(ErrorKind::parse, std::move(msg))
        .with_origin({name, static_cast<int>(where.begin.line), {}});
}

// toml++ 3.3 classifies a non-ASCII character met outside a string or a comment with tables
// that end in __builtin_unreachable for many code points (U+00E9 among them): undefined
// behaviour (found by test/fuzz/fuzz_policy_toml with U+FEDB). Such a character is never valid
// TOML there (bare keys are ASCII), so it is refused before toml++ sees it. Strings, quoted
// keys and comments may hold any UTF-8, as TOML allows.
//
// The same pass bounds the dots outside strings on one line. toml++ builds a dotted key
// (a.b.c... = 1) as that many nested tables and destroys them recursively: 150,000 parts in a
// 300 KB file overflowed the stack (ninth outside review). A key, a table header and an inline
// table are each one line in TOML 1.0, and toml++ bounds the nesting of inline tables and
// arrays itself, so this bounds the depth of every document; no policy is anywhere near it
// (PolicyLimits::max_depth is 16).
constexpr std::size_t kMaxDotsPerLine = 512;

Status refuse_non_ascii_outside_strings(std::string_view t, const std::string& name) {
    enum class In { code, comment, basic, literal, ml_basic, ml_literal } in = In::code;
    int line = 1;
    std::size_t line_start = 0;
    std::size_t dots = 0;
    auto starts = [&](std::size_t i, const char* three) { return t.substr(i, 3) == three; };
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '\n') {
            ++line;
            line_start = i + 1;
            dots = 0;
            if (in == In::comment || in == In::basic || in == In::literal) in = In::code;
            continue;
        }
        switch (in) {
            case In::code:
                if (c == '.' && ++dots > kMaxDotsPerLine) {
                    return Error(ErrorKind::limit,
                                 "more than " + std::to_string(kMaxDotsPerLine) +
                                     " dots outside strings on one line (a key nested that deep "
                                     "is never a policy)")
                        .with_origin({name, line, {}});
                }
                if (c == '#') {
                    in = In::comment;
                } else if (c == '"') {
                    in = starts(i, "\"\"\"") ? (i += 2, In::ml_basic) : In::basic;
                } else if (c == '\'') {
                    in = starts(i, "'''") ? (i += 2, In::ml_literal) : In::literal;
                } else if (static_cast<unsigned char>(c) >= 0x80) {
                    return Error(ErrorKind::parse,
                                 "invalid TOML at column " + std::to_string(i - line_start + 1) +
                                     ": a non-ASCII character outside a string or a comment "
                                     "(quote the key or value)")
                        .with_origin({name, line, {}});
                }
                break;
            case In::comment:
                break;
            case In::basic:
                if (c == '\\') ++i;
                else if (c == '"') in = In::code;
                break;
            case In::literal:
                if (c == '\'') in = In::code;
                break;
            case In::ml_basic:
                if (c == '\\') {
                    ++i;
                } else if (starts(i, "\"\"\"")) {
                    while (i + 1 < t.size() && t[i + 1] == '"') ++i;  // up to two quotes of content
                    in = In::code;
                }
                break;
            case In::ml_literal:
                if (starts(i, "'''")) {
                    while (i + 1 < t.size() && t[i + 1] == '\'') ++i;
                    in = In::code;
                }
                break;
        }
    }
    return {};
}

// Parse with toml++, errors as values.
Result<toml::table> parse_toml(std::string_view text, const std::string& name) {
#if TOML_EXCEPTIONS
    try {
        return toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        return syntax_error(name, e.description(), e.source());
    } catch (const std::exception& e) {
        return Error(ErrorKind::parse, std::string("invalid TOML: ") + e.what())
            .with_origin({name, 0, {}});
    }
#else
    toml::parse_result res = toml::parse(text, name);
    if (!res) return syntax_error(name, res.error().description(), res.error().source());
    return std::move(res).table();
#endif
}

}  // namespace

Result<DocNode> read_toml_document(std::string_view text, const std::string& name,
                                   const PolicyLimits& limits) {
    SBX_TRY(refuse_non_ascii_outside_strings(text, name));
    // toml++ also reaches its faulty classification when a syntax error makes it scan on into
    // a string (`x = +["é"]`). So a document with non-ASCII bytes is first parsed with each of
    // them replaced by 'x' (same offsets, so line and column of an error are right): pure ASCII
    // never reaches those tables. Only a document that is valid then is parsed as written, and
    // in a valid document the non-ASCII text sits in strings and comments, where toml++ is safe.
    bool ascii = std::all_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) {
        std::string masked(text);
        for (char& c : masked) {
            if (static_cast<unsigned char>(c) >= 0x80) c = 'x';
        }
        auto structure = parse_toml(masked, name);
        if (!structure.ok()) return std::move(structure).error();
    }
    auto root = parse_toml(text, name);
    if (!root.ok()) return std::move(root).error();
    Converter conv{name, limits};
    return conv.convert(*root, 0, {});
}

}  // namespace sbx
