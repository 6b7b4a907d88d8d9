// TOML -> DocNode. toml++ is the only place that may throw here; its exceptions stop in this file.
#include <toml++/toml.h>

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

}  // namespace

Result<DocNode> read_toml_document(std::string_view text, const std::string& name,
                                   const PolicyLimits& limits) {
    Converter conv{name, limits};
#if TOML_EXCEPTIONS
    try {
        toml::table root = toml::parse(text, name);
        return conv.convert(root, 0, {});
    } catch (const toml::parse_error& e) {
        return syntax_error(name, e.description(), e.source());
    } catch (const std::exception& e) {
        return Error(ErrorKind::parse, std::string("invalid TOML: ") + e.what())
            .with_origin({name, 0, {}});
    }
#else
    toml::parse_result res = toml::parse(text, name);
    if (!res) return syntax_error(name, res.error().description(), res.error().source());
    return conv.convert(res.table(), 0, {});
#endif
}

}  // namespace sbx
