// JSON -> DocNode through nlohmann's SAX interface: the tree is built directly, so duplicate
// keys (which nlohmann's DOM silently collapses to the last one) and the nesting limit are
// caught while parsing. JSON values carry no line (0); syntax errors do.
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "policy/document.hpp"

namespace sbx {
namespace {

using json = nlohmann::json;

class Builder {
public:
    Builder(std::string_view text, const std::string& name, const PolicyLimits& limits)
        : text_(text), name_(name), limits_(limits) {}

    bool null() { return add(DocNode{}); }
    bool boolean(bool v) {
        DocNode n;
        n.kind = DocNode::Kind::boolean;
        n.boolean = v;
        return add(std::move(n));
    }
    bool number_integer(json::number_integer_t v) {
        DocNode n;
        n.kind = DocNode::Kind::integer;
        n.integer = v;
        n.text = std::to_string(v);
        return add(std::move(n));
    }
    bool number_unsigned(json::number_unsigned_t v) {
        DocNode n;
        n.kind = DocNode::Kind::integer;
        constexpr auto max =
            static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max());
        n.integer = static_cast<std::int64_t>(v > max ? max : v);
        n.text = std::to_string(v);
        return add(std::move(n));
    }
    bool number_float(json::number_float_t v, const std::string& literal) {
        DocNode n;
        n.kind = DocNode::Kind::floating;
        n.floating = v;
        n.text = literal;
        return add(std::move(n));
    }
    bool string(std::string& v) {
        DocNode n;
        n.kind = DocNode::Kind::string;
        n.text = std::move(v);
        return add(std::move(n));
    }
    bool binary(json::binary_t&) { return add(DocNode{}); }  // not produced by the JSON parser

    bool start_object(std::size_t) { return open(DocNode::Kind::table); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(DocNode::Kind::array); }
    bool end_array() { return close(); }

    bool key(std::string& k) {
        // A set per object: a linear search would make a large object quadratic to read.
        if (!stack_.back().keys.insert(k).second) {
            error_ = Error(ErrorKind::schema, "duplicate key")
                         .with_origin({name_, 0, key_path_join(stack_.back().path, k)});
            return false;
        }
        pending_key_ = std::move(k);
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) {
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 5:
        // syntax error while parsing ..."; keep the part after the position, which we report
        // through the origin (line) and "at column N".
        std::string what = ex.what();
        auto colon = what.find(": ");
        std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
        int line = 1;
        std::size_t column = 1;
        for (std::size_t i = 0; i + 1 < position && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        error_ = Error(ErrorKind::parse,
                       "invalid JSON at column " + std::to_string(column) + ": " + detail)
                     .with_origin({name_, line, {}});
        return false;
    }

    std::optional<Error>& error() { return error_; }
    std::optional<DocNode>& root() { return root_; }

private:
    struct Frame {
        DocNode node;
        std::string path;                      // key path of this container
        std::string key;                       // the key it is stored under in its parent table
        std::unordered_set<std::string> keys;  // keys seen so far, when it is a table
    };

    std::string child_path() const {
        if (stack_.empty()) return {};
        const Frame& top = stack_.back();
        if (top.node.kind == DocNode::Kind::table) return key_path_join(top.path, pending_key_);
        return key_path_index(top.path, top.node.items.size());
    }

    bool open(DocNode::Kind kind) {
        std::string path = child_path();
        if (stack_.size() > limits_.max_depth) {
            error_ = Error(ErrorKind::limit,
                           "nested deeper than " + std::to_string(limits_.max_depth) + " levels")
                         .with_origin({name_, 0, path});
            return false;
        }
        Frame f;
        f.node.kind = kind;
        f.path = std::move(path);
        f.key = pending_key_;
        stack_.push_back(std::move(f));
        return true;
    }

    bool close() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        pending_key_ = f.key;
        return add(std::move(f.node));
    }

    bool add(DocNode n) {
        if (stack_.empty()) {
            root_ = std::move(n);
            return true;
        }
        DocNode& parent = stack_.back().node;
        if (parent.kind == DocNode::Kind::table) {
            DocEntry e;
            e.key = std::move(pending_key_);
            e.value = std::move(n);
            parent.entries.push_back(std::move(e));
            pending_key_.clear();
        } else {
            parent.items.push_back(std::move(n));
        }
        return true;
    }

    std::string_view text_;
    const std::string& name_;
    const PolicyLimits& limits_;
    std::vector<Frame> stack_;
    std::string pending_key_;
    std::optional<DocNode> root_;
    std::optional<Error> error_;
};

}  // namespace

Result<DocNode> read_json_document(std::string_view text, const std::string& name,
                                   const PolicyLimits& limits) {
    Builder builder(text, name, limits);
    bool ok = false;
    try {
        ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true,
                             /*ignore_comments=*/false);
    } catch (const std::exception& e) {
        return Error(ErrorKind::parse, std::string("invalid JSON: ") + e.what())
            .with_origin({name, 0, {}});
    }
    if (builder.error()) return std::move(*builder.error());
    if (!ok || !builder.root())
        return Error(ErrorKind::parse, "invalid JSON").with_origin({name, 0, {}});
    return std::move(*builder.root());
}

}  // namespace sbx
