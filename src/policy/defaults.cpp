#include "fs/path.hpp"
#include "policy/agent_config.hpp"
#include "policy/caches.hpp"
#include "policy/load.hpp"

namespace sbx {
namespace {

// Built-in values carry an origin with an empty file (that is how later stages and messages
// tell "built-in" from "your file") but with the key path, so a refusal caused by a default
// rule can still say which one: "filesystem.protect[1]: sandbox cannot protect ...".
PathRule builtin_rule(std::string text, std::string path, bool relative, std::string key) {
    PathRule r;
    r.text = std::move(text);
    r.path = std::move(path);
    r.relative_name = relative;
    r.origin = Origin{{}, 0, std::move(key)};
    return r;
}

bool usable_dir(const std::string& p) {
    return !p.empty() && p[0] == '/';
}

}  // namespace

Policy default_policy(const ExpandContext& ctx) {
    Policy p;
    p.version = 1;
    auto& fs = p.filesystem;
    fs.read.push_back(builtin_rule("/", "/", false, "filesystem.read[0]"));
    // An unknown or relative workspace is never widened into something writable: normalising
    // "" would give "/". The caller always fills ctx.workspace; this only guards a slip.
    if (usable_dir(ctx.workspace))
        fs.write.push_back(
            builtin_rule("${workspace}", normalize_path(ctx.workspace), false,
                         "filesystem.write[" + std::to_string(fs.write.size()) + "]"));
    const std::string tmp = usable_dir(ctx.tmpdir) ? ctx.tmpdir : std::string("/tmp");
    fs.write.push_back(builtin_rule("${tmpdir}", normalize_path(tmp), false,
                                    "filesystem.write[" + std::to_string(fs.write.size()) + "]"));
    // Every agent's configuration and the files that make host tools run code: one set, so
    // that what a policy file writes as protect = ["@agent-config"] is exactly the default.
    auto set =
        expand_protect_set(kAgentConfigSet, Origin{{}, 0, "filesystem.protect[0] (@agent-config)"});
    if (set) fs.protect = std::move(*set);
    // deny is empty by default, unlike the ~/.ssh, ~/.aws example in the spec: the built-in
    // policy must let `sbxrun -- make` work on a fresh machine, and builds legitimately read
    // ~/.ssh (git over ssh, known_hosts) and cloud credentials (deploy targets). Hiding secrets
    // is a choice a policy file states; the default protects the harness's own state instead.
    fs.deny.clear();
    fs.tmpfs.clear();
    fs.symlinks = {SymlinkMode::pin, {{}, 0, "filesystem.symlinks"}};
    fs.missing_protected = {MissingProtected::block, {{}, 0, "filesystem.missing_protected"}};
    fs.git = {GitMode::protect, {{}, 0, "filesystem.git"}};
    // Every cache sbxrun knows: each is private to sandboxed runs, so enabling one cannot
    // poison the host, and without them `go build` fails outright and npm, pip and ccache
    // redo their work at every run. Per workspace, so that a command in one project cannot
    // plant a package that a sandboxed install in another project then runs with that
    // project's workspace writable (sbxrun-policy(5), filesystem.caches).
    fs.caches.clear();
    for (const auto& t : cache_tools())
        fs.caches.push_back(
            CacheRule{std::string(t.name),
                      {{}, 0, "filesystem.caches[" + std::to_string(fs.caches.size()) + "]"}});
    fs.cache_scope = {CacheScope::workspace, {{}, 0, "filesystem.cache_scope"}};

    p.network.mode = {NetworkMode::none, {{}, 0, "network.mode"}};
    // unix_sockets is left unset so that it follows mode (effective_unix_sockets): refused with
    // "none", because every host service whose socket file the command can see (docker.sock is
    // root on the host, the session D-Bus can start programs outside the sandbox, the ssh agent,
    // X11) would otherwise be reachable; allowed with "full", which isolates nothing anyway.
    p.network.unix_sockets.reset();

    p.process.env_clear = false;
    p.process.env_keep = {"PATH", "HOME", "TERM", "LANG"};
    p.process.env_unset.clear();
    p.process.env_set = {{"SBXRUN", "1"}};
    p.process.new_session = true;

    p.backend.order = {BackendKind::bwrap, BackendKind::landlock};
    p.backend.bwrap = "bwrap";
    p.backend.on_unenforceable = {OnUnenforceable::approximate,
                                  {{}, 0, "backend.on_unenforceable"}};

    p.sources = {"<built-in>"};
    return p;
}

}  // namespace sbx
