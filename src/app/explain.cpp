#include "app/explain.hpp"

#include <functional>
#include <nlohmann/json.hpp>

#include "inner/proxy_listener.hpp"
#include "util/printable.hpp"

namespace sbx {
namespace {

std::string rule_text(const RuleRef& r) {
    std::string s = r.list();
    if (!r.text().empty()) s += " \"" + r.text() + "\"";
    std::string where = r.origin().to_string();
    s += where.empty() ? " (built-in default)" : " (" + where + ")";
    if (!r.why.empty()) s += ": " + r.why;
    return s;
}

// Arguments are shown shell-quoted so the line can be copied into a terminal.
std::string quote(const std::string& a) {
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) return a;
    std::string q = "'";
    for (char c : a) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

nlohmann::json rule_json(const RuleRef& r) {
    return {{"list", r.list()},        {"rule", r.text()},      {"file", r.origin().file},
            {"line", r.origin().line}, {"key", r.origin().key}, {"why", r.why}};
}

std::string unix_sockets_text(const Setting<UnixSockets>& u) {
    std::string where = u.origin.to_string();
    std::string s = std::string("unix sockets: ") + to_string(u.value) + " (" +
                    (u.origin.file.empty() ? "built-in default" : where) + ")";
    if (u.value == UnixSockets::block)
        return s +
               ": socket(AF_UNIX) is refused, so no host service's socket file is reachable; "
               "socketpair() works";
    return s +
           ": the command can connect to any unix socket file it can see (docker.sock, "
           "agents, X11)";
}

std::string git_text(const Setting<GitMode>& g) {
    std::string s = std::string("git: ") + to_string(g.value) + " (" +
                    (g.origin.file.empty() ? "built-in default" : g.origin.to_string()) + ")";
    if (g.value == GitMode::protect) return s + ": every git directory is read-only";
    return s +
           ": git directories are writable for commits; hooks, config, config.worktree, info, "
           "commondir, gitdir and modules stay read-only (see the protected paths)";
}

// "caches: npm, pip in DIR (made at the first run)", then each variable the command gets.
void caches_text(const CacheSetup& c, const std::function<void(const std::string&)>& line) {
    if (c.tools.empty()) {
        line("caches: none (filesystem.caches is empty: the tools' own caches are read-only)");
        return;
    }
    std::string tools;
    for (const auto& t : c.tools) tools += (tools.empty() ? "" : ", ") + t;
    if (!c.unavailable.empty()) {
        line("caches: " + tools + ": not available: " + c.unavailable);
        return;
    }
    line("caches: " + tools + ", private to sandboxed runs, in " + c.dir +
         (c.ready ? "" : " (made at the first run)"));
    for (const auto& [name, value] : c.env) line("  " + name + "=" + value);
}

}  // namespace

std::string explain_text(const ExplainInput& in) {
    const MountPlan& plan = *in.plan;
    std::string out;
    // One line each, made printable: names in the plan come from the filesystem, where a
    // sandboxed command may have chosen them (a newline, an escape sequence: found by the
    // fifth outside review).
    auto line = [&out](const std::string& text) {
        out += printable(text);
        out += '\n';
    };
    line("workspace: " + in.workspace + " (" + in.workspace_source + ")");
    line("mounts:");
    for (const auto& op : plan.ops) {
        line("  " + std::string(to_string(op.kind)) + "  " + op.dest);
        line("      from " + rule_text(op.rule));
    }
    if (!plan.pins.empty()) {
        line("pinned symlinks (cannot be removed, renamed or replaced):");
        for (const auto& pin : plan.pins) {
            line("  " + pin.link + " -> " + pin.link_text);
            line("      from " + rule_text(pin.rule));
        }
    }
    if (!plan.protected_paths.empty()) {
        line("protected paths:");
        for (const auto& d : plan.protected_paths) {
            std::string text = "  " + d.path + ": " + to_string(d.decision);
            if (!d.detail.empty()) text += " (" + d.detail + ")";
            line(text);
            for (const auto& hop : d.chain) line("      via " + hop);
        }
    }
    line(std::string("network: ") + to_string(plan.network));
    if (in.network && plan.network == NetworkMode::allowlist) {
        auto list = [&](const char* name, const std::vector<net::HostRule>& rules) {
            for (const auto& r : rules)
                line(std::string("  ") + name + " " + r.pattern.text() + "  (" +
                     r.origin.to_string() + ")");
        };
        list("allow", in.network->allow);
        list("deny ", in.network->deny);
        std::string ports = "  ports";
        for (auto p : in.network->ports.value) ports += " " + std::to_string(p);
        line(ports);
        line(std::string("  proxy ") + kHttpProxyUrl + " and " + kSocksProxyUrl +
             " inside the sandbox under bwrap, one port of the host's 127.0.0.1 chosen at run "
             "time for both under Landlock (HTTP_PROXY, HTTPS_PROXY, http_proxy, https_proxy; "
             "ALL_PROXY, all_proxy; NO_PROXY removed); served by sbxrun, which resolves the "
             "names");
    }
    line(unix_sockets_text(in.unix_sockets));
    line(git_text(in.git));
    if (in.caches) caches_text(*in.caches, line);
    for (const auto& w : plan.warnings) line("warning: " + w);
    for (const auto& n : plan.notes) line("note: " + n);
    for (const auto& f : in.fallback) line("not used: " + f);
    line("backend: " + in.backend);
    for (const auto& n : in.backend_notes) line("  note: " + n);
    if (!in.backend_argv.empty()) {
        line("command:");
        // Two appends, not `text += " " + quote(a)`: gcc 12 at -O3 sees a memcpy overlap in the
        // inlined operator+(const char*, string&&) that cannot happen (-Werror=restrict).
        std::string text;
        for (const auto& a : in.backend_argv) {
            text += ' ';
            text += quote(a);
        }
        line(text);
    }
    return out;
}

std::string explain_json(const ExplainInput& in) {
    const MountPlan& plan = *in.plan;
    nlohmann::json j;
    j["workspace"] = {{"path", in.workspace}, {"source", in.workspace_source}};
    j["mounts"] = nlohmann::json::array();
    for (const auto& op : plan.ops) {
        j["mounts"].push_back({{"kind", to_string(op.kind)}, {"dest", op.dest},
                               {"rule", rule_json(op.rule)}});
    }
    j["pins"] = nlohmann::json::array();
    for (const auto& pin : plan.pins) {
        j["pins"].push_back({{"link", pin.link}, {"link_text", pin.link_text},
                             {"target", pin.target}, {"rule", rule_json(pin.rule)}});
    }
    j["protected"] = nlohmann::json::array();
    for (const auto& d : plan.protected_paths) {
        j["protected"].push_back({{"path", d.path},
                                  {"decision", to_string(d.decision)},
                                  {"detail", d.detail},
                                  {"chain", d.chain},
                                  {"rule", rule_json(d.rule)}});
    }
    j["network"] = to_string(plan.network);
    if (in.network && plan.network == NetworkMode::allowlist) {
        auto rules = [](const std::vector<net::HostRule>& list) {
            auto arr = nlohmann::json::array();
            for (const auto& r : list)
                arr.push_back({{"pattern", r.pattern.text()},
                               {"file", r.origin.file},
                               {"line", r.origin.line},
                               {"key", r.origin.key}});
            return arr;
        };
        j["network_allowlist"] = {{"allow", rules(in.network->allow)},
                                  {"deny", rules(in.network->deny)},
                                  {"ports", in.network->ports.value},
                                  {"proxy", kHttpProxyUrl},
                                  {"socks_proxy", kSocksProxyUrl}};
    }
    j["unix_sockets"] = {{"mode", to_string(in.unix_sockets.value)},
                         {"file", in.unix_sockets.origin.file},
                         {"line", in.unix_sockets.origin.line},
                         {"key", in.unix_sockets.origin.key}};
    j["git"] = {{"mode", to_string(in.git.value)},
                {"file", in.git.origin.file},
                {"line", in.git.origin.line},
                {"key", in.git.origin.key}};
    if (in.caches) {
        nlohmann::json env = nlohmann::json::object();
        for (const auto& [name, value] : in.caches->env) env[name] = value;
        j["caches"] = {{"tools", in.caches->tools},
                       {"dir", in.caches->dir},
                       {"ready", in.caches->ready},
                       {"unavailable", in.caches->unavailable},
                       {"env", env}};
    }
    j["warnings"] = plan.warnings;
    j["notes"] = plan.notes;
    j["backend"] = in.backend;
    j["backend_notes"] = in.backend_notes;
    j["fallback"] = in.fallback;
    j["argv"] = in.backend_argv;
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sbx
