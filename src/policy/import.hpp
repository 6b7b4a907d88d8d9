// Importing another sandbox's configuration as an sbxrun Policy (--import KIND:FILE).
//
// Two foreign formats are understood:
//   codex: a Codex CLI config.toml (sandbox_mode, [sandbox_workspace_write], the names Codex
//          keeps read-only inside every writable root: .git, .codex, .agents, and its network
//          allowlist: [network_proxy], [network], a permission profile's network table);
//   srt:   a sandbox-runtime settings JSON (filesystem.allowWrite/denyWrite/denyRead/allowRead,
//          network.allowedDomains/deniedDomains, and the files srt always protects from writes).
//
// The import is a policy layer that replaces the built-in default as the base; --policy files
// then apply on top. Everything of the foreign file that has no sbxrun equivalent is listed in
// ImportResult::unmapped, never dropped silently. What sbxrun cannot enforce on the backend
// that runs is recorded as Unenforceable and settled after all layers are applied, by the
// effective backend.on_unenforceable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

enum class ImportKind { codex, srt };

[[nodiscard]] const char* to_string(ImportKind k);

struct ImportSource {
    ImportKind kind = ImportKind::codex;
    std::string file;  // as given; a leading "~/" is expanded by import_policy_file
};

// "codex:FILE" or "srt:FILE" -> ImportSource. ErrorKind::usage naming --import otherwise.
[[nodiscard]] Result<ImportSource> parse_import_spec(std::string_view spec);

// Something the foreign file asks for that sbxrun cannot enforce; the policy carries the
// approximation (e.g. network "none"), the final decision is settle_unenforceable's.
struct Unenforceable {
    std::string what;            // "network.allowedDomains = [\"github.com\"]: ..."
    Origin origin;               // where the foreign file says it
    bool widen_network = false;  // under `weaken`: network.mode becomes "full"
};

struct ImportResult {
    std::string file;  // the file read, as named in origins
    Policy policy;
    std::vector<std::string> unmapped;  // "key: why it has no sbxrun equivalent", in file order
    std::vector<std::string> assumed;   // defaults the foreign tool applies that were filled in
    std::vector<Unenforceable> unenforceable;
};

// Convert one document. `name` names it in origins and messages; `base_dir` is the absolute
// directory relative Codex writable_roots are resolved against (Codex: the config's folder).
// srt resolves relative paths against the current directory, here ${workspace}.
// Errors: ErrorKind::parse (not TOML/JSON), ErrorKind::schema (a known key with the wrong type
// or value), ErrorKind::limit, with the origin in the foreign file.
[[nodiscard]] Result<ImportResult> import_codex_text(std::string_view text, const std::string& name,
                                                     const std::string& base_dir,
                                                     const ExpandContext& ctx,
                                                     const PolicyLimits& limits = {});
[[nodiscard]] Result<ImportResult> import_srt_text(std::string_view text, const std::string& name,
                                                   const ExpandContext& ctx,
                                                   const PolicyLimits& limits = {});

// Read source.file ("~/" expanded with ctx.home, made absolute) and convert it.
[[nodiscard]] Result<ImportResult> import_policy_file(const ImportSource& source,
                                                      const ExpandContext& ctx,
                                                      const PolicyLimits& limits = {});

// What settling gave up, for the warnings and the status document.
struct SettledImport {
    std::vector<std::string> approximated;
    std::vector<std::string> weakened;
};

// Apply policy.backend.on_unenforceable (after every layer) to what the import could not map:
// approximate -> keep the stricter approximation and list it; escalate -> ErrorKind::unenforceable
// (exit 122, needs_approval) naming the key; weaken -> widen (network "full") unless a later
// layer set network.mode itself, and list it.
[[nodiscard]] Result<SettledImport> settle_unenforceable(Policy& policy,
                                                         const std::vector<Unenforceable>& items,
                                                         const std::string& import_file);

}  // namespace sbx
