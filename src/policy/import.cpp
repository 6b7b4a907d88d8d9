// The parts of --import shared by both formats: the KIND:FILE spec, reading the file, foreign
// paths, and settling what could not be enforced once every policy layer is known.
#include "policy/import.hpp"

#include <filesystem>
#include <system_error>

#include "fs/path.hpp"
#include "policy/import_support.hpp"
#include "policy/load.hpp"

namespace sbx {

const char* to_string(ImportKind k) {
    switch (k) {
        case ImportKind::codex:
            return "codex";
        case ImportKind::srt:
            return "srt";
    }
    return "?";
}

Result<ImportSource> parse_import_spec(std::string_view spec) {
    const auto colon = spec.find(':');
    auto bad = [&](const std::string& why) {
        return Error(ErrorKind::usage, "--import: " + why + ", got '" + std::string(spec) + "'")
            .with_origin({});
    };
    if (colon == std::string_view::npos) return bad("expected codex:FILE or srt:FILE");
    const std::string_view kind = spec.substr(0, colon);
    const std::string_view file = spec.substr(colon + 1);
    ImportSource s;
    if (kind == "codex") {
        s.kind = ImportKind::codex;
    } else if (kind == "srt") {
        s.kind = ImportKind::srt;
    } else {
        return bad("unknown kind '" + std::string(kind) + "' (known: codex, srt)");
    }
    if (file.empty()) return bad("missing FILE after '" + std::string(kind) + ":'");
    s.file = std::string(file);
    return s;
}

Result<ImportResult> import_policy_file(const ImportSource& source, const ExpandContext& ctx,
                                        const PolicyLimits& limits) {
    // The shell leaves "codex:~/..." alone (a tilde is expanded only at the start of a word),
    // so the usual spelling from the documentation has to work here.
    std::string file = source.file;
    if (file == "~" || file.starts_with("~/")) file = ctx.home + file.substr(1);
    std::error_code ec;
    const auto abs = std::filesystem::absolute(file, ec);
    if (!ec) file = normalize_path(abs.string());

    auto text = read_policy_file(file, limits);
    if (!text) return std::move(text).error();
    if (source.kind == ImportKind::srt) return import_srt_text(*text, file, ctx, limits);
    return import_codex_text(*text, file, path_parent(file), ctx, limits);
}

Result<SettledImport> settle_unenforceable(Policy& policy, const std::vector<Unenforceable>& items,
                                           const std::string& import_file) {
    SettledImport out;
    const auto how = policy.backend.on_unenforceable.value;
    for (const auto& u : items) {
        switch (how) {
            case OnUnenforceable::approximate:
                out.approximated.push_back(u.what + "; the sandbox runs with no network instead");
                break;
            case OnUnenforceable::escalate: {
                Error e(ErrorKind::unenforceable, "sandbox cannot enforce " + u.what +
                                                      " (backend.on_unenforceable = \"escalate\")");
                e.origin = u.origin;
                e.path = import_file;
                e.suggestion =
                    "allow the network with network.mode = \"full\", or set "
                    "backend.on_unenforceable = \"approximate\" to run with no network";
                return e;
            }
            case OnUnenforceable::weaken:
                // A later --policy layer that chose network.mode itself has decided already.
                if (u.widen_network && policy.network.mode.origin.file == import_file) {
                    policy.network.mode = {NetworkMode::full, u.origin};
                    out.weakened.push_back(u.what + "; the sandbox allows all network access");
                } else {
                    out.approximated.push_back(u.what + "; network.mode is set by a later layer");
                }
                break;
        }
    }
    return out;
}

namespace import_detail {

Origin origin_of(const std::string& file, const Item& item) {
    return Origin{file, item.line, item.key};
}

std::vector<Item> entries_of(const Item& table) {
    std::vector<Item> out;
    for (const auto& e : table.node->entries) {
        const int line = e.value.line ? e.value.line : (e.key_line ? e.key_line : table.line);
        out.push_back(Item{&e.value, key_path_join(table.key, e.key), line});
    }
    return out;
}

namespace {

Error type_error(const std::string& file, const Item& item, const char* wanted) {
    return Error(ErrorKind::schema,
                 std::string("expected ") + wanted + ", got " + kind_name(item.node->kind))
        .with_origin(origin_of(file, item));
}

}  // namespace

Result<bool> as_bool(const std::string& file, const Item& item) {
    if (item.node->kind != DocNode::Kind::boolean) return type_error(file, item, "a boolean");
    return item.node->boolean;
}

Result<std::string> as_string(const std::string& file, const Item& item) {
    if (item.node->kind != DocNode::Kind::string) return type_error(file, item, "a string");
    return item.node->text;
}

Result<std::vector<Item>> as_string_list(const std::string& file, const Item& item) {
    if (item.node->kind != DocNode::Kind::array)
        return type_error(file, item, "an array of strings");
    std::vector<Item> out;
    for (std::size_t i = 0; i < item.node->items.size(); ++i) {
        const DocNode& n = item.node->items[i];
        Item it{&n, key_path_index(item.key, i), n.line ? n.line : item.line};
        if (n.kind != DocNode::Kind::string) return type_error(file, it, "a string");
        out.push_back(it);
    }
    return out;
}

Status expect_table(const std::string& file, const Item& item) {
    if (item.node->kind != DocNode::Kind::table) return type_error(file, item, "a table");
    return {};
}

namespace {

std::string escape_dollars(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '$') out += '$';
        out += c;
    }
    return out;
}

}  // namespace

Result<PathRule> foreign_path(std::string_view text, Anchor anchor, const std::string& dir,
                              const Origin& origin, const ExpandContext& ctx,
                              const PolicyLimits& limits) {
    std::string written;
    if (text == "~") {
        written = "${home}";
    } else if (text.starts_with("~/")) {
        written = "${home}/" + escape_dollars(text.substr(2));
    } else if (text.starts_with("/")) {
        written = escape_dollars(text);
    } else if (anchor == Anchor::workspace) {
        written = "${workspace}/" + escape_dollars(text);
    } else {
        written = escape_dollars(dir) + "/" + escape_dollars(text);
    }
    if (text.empty()) {
        return Error(ErrorKind::schema, "path is empty").with_origin(origin);
    }
    return make_path_rule(written, origin, PathListKind::absolute_only, ctx, limits);
}

Result<PathRule> protected_name(std::string_view name, const Origin& origin,
                                const ExpandContext& ctx, const PolicyLimits& limits) {
    return make_path_rule(std::string(name), origin, PathListKind::names_allowed, ctx, limits);
}

bool has_glob(std::string_view text) {
    return text.find_first_of("*?[]") != std::string_view::npos;
}

void add_unique(std::vector<PathRule>& list, PathRule rule) {
    for (const auto& r : list) {
        if (r.path == rule.path && r.relative_name == rule.relative_name) return;
    }
    list.push_back(std::move(rule));
}

Policy import_base(const ExpandContext& ctx, ImportKind kind, const std::string& name) {
    Policy p = default_policy(ctx);
    p.sources.push_back(std::string(to_string(kind)) + ":" + name);
    return p;
}

std::string render_value(const DocNode& node) {
    switch (node.kind) {
        case DocNode::Kind::string:
            return quote_for_message(node.text);
        case DocNode::Kind::boolean:
            return node.boolean ? "true" : "false";
        case DocNode::Kind::integer:
        case DocNode::Kind::floating:
            return node.text;
        case DocNode::Kind::array: {
            std::string s = "[";
            for (std::size_t i = 0; i < node.items.size(); ++i) {
                if (i) s += ", ";
                if (i == 8) {
                    s += "...";
                    break;
                }
                s += render_value(node.items[i]);
            }
            return s + "]";
        }
        case DocNode::Kind::table:
            return "{...}";
        default:
            return kind_name(node.kind);
    }
}

}  // namespace import_detail
}  // namespace sbx
