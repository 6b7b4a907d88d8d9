#include "policy/validate.hpp"

#include <functional>

#include "policy/agent_config.hpp"
#include "policy/caches.hpp"
#include "policy/expand.hpp"

namespace sbx {
namespace {

// One value in the document together with where it is: enough to build any error about it.
struct At {
    const DocNode& node;
    std::string key;  // key path, e.g. "filesystem.protect[1]"
    int line;
};

class Validator {
public:
    Validator(const std::string& file, const ExpandContext& ctx, const PolicyLimits& limits)
        : file_(file), ctx_(ctx), limits_(limits) {}

    Status apply(const DocNode& root, Policy& p) {
        if (root.kind != DocNode::Kind::table)
            return Error(ErrorKind::schema, "a policy must be a table/object at the top level")
                .with_origin({file_, root.line, {}});
        SBX_TRY(check_version(root));
        return walk_table(At{root, {}, root.line},
                          {
                              {"version", [](const At&) -> Status { return {}; }},
                              {"filesystem", [&](const At& a) { return filesystem(a, p); }},
                              {"network", [&](const At& a) { return network(a, p); }},
                              {"process", [&](const At& a) { return process(a, p); }},
                              {"backend", [&](const At& a) { return backend(a, p); }},
                          });
    }

private:
    using Handler = std::function<Status(const At&)>;
    using Keys = std::vector<std::pair<const char*, Handler>>;

    Origin origin(const At& a) const { return {file_, a.line, a.key}; }
    Error schema(const At& a, std::string msg) const {
        return Error(ErrorKind::schema, std::move(msg)).with_origin(origin(a));
    }
    Error limit(const At& a, std::string msg) const {
        return Error(ErrorKind::limit, std::move(msg)).with_origin(origin(a));
    }
    Error wrong_kind(const At& a, const char* expected) const {
        return schema(a, std::string("expected ") + expected + ", got " + kind_name(a.node.kind));
    }

    Status check_version(const DocNode& root) {
        const DocEntry* v = root.find("version");
        if (!v)
            return Error(ErrorKind::schema, "required key is missing; add version = 1")
                .with_origin({file_, 0, "version"});
        At a{v->value, "version", v->value.line ? v->value.line : v->key_line};
        if (v->value.kind != DocNode::Kind::integer) return wrong_kind(a, "the integer 1");
        if (v->value.integer != 1 || v->value.text != "1")
            return schema(a, "unsupported policy version " + v->value.text +
                                 " (this sbxrun reads version 1)");
        return {};
    }

    // Dispatch each entry of a table to its handler, in file order; unknown keys are errors.
    Status walk_table(const At& a, const Keys& keys) {
        if (a.node.kind != DocNode::Kind::table) return wrong_kind(a, "a table");
        for (const auto& e : a.node.entries) {
            At child{e.value, key_path_join(a.key, e.key),
                     e.value.line ? e.value.line : e.key_line};
            const Handler* h = nullptr;
            for (const auto& [name, handler] : keys)
                if (e.key == name) h = &handler;
            if (!h) {
                std::string known;
                for (const auto& k : keys) {
                    if (!known.empty()) known += ", ";
                    known += k.first;
                }
                child.line = e.key_line ? e.key_line : child.line;
                return schema(child, "unknown key (known keys here: " + known + ")");
            }
            SBX_TRY((*h)(child));
        }
        return {};
    }

    Result<std::string> string_value(const At& a, bool allow_empty = false) {
        if (a.node.kind != DocNode::Kind::string) return wrong_kind(a, "a string");
        if (a.node.text.find('\0') != std::string::npos) return schema(a, "contains a NUL byte");
        if (!allow_empty && a.node.text.empty()) return schema(a, "must not be empty");
        return a.node.text;
    }

    Result<bool> bool_value(const At& a) {
        if (a.node.kind != DocNode::Kind::boolean) return wrong_kind(a, "a boolean");
        return a.node.boolean;
    }

    // Each element of an array, with its own key path and line.
    Status each_item(const At& a, const std::function<Status(const At&)>& fn) {
        if (a.node.kind != DocNode::Kind::array) return wrong_kind(a, "an array");
        if (a.node.items.size() > limits_.max_list_entries)
            return limit(a, "has " + std::to_string(a.node.items.size()) + " entries (limit " +
                                std::to_string(limits_.max_list_entries) + ")");
        for (std::size_t i = 0; i < a.node.items.size(); ++i) {
            const DocNode& item = a.node.items[i];
            SBX_TRY(fn(At{item, key_path_index(a.key, i), item.line ? item.line : a.line}));
        }
        return {};
    }

    template <class E>
    Result<E> enum_value(const At& a, std::initializer_list<E> values) {
        auto s = string_value(a, /*allow_empty=*/true);
        if (!s) return std::move(s).error();
        std::string allowed;
        for (E v : values) {
            if (*s == to_string(v)) return v;
            if (!allowed.empty()) allowed += ", ";
            allowed += to_string(v);
        }
        return schema(
            a, "invalid value " + quote_for_message(*s) + " (expected one of: " + allowed + ")");
    }

    template <class E>
    Status setting(const At& a, Setting<E>& out, std::initializer_list<E> values) {
        auto v = enum_value(a, values);
        if (!v) return std::move(v).error();
        out = {*v, origin(a)};
        return {};
    }

    Status paths(const At& a, std::vector<PathRule>& out, PathListKind kind) {
        std::vector<PathRule> rules;
        SBX_TRY(each_item(a, [&](const At& item) -> Status {
            // make_path_rule words the empty and NUL cases for paths.
            if (item.node.kind != DocNode::Kind::string) return wrong_kind(item, "a string");
            if (!item.node.text.empty() && item.node.text[0] == '@') {
                if (kind != PathListKind::protect_names)
                    return schema(
                        item,
                        "a named set (" + quote_for_message(item.node.text) +
                            ") may only be used in filesystem.protect; a name starting with @ is "
                            "written ./" +
                            item.node.text);
                Origin o = origin(item);
                o.key += " (" + item.node.text + ")";
                auto set = expand_protect_set(item.node.text, o);
                if (!set) return std::move(set).error();
                for (auto& r : *set) rules.push_back(std::move(r));
                return {};
            }
            auto rule = make_path_rule(item.node.text, origin(item), kind, ctx_, limits_);
            if (!rule) return std::move(rule).error();
            rules.push_back(std::move(rule).value());
            return {};
        }));
        out = std::move(rules);
        return {};
    }

    // An environment variable name (or, with globs, an fnmatch pattern over names).
    Status env_name(const At& a, const std::string& name) {
        if (name.empty()) return schema(a, "empty environment variable name");
        if (name.find('\0') != std::string::npos) return schema(a, "name contains a NUL byte");
        if (name.find('=') != std::string::npos)
            return schema(a,
                          "environment variable name " + quote_for_message(name) + " contains '='");
        return {};
    }

    Status names(const At& a, std::vector<std::string>& out) {
        std::vector<std::string> list;
        SBX_TRY(each_item(a, [&](const At& item) -> Status {
            auto s = string_value(item, /*allow_empty=*/true);
            if (!s) return std::move(s).error();
            SBX_TRY(env_name(item, *s));
            list.push_back(*s);
            return {};
        }));
        out = std::move(list);
        return {};
    }

    Status filesystem(const At& a, Policy& p) {
        auto& fs = p.filesystem;
        return walk_table(
            a, {
                   {"read",
                    [&](const At& v) { return paths(v, fs.read, PathListKind::absolute_only); }},
                   {"write",
                    [&](const At& v) { return paths(v, fs.write, PathListKind::absolute_only); }},
                   {"protect",
                    [&](const At& v) { return paths(v, fs.protect, PathListKind::protect_names); }},
                   {"deny",
                    [&](const At& v) { return paths(v, fs.deny, PathListKind::names_allowed); }},
                   {"tmpfs",
                    [&](const At& v) { return paths(v, fs.tmpfs, PathListKind::absolute_only); }},
                   {"symlinks",
                    [&](const At& v) {
                        return setting(
                            v, fs.symlinks,
                            {SymlinkMode::pin, SymlinkMode::escalate, SymlinkMode::follow});
                    }},
                   {"missing_protected",
                    [&](const At& v) {
                        return setting(v, fs.missing_protected,
                                       {MissingProtected::block, MissingProtected::ignore});
                    }},
                   {"git",
                    [&](const At& v) {
                        return setting(v, fs.git, {GitMode::protect, GitMode::commit});
                    }},
                   {"caches", [&](const At& v) { return caches(v, fs.caches); }},
                   {"cache_scope",
                    [&](const At& v) {
                        return setting(v, fs.cache_scope,
                                       {CacheScope::workspace, CacheScope::user});
                    }},
               });
    }

    // filesystem.caches: tool names only. A path is refused rather than made writable: the
    // tools' own places are the host's caches, which is what this list keeps read-only.
    Status caches(const At& a, std::vector<CacheRule>& out) {
        std::vector<CacheRule> list;
        SBX_TRY(each_item(a, [&](const At& item) -> Status {
            auto s = string_value(item, /*allow_empty=*/true);
            if (!s) return std::move(s).error();
            if (!find_cache_tool(*s)) {
                std::string known;
                for (const auto& t : cache_tools())
                    known += (known.empty() ? "" : ", ") + std::string(t.name);
                return schema(item, "unknown cache " + quote_for_message(*s) + " (known: " + known +
                                        "; a directory to write is filesystem.write)");
            }
            for (const auto& seen : list)
                if (seen.tool == *s) return schema(item, "cache \"" + *s + "\" is listed twice");
            list.push_back(CacheRule{*s, origin(item)});
            return {};
        }));
        out = std::move(list);
        return {};
    }

    Status network(const At& a, Policy& p) {
        return walk_table(
            a, {
                   {"mode",
                    [&](const At& v) {
                        return setting(
                            v, p.network.mode,
                            {NetworkMode::none, NetworkMode::full, NetworkMode::allowlist});
                    }},
                   {"unix_sockets",
                    [&](const At& v) -> Status {
                        Setting<UnixSockets> u;
                        SBX_TRY(setting(v, u, {UnixSockets::allow, UnixSockets::block}));
                        p.network.unix_sockets = std::move(u);
                        return {};
                    }},
                   {"allow", [&](const At& v) { return host_rules(v, p.network.allow); }},
                   {"deny", [&](const At& v) { return host_rules(v, p.network.deny); }},
                   {"ports", [&](const At& v) { return ports(v, p.network.ports); }},
               });
    }

    // network.allow / network.deny: domain patterns or addresses (net/host_pattern.hpp).
    Status host_rules(const At& a, std::vector<net::HostRule>& out) {
        std::vector<net::HostRule> rules;
        SBX_TRY(each_item(a, [&](const At& item) -> Status {
            if (item.node.kind != DocNode::Kind::string) return wrong_kind(item, "a string");
            auto pattern = net::parse_host_pattern(item.node.text);
            if (!pattern) return schema(item, std::move(pattern).error().message);
            for (const auto& r : rules)
                if (r.pattern == *pattern)
                    return schema(item, quote_for_message(pattern->text()) +
                                            " is listed twice (first at " + r.origin.to_string() +
                                            ")");
            rules.push_back({std::move(pattern).value(), origin(item)});
            return {};
        }));
        out = std::move(rules);
        return {};
    }

    Status ports(const At& a, Setting<std::vector<std::uint16_t>>& out) {
        std::vector<std::uint16_t> list;
        SBX_TRY(each_item(a, [&](const At& item) -> Status {
            if (item.node.kind != DocNode::Kind::integer) return wrong_kind(item, "an integer");
            if (item.node.integer < 1 || item.node.integer > 65535)
                return schema(item, "port " + item.node.text + " is not in 1..65535");
            auto port = static_cast<std::uint16_t>(item.node.integer);
            for (auto seen : list)
                if (seen == port)
                    return schema(item, "port " + std::to_string(port) + " is listed twice");
            list.push_back(port);
            return {};
        }));
        if (list.empty())
            return schema(
                a, "must list at least one port (no port at all is network.mode = \"none\")");
        out = {std::move(list), origin(a)};
        return {};
    }

    Status process(const At& a, Policy& p) {
        auto& pr = p.process;
        auto flag = [&](bool& out) {
            return [&out, this](const At& v) -> Status {
                auto b = bool_value(v);
                if (!b) return std::move(b).error();
                out = *b;
                return {};
            };
        };
        return walk_table(a, {
                                 {"env_clear", flag(pr.env_clear)},
                                 {"env_keep", [&](const At& v) { return names(v, pr.env_keep); }},
                                 {"env_unset", [&](const At& v) { return names(v, pr.env_unset); }},
                                 {"env_set", [&](const At& v) { return env_set(v, pr.env_set); }},
                                 {"new_session", flag(pr.new_session)},
                             });
    }

    Status env_set(const At& a, std::vector<std::pair<std::string, std::string>>& out) {
        if (a.node.kind != DocNode::Kind::table) return wrong_kind(a, "a table of strings");
        if (a.node.entries.size() > limits_.max_list_entries)
            return limit(a, "has " + std::to_string(a.node.entries.size()) + " entries (limit " +
                                std::to_string(limits_.max_list_entries) + ")");
        std::vector<std::pair<std::string, std::string>> vars;
        for (const auto& e : a.node.entries) {
            At v{e.value, key_path_join(a.key, e.key), e.value.line ? e.value.line : e.key_line};
            SBX_TRY(env_name(v, e.key));
            auto s = string_value(v, /*allow_empty=*/true);
            if (!s) return std::move(s).error();
            vars.emplace_back(e.key, *s);
        }
        out = std::move(vars);
        return {};
    }

    Status backend(const At& a, Policy& p) {
        auto& b = p.backend;
        return walk_table(
            a, {
                   {"order",
                    [&](const At& v) -> Status {
                        std::vector<BackendKind> order;
                        SBX_TRY(each_item(v, [&](const At& item) -> Status {
                            auto k = enum_value(item, {BackendKind::bwrap, BackendKind::landlock});
                            if (!k) return std::move(k).error();
                            for (BackendKind seen : order)
                                if (seen == *k)
                                    return schema(item, std::string("backend \"") + to_string(*k) +
                                                            "\" is listed twice");
                            order.push_back(*k);
                            return {};
                        }));
                        if (order.empty()) return schema(v, "must name at least one backend");
                        b.order = std::move(order);
                        return {};
                    }},
                   {"bwrap",
                    [&](const At& v) -> Status {
                        auto s = string_value(v);
                        if (!s) return std::move(s).error();
                        if (s->size() > limits_.max_path_bytes)
                            return limit(v, "is longer than " +
                                                std::to_string(limits_.max_path_bytes) + " bytes");
                        b.bwrap = *s;
                        return {};
                    }},
                   {"on_unenforceable",
                    [&](const At& v) {
                        return setting(v, b.on_unenforceable,
                                       {OnUnenforceable::approximate, OnUnenforceable::escalate,
                                        OnUnenforceable::weaken});
                    }},
               });
    }

    const std::string& file_;
    const ExpandContext& ctx_;
    const PolicyLimits& limits_;
};

}  // namespace

Result<Policy> apply_document(const Policy& base, const DocNode& root, const std::string& file,
                              const ExpandContext& ctx, const PolicyLimits& limits) {
    Policy p = base;
    Validator v(file, ctx, limits);
    SBX_TRY(v.apply(root, p));
    p.sources.push_back(file);
    return p;
}

}  // namespace sbx
