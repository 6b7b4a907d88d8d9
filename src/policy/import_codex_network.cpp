// Codex's network allowlist -> sbxrun's network.mode = "allowlist".
//
// Codex filters a sandboxed command's network through its own proxy, and its config.toml has
// written that proxy's settings in three shapes over the versions:
//   [network_proxy] enabled, mode           with [network_proxy.policy] allowed_domains,
//                                           denied_domains, allow_local_binding, ...
//   [network] enabled, mode, allowed_domains, denied_domains, ...   (the standalone proxy's)
//   default_permissions = "NAME" with [permissions.NAME.network] enabled, mode,
//                                           allow_local_binding, and a [....domains] table of
//                                           "host" = "allow" | "deny"   (permission profiles)
// sbxrun's allowlist is the same model: deny wins, an allowed name that resolves to a private
// address is refused unless that address is listed, and the patterns are the same three forms.
//
// Which setting decides:
//   - the active permission profile's network table, when it has one: it is what Codex runs
//     under, whatever sandbox_workspace_write.network_access says;
//   - else an enabled [network_proxy] or [network] narrows a network that sandbox_mode turned
//     on; with the network off it changes nothing (the domains are still kept in network.allow
//     and network.deny, so a --policy layer that sets mode = "allowlist" uses them).
// An enabled proxy with no allowed domain refuses every host in Codex: here, no network.
// What sbxrun does not do is said in `unmapped`: "limited" mode's method filter (GET, HEAD,
// OPTIONS only), allow_local_binding = true, TLS interception, the proxy's own listeners.
#include <optional>
#include <string>
#include <vector>

#include "policy/import_support.hpp"

namespace sbx::import_detail {
namespace {

// The keys that configure Codex's proxy process rather than what it lets through.
constexpr const char* kListenerKeys[] = {
    "proxy_url",
    "admin_url",
    "socks_url",
    "enable_socks5",
    "enable_socks5_udp",
    "allow_upstream_proxy",
    "dangerously_allow_non_loopback",
    "dangerously_allow_non_loopback_proxy",
    "dangerously_allow_non_loopback_admin",
    "prompt_on_block",
    "poll_interval_ms",
};

bool is_listener_key(const std::string& leaf) {
    for (const char* k : kListenerKeys)
        if (leaf == k) return true;
    return false;
}

// What one of the three shapes says, gathered before deciding.
struct CodexNetwork {
    std::optional<bool> enabled;
    Origin enabled_origin;
    std::vector<DomainItem> allowed;
    std::vector<DomainItem> denied;
    bool all_unix_sockets = false;
    Origin unix_sockets_origin;
};

struct Reader {
    const std::string& file;
    ImportResult& out;

    // The leaf of `e` under `table` ("a.b.c" under "a.b" -> "c").
    static std::string leaf_of(const Item& table, const Item& e) {
        return e.key.substr(table.key.size() + 1);
    }

    Status read_domain_list(const Item& e, std::vector<DomainItem>& into) {
        auto list = as_string_list(file, e);
        if (!list) return std::move(list).error();
        for (auto& d : domain_list(*list)) into.push_back(std::move(d));
        return {};
    }

    // [permissions.NAME.network.domains]: "host" = "allow" | "deny".
    Status read_domain_table(const Item& table, CodexNetwork& net) {
        SBX_TRY(expect_table(file, table));
        const auto items = entries_of(table);
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::string& host = table.node->entries[i].key;
            auto verdict = as_string(file, items[i]);
            if (!verdict) return std::move(verdict).error();
            DomainItem d{host, items[i].key + " = " + quote_for_message(*verdict), items[i]};
            if (*verdict == "allow") {
                net.allowed.push_back(std::move(d));
            } else if (*verdict == "deny") {
                net.denied.push_back(std::move(d));
            } else {
                return Error(ErrorKind::schema, "expected \"allow\" or \"deny\" for host " +
                                                    quote_for_message(host) + ", got " +
                                                    quote_for_message(*verdict))
                    .with_origin(origin_of(file, items[i]));
            }
        }
        return {};
    }

    Status read_mode(const Item& e) {
        auto mode = as_string(file, e);
        if (!mode) return std::move(mode).error();
        if (*mode == "full") return {};
        if (*mode == "limited") {
            out.unmapped.push_back(
                e.key +
                " = \"limited\": sbxrun does not filter HTTP methods; an allowed host gets every "
                "method, as with \"full\"");
            return {};
        }
        return Error(ErrorKind::schema, "unknown network mode " + quote_for_message(*mode) +
                                            " (Codex knows full, limited)")
            .with_origin(origin_of(file, e));
    }

    // One network table of any of the three shapes; `policy` tables ([network_proxy.policy])
    // are read into the same result.
    Status read_table(const Item& table, CodexNetwork& net) {
        SBX_TRY(expect_table(file, table));
        for (const auto& e : entries_of(table)) {
            const std::string leaf = leaf_of(table, e);
            if (leaf == "enabled") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                net.enabled = *b;
                net.enabled_origin = origin_of(file, e);
            } else if (leaf == "mode") {
                SBX_TRY(read_mode(e));
            } else if (leaf == "policy") {
                SBX_TRY(read_table(e, net));
            } else if (leaf == "allowed_domains") {
                SBX_TRY(read_domain_list(e, net.allowed));
            } else if (leaf == "denied_domains") {
                SBX_TRY(read_domain_list(e, net.denied));
            } else if (leaf == "domains") {
                SBX_TRY(read_domain_table(e, net));
            } else if (leaf == "allow_local_binding") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                if (*b)
                    out.unmapped.push_back(
                        e.key +
                        " = true: private and loopback addresses stay refused unless "
                        "network.allow lists the address itself");
            } else if (leaf == "dangerously_allow_all_unix_sockets") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                net.all_unix_sockets = *b;
                net.unix_sockets_origin = origin_of(file, e);
            } else if (leaf == "allow_unix_sockets" || leaf == "unix_sockets") {
                out.unmapped.push_back(
                    e.key +
                    ": sbxrun cannot allow one socket file by path (seccomp does not see "
                    "paths); network.unix_sockets = \"allow\" allows them all");
            } else if (leaf == "mitm") {
                out.unmapped.push_back(e.key + ": sbxrun does not intercept TLS; ignored");
            } else if (is_listener_key(leaf)) {
                out.unmapped.push_back(e.key +
                                       ": a setting of Codex's own proxy process; sbxrun runs "
                                       "its own proxy for the run; ignored");
            } else {
                out.unmapped.push_back(e.key + ": not a Codex network key sbxrun knows; ignored");
            }
        }
        return {};
    }
};

// network.mode = "allowlist", and the ports it implies said: Codex's proxy has no port list.
void use_allowlist(NetworkPolicy& network, const Origin& origin, ImportResult& out) {
    network.mode = {NetworkMode::allowlist, origin};
    out.assumed.push_back(
        "network.ports: Codex's proxy has no port list; sbxrun's default, 443 and 80");
}

// An enabled Codex network of either kind, its domains already in the policy: the allowlist,
// or no network when nothing is allowed (Codex's proxy refuses every host until one is).
// `what` names the setting in the message.
void enable(const CodexNetwork& net, const std::string& what, ImportResult& out) {
    auto& network = out.policy.network;
    if (network.allow.empty()) {
        network.mode = {NetworkMode::none, net.enabled_origin};
        out.assumed.push_back(what +
                              " is enabled with no allowed domain: Codex's proxy refuses every "
                              "host until one is allowed; no network");
    } else {
        use_allowlist(network, net.enabled_origin, out);
    }
    if (net.all_unix_sockets)
        network.unix_sockets = Setting<UnixSockets>{UnixSockets::allow, net.unix_sockets_origin};
}

const Item* find_entry(const std::vector<Item>& items, const std::string& key) {
    for (const auto& i : items)
        if (i.key == key) return &i;
    return nullptr;
}

}  // namespace

Status map_codex_network(const std::string& file, const Item& root, ImportResult& out) {
    Reader reader{file, out};
    const auto top = entries_of(root);

    // The permission profile in effect: the selected profile's default_permissions wins over
    // the top-level one, as its sandbox_mode does.
    // Items are copied out of the entry lists they are found in: those are temporaries.
    std::optional<Item> chosen;
    if (const Item* d = find_entry(top, "default_permissions")) chosen = *d;
    if (const Item* profile = find_entry(top, "profile"); profile != nullptr) {
        auto name = as_string(file, *profile);
        if (!name) return std::move(name).error();
        if (const Item* profiles = find_entry(top, "profiles"); profiles != nullptr) {
            SBX_TRY(expect_table(file, *profiles));
            const auto all = entries_of(*profiles);
            if (const Item* p = find_entry(all, key_path_join("profiles", *name)); p != nullptr) {
                SBX_TRY(expect_table(file, *p));
                const auto keys = entries_of(*p);
                if (const Item* d = find_entry(keys, key_path_join(p->key, "default_permissions")))
                    chosen = *d;
            }
        }
    }

    std::optional<CodexNetwork> decided;  // a permission profile's network table
    if (chosen) {
        auto name = as_string(file, *chosen);
        if (!name) return std::move(name).error();
        const Item* permissions = find_entry(top, "permissions");
        // A name starting with ':' is one of Codex's built-in profiles: no table to read.
        if (!name->starts_with(":")) {
            if (permissions != nullptr) {
                SBX_TRY(expect_table(file, *permissions));
                const auto all = entries_of(*permissions);
                const Item* profile = find_entry(all, key_path_join("permissions", *name));
                if (profile != nullptr) {
                    SBX_TRY(expect_table(file, *profile));
                    // The profile is what Codex runs under: without a network table, or
                    // without `enabled`, it has no network.
                    const auto keys = entries_of(*profile);
                    const std::string net_key = key_path_join(profile->key, "network");
                    CodexNetwork net;
                    const Item* n = find_entry(keys, net_key);
                    if (n != nullptr) SBX_TRY(reader.read_table(*n, net));
                    if (!net.enabled) {
                        out.assumed.push_back(net_key +
                                              ".enabled: not set; the profile has no network "
                                              "(Codex's default)");
                        net.enabled_origin = origin_of(file, n != nullptr ? *n : *profile);
                    }
                    decided = std::move(net);
                }
            }
            if (!decided)
                return Error(ErrorKind::schema,
                             "default_permissions names the permission "
                             "profile " +
                                 quote_for_message(*name) + ", which [permissions] does not define")
                    .with_origin(origin_of(file, *chosen));
        }
    }

    auto& network = out.policy.network;
    if (decided) {
        SBX_TRY(domains_into(file, decided->allowed, false, network.allow, out.unmapped));
        SBX_TRY(domains_into(file, decided->denied, true, network.deny, out.unmapped));
        if (decided->enabled.value_or(false))
            enable(*decided, "the permission profile's network", out);
        else
            network.mode = {NetworkMode::none, decided->enabled_origin};
        return {};
    }

    // The proxy's own table: the older [network_proxy], else the standalone proxy's [network].
    const Item* table = find_entry(top, "network_proxy");
    if (table != nullptr && find_entry(top, "network") != nullptr)
        out.unmapped.push_back("network: ignored; [network_proxy] is read");
    if (table == nullptr) table = find_entry(top, "network");
    if (table == nullptr) return {};
    CodexNetwork net;
    SBX_TRY(reader.read_table(*table, net));
    SBX_TRY(domains_into(file, net.allowed, false, network.allow, out.unmapped));
    SBX_TRY(domains_into(file, net.denied, true, network.deny, out.unmapped));
    if (!net.enabled.value_or(false)) {
        out.unmapped.push_back(table->key +
                               ": the proxy is not enabled; the network is as sandbox_mode says");
        return {};
    }
    if (network.mode.value != NetworkMode::full) {
        out.unmapped.push_back(table->key +
                               ": the sandbox has no network (sandbox_mode), so the proxy "
                               "changes nothing; its domains are kept in network.allow and "
                               "network.deny for a layer that sets mode = \"allowlist\"");
        return {};
    }
    enable(net, table->key, out);
    return {};
}

}  // namespace sbx::import_detail
