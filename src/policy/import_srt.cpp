// sandbox-runtime (srt) settings JSON -> sbxrun Policy.
//
// srt's model (anthropic-experimental/sandbox-runtime, sandbox-config.ts and README):
//   reads:  allowed everywhere except filesystem.denyRead; filesystem.allowRead re-allows inside
//           a denied region (it wins over denyRead, unlike sbxrun's equal-depth rule);
//   writes: denied everywhere except filesystem.allowWrite; filesystem.denyWrite wins;
//           some files are always write-protected inside writable places (shell rc files,
//           .git/hooks, .git/config unless allowGitConfig, .vscode, .idea, .mcp.json, ...);
//   network: only network.allowedDomains, through srt's proxies; an empty list is no network.
//           sbxrun's network.mode = "allowlist" is the same model (its own proxy): the domains
//           become network.allow, network.deniedDomains network.deny. A domain sbxrun's
//           grammar refuses (net/host_pattern.hpp) is left out of allow and said (narrower is
//           safe); in deny it is an error (leaving it out would widen).
//           On Linux srt's seccomp filter refuses socket(AF_UNIX, ...) (socketpair still works)
//           unless network.allowAllUnixSockets = true, whatever the domains; its
//           network.allowUnixSockets path list is macOS-only (seccomp cannot see a path). That
//           is sbxrun's network.unix_sockets, set explicitly so that it stays "block" even if
//           allowedDomains later widens network.mode to "full".
// Paths are literal on Linux for writes (globs are skipped there); relative paths are relative
// to the current directory, which sbxrun calls ${workspace}; "~" is the home directory.
#include <string>

#include "net/host_pattern.hpp"
#include "policy/agent_config.hpp"
#include "policy/document.hpp"
#include "policy/import.hpp"
#include "policy/import_support.hpp"

namespace sbx {
namespace {

using namespace import_detail;

// srt's DANGEROUS_FILES and dangerous directories (sandbox-utils.ts: shell rc files, .gitconfig,
// .gitmodules, .ripgreprc, .mcp.json, .vscode, .idea, .git/hooks, .claude/commands and agents)
// are all in sbxrun's @agent-config, which protects more (every agent's state, .envrc, .npmrc,
// ...): the import protects that set. srt keeps .git itself writable except its hooks (and its
// config unless allowGitConfig): that is sbxrun's filesystem.git = "commit".

struct Converter {
    const std::string& file;
    const ExpandContext& ctx;
    const PolicyLimits& limits;
    ImportResult out;

    // Lists as srt reads them; each entry keeps its origin.
    std::vector<Item> deny_read, allow_read, allow_write, deny_write, allowed_domains,
        denied_domains;
    bool saw_filesystem = false, saw_network = false, saw_allow_write = false;
    bool fs_disabled = false, allow_git_config = false, all_unix_sockets = false,
         saw_all_unix_sockets = false;
    Origin network_origin{}, disabled_origin{}, unix_sockets_origin{};

    Result<std::vector<PathRule>> paths(const std::vector<Item>& items, const char* what) {
        std::vector<PathRule> rules;
        for (const auto& it : items) {
            const std::string& text = it.node->text;
            if (has_glob(text)) {
                out.unmapped.push_back(it.key + " = " + quote_for_message(text) +
                                       ": glob patterns are not supported by sbxrun; this " + what +
                                       " entry is not applied");
                continue;
            }
            auto r = foreign_path(text, Anchor::workspace, {}, origin_of(file, it), ctx, limits);
            if (!r) return std::move(r).error();
            add_unique(rules, std::move(*r));
        }
        return rules;
    }

    Status read_filesystem(const Item& fs) {
        SBX_TRY(expect_table(file, fs));
        saw_filesystem = true;
        for (const auto& e : entries_of(fs)) {
            const std::string leaf = e.key.substr(fs.key.size() + 1);
            auto list_into = [&](std::vector<Item>& dst) -> Status {
                auto l = as_string_list(file, e);
                if (!l) return std::move(l).error();
                dst = std::move(*l);
                return {};
            };
            if (leaf == "denyRead") {
                SBX_TRY(list_into(deny_read));
            } else if (leaf == "allowRead") {
                SBX_TRY(list_into(allow_read));
            } else if (leaf == "allowWrite") {
                SBX_TRY(list_into(allow_write));
                saw_allow_write = true;
            } else if (leaf == "denyWrite") {
                SBX_TRY(list_into(deny_write));
            } else if (leaf == "allowGitConfig") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                allow_git_config = *b;
            } else if (leaf == "disabled") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                fs_disabled = *b;
                disabled_origin = origin_of(file, e);
            } else {
                out.unmapped.push_back(e.key + ": not an srt filesystem key sbxrun knows; ignored");
            }
        }
        return {};
    }

    Status read_network(const Item& net) {
        SBX_TRY(expect_table(file, net));
        saw_network = true;
        for (const auto& e : entries_of(net)) {
            const std::string leaf = e.key.substr(net.key.size() + 1);
            if (leaf == "allowedDomains") {
                auto l = as_string_list(file, e);
                if (!l) return std::move(l).error();
                allowed_domains = std::move(*l);
                network_origin = origin_of(file, e);
            } else if (leaf == "deniedDomains") {
                auto l = as_string_list(file, e);
                if (!l) return std::move(l).error();
                denied_domains = std::move(*l);
            } else if (leaf == "allowAllUnixSockets") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                all_unix_sockets = *b;
                saw_all_unix_sockets = true;
                unix_sockets_origin = origin_of(file, e);
            } else if (leaf == "allowLocalBinding") {
                auto b = as_bool(file, e);
                if (!b) return std::move(b).error();
                if (*b)
                    out.unmapped.push_back(e.key +
                                           " = true: with no network sbxrun gives the command "
                                           "no usable local ports to bind; not mapped");
            } else if (leaf == "allowUnixSockets") {
                out.unmapped.push_back(e.key +
                                       ": macOS-only in srt (on Linux srt refuses every AF_UNIX "
                                       "socket unless allowAllUnixSockets = true, and so does "
                                       "sbxrun); ignored");
            } else if (leaf == "allowMachLookup") {
                out.unmapped.push_back(e.key + ": macOS-only in srt; ignored");
            } else {
                out.unmapped.push_back(
                    e.key + " = " + render_value(*e.node) +
                    ": srt's own proxy setting; sbxrun runs its own proxy; ignored");
            }
        }
        return {};
    }

    Status build_filesystem() {
        auto& fs = out.policy.filesystem;
        auto root = make_path_rule("/", Origin{file, 0, "srt: every path is readable"},
                                   PathListKind::absolute_only, ctx, limits);
        if (!root) return std::move(root).error();
        fs.read = {std::move(*root)};
        fs.tmpfs.clear();

        if (fs_disabled) {
            auto all =
                make_path_rule("/", disabled_origin, PathListKind::absolute_only, ctx, limits);
            if (!all) return std::move(all).error();
            fs.write = {std::move(*all)};
            fs.protect.clear();
            fs.deny.clear();
            if (!deny_read.empty() || !allow_read.empty() || !allow_write.empty() ||
                !deny_write.empty())
                out.unmapped.push_back(
                    "filesystem.disabled = true: srt ignores denyRead, allowRead, allowWrite and "
                    "denyWrite, and so does the import");
            return {};
        }

        auto reads = paths(allow_read, "allowRead");
        if (!reads) return std::move(reads).error();
        for (auto& r : *reads) add_unique(fs.read, std::move(r));

        auto denies = paths(deny_read, "denyRead");
        if (!denies) return std::move(denies).error();
        fs.deny.clear();
        for (auto& d : *denies) {
            // srt: allowRead wins over denyRead for the same path; sbxrun's equal-depth rule
            // would hide it, so the denial is left out (the deeper-path cases agree already).
            bool reallowed = false;
            for (const auto& r : fs.read)
                if (r.path == d.path && r.path != "/") reallowed = true;
            if (!reallowed) add_unique(fs.deny, std::move(d));
        }

        if (!saw_allow_write)
            out.assumed.push_back(
                "filesystem.allowWrite: not set; no path is writable (srt's "
                "default)");
        auto writes = paths(allow_write, "allowWrite");
        if (!writes) return std::move(writes).error();
        fs.write = std::move(*writes);

        auto protects = paths(deny_write, "denyWrite");
        if (!protects) return std::move(protects).error();
        fs.protect = std::move(*protects);
        auto set = expand_protect_set(
            kAgentConfigSet, Origin{file, 0, "srt: always write-protected (as @agent-config)"});
        if (!set) return std::move(set).error();
        for (auto& r : *set) add_unique(fs.protect, std::move(r));
        fs.git = {GitMode::commit, Origin{file, 0,
                                          "srt: .git is writable but for its hooks and config "
                                          "(filesystem.git = \"commit\")"}};
        if (allow_git_config)
            out.unmapped.push_back(
                "filesystem.allowGitConfig = true: .git/config stays read-only (sbxrun's "
                "filesystem.git = \"commit\" keeps what makes git run code)");
        if (!fs.write.empty())
            out.unmapped.push_back(
                "srt also write-protects its always-protected names (.bashrc, .git/hooks, "
                ".vscode, ...) in subdirectories of writable paths (mandatoryDenySearchDepth); "
                "sbxrun protects @agent-config at the top of each writable path only");
        return {};
    }

    Status build_network() {
        out.policy.network.mode = {
            allowed_domains.empty() ? NetworkMode::none : NetworkMode::allowlist,
            saw_network ? network_origin : Origin{file, 0, "network.allowedDomains"}};
        if (!saw_network)
            out.assumed.push_back("network.allowedDomains: not set; no network (srt's default)");
        SBX_TRY(domains_into(file, domain_list(allowed_domains), false, out.policy.network.allow,
                             out.unmapped));
        SBX_TRY(domains_into(file, domain_list(denied_domains), true, out.policy.network.deny,
                             out.unmapped));
        if (!saw_all_unix_sockets) {
            unix_sockets_origin = Origin{file, 0, "network.allowAllUnixSockets"};
            out.assumed.push_back(
                "network.allowAllUnixSockets: not set; socket(AF_UNIX) is refused (srt's "
                "default on Linux): network.unix_sockets = \"block\"");
        }
        out.policy.network.unix_sockets = Setting<UnixSockets>{
            all_unix_sockets ? UnixSockets::allow : UnixSockets::block, unix_sockets_origin};
        return {};
    }

    Status convert(const DocNode& root_node) {
        Item root{&root_node, {}, root_node.line};
        SBX_TRY(expect_table(file, root));
        for (const auto& e : entries_of(root)) {
            if (e.key == "filesystem") {
                SBX_TRY(read_filesystem(e));
            } else if (e.key == "network") {
                SBX_TRY(read_network(e));
            } else if (e.key == "bwrapPath") {
                auto s = as_string(file, e);
                if (!s) return std::move(s).error();
                if (s->empty() || (*s)[0] != '/')
                    return Error(ErrorKind::schema, "bwrapPath must be an absolute path")
                        .with_origin(origin_of(file, e));
                out.policy.backend.bwrap = *s;
            } else if (e.key == "credentials") {
                out.unmapped.push_back(
                    "credentials: srt's credential masking is not converted; list the files in "
                    "filesystem.deny and the variables in process.env_unset");
            } else {
                out.unmapped.push_back(e.key + ": srt setting with no sbxrun equivalent; ignored");
            }
        }
        if (!saw_filesystem)
            out.assumed.push_back(
                "filesystem: not set; srt's defaults (read everything, write "
                "nothing) are assumed");
        SBX_TRY(build_filesystem());
        SBX_TRY(build_network());
        return {};
    }
};

}  // namespace

Result<ImportResult> import_srt_text(std::string_view text, const std::string& name,
                                     const ExpandContext& ctx, const PolicyLimits& limits) {
    auto doc = read_json_document(text, name, limits);
    if (!doc) return std::move(doc).error();
    Converter c{name, ctx, limits, {}, {}, {}, {}, {}, {}, {}};
    c.out.file = name;
    c.out.policy = import_base(ctx, ImportKind::srt, name);
    SBX_TRY(c.convert(*doc));
    return std::move(c.out);
}

}  // namespace sbx
