// Codex CLI config.toml -> sbxrun Policy.
//
// Codex's legacy sandbox settings (codex-rs: SandboxMode, SandboxWorkspaceWrite):
//   sandbox_mode = "read-only" | "workspace-write" | "danger-full-access"
//   [sandbox_workspace_write] writable_roots, network_access, exclude_tmpdir_env_var,
//                             exclude_slash_tmp
// In workspace-write mode the writable roots are the working directory, writable_roots, $TMPDIR
// and /tmp (the last two unless excluded), and inside every writable root Codex keeps .git,
// .codex and .agents read-only. Codex's network allowlist ([network_proxy], [network], a
// permission profile's network table) is import_codex_network.cpp's. Keys that do not concern the
// sandbox (model, approvals, MCP...) are not read; sandbox-related keys sbxrun cannot express are
// reported as unmapped. Unix sockets: with the network off, Codex's Linux seccomp filter refuses
// connect, bind, listen and accept for every family (socket(AF_UNIX) and socketpair still work), so
// no host service's socket file is reachable and the command cannot serve one either; with the
// network on, nothing is refused. network.unix_sockets is therefore left unset: following
// network.mode it is "block" with "none" and "allow" with "full", which is the same reach. Codex
// has no key for it here.
#include <string>

#include "policy/document.hpp"
#include "policy/import.hpp"
#include "policy/import_support.hpp"

namespace sbx {
namespace {

using namespace import_detail;

enum class CodexMode { read_only, workspace_write, full_access };

constexpr const char* kProtectedNames[] = {".git", ".codex", ".agents"};

// Sandbox-related keys of config.toml that have no sbxrun counterpart, and why.
struct KnownUnmapped {
    const char* key;
    const char* why;
};
constexpr KnownUnmapped kUnmappedTopLevel[] = {
    {"shell_environment_policy",
     "Codex's environment filtering is not converted; set [process] env_clear/env_keep/env_unset"},
    {"default_permissions",
     "the permission profile's filesystem rules are not converted: sandbox_mode decides the "
     "filesystem, the profile's network table the network"},
    {"permissions",
     "the permission profiles' filesystem rules are not converted; only the active profile's "
     "network table is"},
};

struct Converter {
    const std::string& file;
    const std::string& base_dir;
    const ExpandContext& ctx;
    const PolicyLimits& limits;
    ImportResult out;

    Result<CodexMode> parse_mode(const Item& item) {
        auto s = as_string(file, item);
        if (!s) return std::move(s).error();
        if (*s == "read-only") return CodexMode::read_only;
        if (*s == "workspace-write") return CodexMode::workspace_write;
        if (*s == "danger-full-access") return CodexMode::full_access;
        return Error(ErrorKind::schema,
                     "unknown sandbox_mode " + quote_for_message(*s) +
                         " (Codex knows read-only, workspace-write, danger-full-access)")
            .with_origin(origin_of(file, item));
    }

    // The sandbox_mode in effect: a selected profile's wins over the top-level key, as in Codex.
    Result<std::pair<CodexMode, Origin>> find_mode(const Item& root) {
        const Item* top = nullptr;
        const Item* profile_name = nullptr;
        const Item* profiles = nullptr;
        auto entries = entries_of(root);
        for (const auto& e : entries) {
            if (e.key == "sandbox_mode") top = &e;
            if (e.key == "profile") profile_name = &e;
            if (e.key == "profiles") profiles = &e;
        }
        if (profile_name != nullptr && profiles != nullptr) {
            auto name = as_string(file, *profile_name);
            if (!name) return std::move(name).error();
            SBX_TRY(expect_table(file, *profiles));
            for (const auto& p : entries_of(*profiles)) {
                if (p.key != key_path_join("profiles", *name)) continue;
                SBX_TRY(expect_table(file, p));
                for (const auto& k : entries_of(p)) {
                    if (k.key == key_path_join(p.key, "sandbox_mode")) {
                        auto m = parse_mode(k);
                        if (!m) return std::move(m).error();
                        return std::pair{*m, origin_of(file, k)};
                    }
                }
            }
        }
        if (top != nullptr) {
            auto m = parse_mode(*top);
            if (!m) return std::move(m).error();
            return std::pair{*m, origin_of(file, *top)};
        }
        out.assumed.push_back("sandbox_mode: not set; Codex's default \"read-only\" is assumed");
        return std::pair{CodexMode::read_only, Origin{file, 0, "sandbox_mode"}};
    }

    Status workspace_write(const Item* table, const Origin& mode_origin) {
        auto& fs = out.policy.filesystem;
        bool network = false;
        bool exclude_tmpdir = false;
        bool exclude_slash_tmp = false;
        Origin network_origin = mode_origin;
        Origin tmpdir_origin = mode_origin;
        Origin slash_tmp_origin = mode_origin;
        std::vector<PathRule> roots;

        auto ws =
            make_path_rule("${workspace}", mode_origin, PathListKind::absolute_only, ctx, limits);
        if (!ws) return std::move(ws).error();
        roots.push_back(std::move(*ws));

        if (table != nullptr) {
            for (const auto& e : entries_of(*table)) {
                const std::string leaf = e.key.substr(table->key.size() + 1);
                if (leaf == "writable_roots") {
                    auto list = as_string_list(file, e);
                    if (!list) return std::move(list).error();
                    for (const auto& it : *list) {
                        auto r = foreign_path(it.node->text, Anchor::directory, base_dir,
                                              origin_of(file, it), ctx, limits);
                        if (!r) return std::move(r).error();
                        add_unique(roots, std::move(*r));
                    }
                } else if (leaf == "network_access") {
                    auto b = as_bool(file, e);
                    if (!b) return std::move(b).error();
                    network = *b;
                    network_origin = origin_of(file, e);
                } else if (leaf == "exclude_tmpdir_env_var") {
                    auto b = as_bool(file, e);
                    if (!b) return std::move(b).error();
                    exclude_tmpdir = *b;
                    tmpdir_origin = origin_of(file, e);
                } else if (leaf == "exclude_slash_tmp") {
                    auto b = as_bool(file, e);
                    if (!b) return std::move(b).error();
                    exclude_slash_tmp = *b;
                    slash_tmp_origin = origin_of(file, e);
                } else {
                    out.unmapped.push_back(e.key +
                                           ": not a Codex sandbox_workspace_write key "
                                           "sbxrun knows; ignored");
                }
            }
        }

        // $TMPDIR counts only when it is set, as in Codex; ${tmpdir} would fall back to /tmp.
        const std::string* tmpdir = nullptr;
        for (const auto& [k, v] : ctx.env)
            if (k == "TMPDIR") tmpdir = &v;
        if (!exclude_tmpdir && tmpdir != nullptr && !tmpdir->empty() && (*tmpdir)[0] == '/') {
            auto r = make_path_rule("${env:TMPDIR}", tmpdir_origin, PathListKind::absolute_only,
                                    ctx, limits);
            if (!r) return std::move(r).error();
            add_unique(roots, std::move(*r));
        }
        if (!exclude_slash_tmp) {
            auto r =
                make_path_rule("/tmp", slash_tmp_origin, PathListKind::absolute_only, ctx, limits);
            if (!r) return std::move(r).error();
            add_unique(roots, std::move(*r));
        }
        fs.write = std::move(roots);
        out.policy.network.mode = {network ? NetworkMode::full : NetworkMode::none, network_origin};
        return {};
    }

    Status protect_codex_names(const Origin& mode_origin) {
        auto& fs = out.policy.filesystem;
        fs.protect.clear();
        for (const char* name : kProtectedNames) {
            Origin o = mode_origin;
            o.key = "sandbox_mode (Codex keeps " + std::string(name) + " read-only)";
            auto r = protected_name(name, o, ctx, limits);
            if (!r) return std::move(r).error();
            fs.protect.push_back(std::move(*r));
        }
        return {};
    }

    Status convert(const DocNode& root_node) {
        Item root{&root_node, {}, root_node.line};
        auto mode = find_mode(root);
        if (!mode) return std::move(mode).error();
        const auto [m, mode_origin] = *mode;

        const Item* sww = nullptr;
        std::vector<Item> entries = entries_of(root);
        for (const auto& e : entries) {
            if (e.key == "sandbox_workspace_write") {
                SBX_TRY(expect_table(file, e));
                sww = &e;
            }
            for (const auto& u : kUnmappedTopLevel)
                if (e.key == u.key) out.unmapped.push_back(e.key + ": " + u.why);
        }

        auto& fs = out.policy.filesystem;
        auto& net = out.policy.network;
        fs.deny.clear();
        fs.tmpfs.clear();
        SBX_TRY(protect_codex_names(mode_origin));
        switch (m) {
            case CodexMode::read_only:
                fs.write.clear();
                net.mode = {NetworkMode::none, mode_origin};
                if (sww != nullptr)
                    out.unmapped.push_back(
                        "sandbox_workspace_write: ignored, as Codex does, because sandbox_mode "
                        "is \"read-only\"");
                break;
            case CodexMode::workspace_write:
                SBX_TRY(workspace_write(sww, mode_origin));
                break;
            case CodexMode::full_access: {
                auto all =
                    make_path_rule("/", mode_origin, PathListKind::absolute_only, ctx, limits);
                if (!all) return std::move(all).error();
                fs.write = {std::move(*all)};
                fs.protect.clear();
                net.mode = {NetworkMode::full, mode_origin};
                out.unmapped.push_back(
                    "sandbox_mode = \"danger-full-access\": sbxrun has no unsandboxed mode; the "
                    "policy makes everything writable and allows the network, but the command "
                    "still runs in a sandbox: no capabilities, no_new_privs, a new session");
                if (sww != nullptr)
                    out.unmapped.push_back(
                        "sandbox_workspace_write: ignored, as Codex does, because sandbox_mode "
                        "is \"danger-full-access\"");
                break;
            }
        }
        return map_codex_network(file, root, out);
    }
};

}  // namespace

Result<ImportResult> import_codex_text(std::string_view text, const std::string& name,
                                       const std::string& base_dir, const ExpandContext& ctx,
                                       const PolicyLimits& limits) {
    auto doc = read_toml_document(text, name, limits);
    if (!doc) return std::move(doc).error();
    Converter c{name, base_dir, ctx, limits, {}};
    c.out.file = name;
    c.out.policy = import_base(ctx, ImportKind::codex, name);
    SBX_TRY(c.convert(*doc));
    return std::move(c.out);
}

}  // namespace sbx
