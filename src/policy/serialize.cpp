// Policy -> TOML / JSON text in the schema the loader reads.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "policy/document.hpp"
#include "policy/load.hpp"

namespace sbx {
namespace {

// The text a path rule is written as: its expanded path, with `$` doubled so that no part of
// it is taken for a variable on the way back in, and a relative name that starts with `~` or
// `@` prefixed with "./" so it is not taken for the home directory or a named set.
std::string path_text(const PathRule& r) {
    std::string out;
    if (r.relative_name && !r.path.empty() && (r.path[0] == '~' || r.path[0] == '@')) out = "./";
    for (char c : r.path) {
        if (c == '$') out += '$';
        out += c;
    }
    return out;
}

// A TOML basic string. TOML text must be UTF-8; a path that is not is written byte for byte
// and then fails to read back, which is the honest outcome for a path TOML cannot spell.
// A TOML basic string: the same escaping the error messages use (document.hpp), which TOML
// reads back as written (\uXXXX for control characters).
std::string toml_string(std::string_view s) { return quote_for_message(s); }

std::string toml_key(std::string_view k) {
    bool bare = !k.empty();
    for (char c : k)
        bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-');
    return bare ? std::string(k) : toml_string(k);
}

std::string from(const Origin& o) {
    if (o.file.empty()) return "  # built-in";
    return "  # " + o.file + (o.line > 0 ? ":" + std::to_string(o.line) : std::string());
}

// The entries a rule list is written as: a named set once, where its first member stands (the
// loader expands it again), every other rule as its path.
template <class F>
void for_each_entry(const std::vector<PathRule>& rules, F&& fn) {
    std::vector<std::string_view> sets_written;
    for (const auto& r : rules) {
        if (r.set.empty()) {
            fn(path_text(r), r);
            continue;
        }
        if (std::find(sets_written.begin(), sets_written.end(), r.set) != sets_written.end())
            continue;
        sets_written.push_back(r.set);
        fn(r.set, r);
    }
}

void toml_paths(std::string& out, const char* key, const std::vector<PathRule>& rules) {
    out += key;
    if (rules.empty()) {
        out += " = []\n";
        return;
    }
    out += " = [\n";
    for_each_entry(rules, [&](const std::string& text, const PathRule& r) {
        out += "    " + toml_string(text) + "," + from(r.origin) + "\n";
    });
    out += "]\n";
}

void toml_names(std::string& out, const char* key, const std::vector<std::string>& names) {
    out += key;
    out += " = [";
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + toml_string(names[i]);
    out += "]\n";
}

template <class E>
void toml_setting(std::string& out, const char* key, const Setting<E>& s) {
    out += std::string(key) + " = " + toml_string(to_string(s.value)) + from(s.origin) + "\n";
}

void toml_hosts(std::string& out, const char* key, const std::vector<net::HostRule>& rules) {
    out += key;
    if (rules.empty()) {
        out += " = []\n";
        return;
    }
    out += " = [\n";
    for (const auto& r : rules)
        out += "    " + toml_string(r.pattern.text()) + "," + from(r.origin) + "\n";
    out += "]\n";
}

std::string toml_ports(const Setting<std::vector<std::uint16_t>>& ports) {
    std::string out = "ports = [";
    for (std::size_t i = 0; i < ports.value.size(); ++i)
        out += (i ? ", " : "") + std::to_string(ports.value[i]);
    return out + "]" + from(ports.origin) + "\n";
}

nlohmann::ordered_json json_hosts(const std::vector<net::HostRule>& rules) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : rules) arr.push_back(r.pattern.text());
    return arr;
}

nlohmann::ordered_json json_paths(const std::vector<PathRule>& rules) {
    auto arr = nlohmann::ordered_json::array();
    for_each_entry(rules, [&](const std::string& text, const PathRule&) { arr.push_back(text); });
    return arr;
}

}  // namespace

std::string policy_to_toml(const Policy& p) {
    std::string out = "# Effective sbxrun policy, from:";
    for (const auto& s : p.sources) out += " " + s;
    out += "\nversion = 1\n\n[filesystem]\n";
    const auto& fs = p.filesystem;
    toml_paths(out, "read", fs.read);
    toml_paths(out, "write", fs.write);
    toml_paths(out, "protect", fs.protect);
    toml_paths(out, "deny", fs.deny);
    toml_paths(out, "tmpfs", fs.tmpfs);
    toml_setting(out, "symlinks", fs.symlinks);
    toml_setting(out, "missing_protected", fs.missing_protected);
    toml_setting(out, "git", fs.git);
    out += "caches = [";
    for (std::size_t i = 0; i < fs.caches.size(); ++i)
        out += std::string(i ? ", " : "") + toml_string(fs.caches[i].tool);
    out += "]\n";
    toml_setting(out, "cache_scope", fs.cache_scope);

    out += "\n[network]\n";
    toml_setting(out, "mode", p.network.mode);
    // Written only when a layer set it: an unset value follows mode, and writing the implied
    // value would pin it, so that a saved copy layered under mode = "full" would still block.
    if (p.network.unix_sockets) {
        toml_setting(out, "unix_sockets", *p.network.unix_sockets);
    } else {
        out += std::string("# unix_sockets = ") +
               toml_string(to_string(effective_unix_sockets(p.network).value)) +
               "  # not set: follows mode (\"block\" with \"none\", \"allow\" with \"full\")\n";
    }
    toml_hosts(out, "allow", p.network.allow);
    toml_hosts(out, "deny", p.network.deny);
    out += toml_ports(p.network.ports);

    const auto& pr = p.process;
    out += "\n[process]\n";
    out += std::string("env_clear = ") + (pr.env_clear ? "true" : "false") + "\n";
    toml_names(out, "env_keep", pr.env_keep);
    toml_names(out, "env_unset", pr.env_unset);
    out += "env_set = {";
    for (std::size_t i = 0; i < pr.env_set.size(); ++i)
        out += (i ? ", " : " ") + toml_key(pr.env_set[i].first) + " = " +
               toml_string(pr.env_set[i].second);
    out += pr.env_set.empty() ? "}\n" : " }\n";
    out += std::string("new_session = ") + (pr.new_session ? "true" : "false") + "\n";

    const auto& b = p.backend;
    out += "\n[backend]\norder = [";
    for (std::size_t i = 0; i < b.order.size(); ++i)
        out += std::string(i ? ", " : "") + toml_string(to_string(b.order[i]));
    out += "]\n";
    out += "bwrap = " + toml_string(b.bwrap) + "\n";
    toml_setting(out, "on_unenforceable", b.on_unenforceable);
    return out;
}

std::string policy_to_json(const Policy& p) {
    using oj = nlohmann::ordered_json;
    const auto& fs = p.filesystem;
    const auto& pr = p.process;
    const auto& b = p.backend;
    oj env_set = oj::object();
    for (const auto& [k, v] : pr.env_set) env_set[k] = v;
    oj caches = oj::array();
    for (const auto& c : fs.caches) caches.push_back(c.tool);
    oj order = oj::array();
    for (auto k : b.order) order.push_back(to_string(k));
    oj network = {{"mode", to_string(p.network.mode.value)}};
    // As in TOML: only a value a layer set (an unset one follows mode).
    if (p.network.unix_sockets) network["unix_sockets"] = to_string(p.network.unix_sockets->value);
    network["allow"] = json_hosts(p.network.allow);
    network["deny"] = json_hosts(p.network.deny);
    network["ports"] = p.network.ports.value;
    oj doc = {
        {"version", 1},
        {"filesystem",
         {{"read", json_paths(fs.read)},
          {"write", json_paths(fs.write)},
          {"protect", json_paths(fs.protect)},
          {"deny", json_paths(fs.deny)},
          {"tmpfs", json_paths(fs.tmpfs)},
          {"symlinks", to_string(fs.symlinks.value)},
          {"missing_protected", to_string(fs.missing_protected.value)},
          {"git", to_string(fs.git.value)},
          {"caches", caches},
          {"cache_scope", to_string(fs.cache_scope.value)}}},
        {"network", network},
        {"process",
         {{"env_clear", pr.env_clear},
          {"env_keep", pr.env_keep},
          {"env_unset", pr.env_unset},
          {"env_set", env_set},
          {"new_session", pr.new_session}}},
        {"backend",
         {{"order", order},
          {"bwrap", b.bwrap},
          {"on_unenforceable", to_string(b.on_unenforceable.value)}}},
    };
    // Invalid UTF-8 (possible in a path from the environment) is replaced rather than thrown.
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace sbx
