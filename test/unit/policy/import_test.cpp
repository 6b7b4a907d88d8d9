// --import: Codex config.toml and srt settings JSON converted into sbxrun policies. Each sample
// under test/data/import has a hand-written sbxrun policy (*.expect.toml) saying what it means;
// the conversion must protect, hide and grant exactly the same paths.
#include "policy/import.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

namespace {

ExpandContext import_context() {
    ExpandContext ctx = sample_context();
    ctx.env.emplace_back("TMPDIR", "/var/tmp/u");
    return ctx;
}

std::filesystem::path import_dir() {
    const char* d = std::getenv("SBXRUN_TEST_DATA");
    return std::filesystem::path(d ? d : "test/data") / "import";
}

Result<ImportResult> codex(const std::string& sample, ExpandContext ctx = import_context()) {
    const auto path = import_dir() / sample;
    return import_codex_text(read_text(path), path.string(), "/etc/codex", ctx);
}

Result<ImportResult> srt(const std::string& sample, ExpandContext ctx = import_context()) {
    const auto path = import_dir() / sample;
    return import_srt_text(read_text(path), path.string(), ctx);
}

Policy expected(const std::string& sample) {
    auto ctx = import_context();
    auto p = apply_policy_text(default_policy(ctx), read_text(import_dir() / sample), sample, ctx);
    if (!p) FAIL(p.error().render());
    return *p;
}

std::vector<std::string> paths_of(const std::vector<PathRule>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules) out.push_back(r.path);
    return out;
}

bool any_line_has(const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("--import KIND:FILE is parsed strictly", "[policy][import]") {
    auto c = parse_import_spec("codex:~/.codex/config.toml");
    REQUIRE(c.ok());
    CHECK(c->kind == ImportKind::codex);
    CHECK(c->file == "~/.codex/config.toml");
    auto s = parse_import_spec("srt:a:b.json");
    REQUIRE(s.ok());
    CHECK(s->kind == ImportKind::srt);
    CHECK(s->file == "a:b.json");
    for (const char* bad : {"codex", "codex:", "claude:x.json", ":x", "Codex:x"}) {
        INFO(bad);
        auto r = parse_import_spec(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::usage);
        CHECK(r.error().message.find("--import") != std::string::npos);
    }
}

TEST_CASE("Codex workspace-write maps to the same writable roots, names and network",
          "[policy][import][codex]") {
    auto r = codex("codex_workspace_write.toml");
    if (!r) FAIL(r.error().render());
    const Policy want = expected("codex_workspace_write.expect.toml");
    CHECK(paths_of(r->policy.filesystem.write) == paths_of(want.filesystem.write));
    CHECK(same_policy(r->policy, want));

    // Origins point into the Codex file, so a later refusal names the Codex line.
    const auto& w = r->policy.filesystem.write;
    REQUIRE(w.size() == 5);
    CHECK(w[0].origin.key == "sandbox_mode");
    CHECK(w[0].origin.line == 4);
    CHECK(w[1].origin.key == "sandbox_workspace_write.writable_roots[0]");
    CHECK(w[1].origin.line == 7);
    CHECK(r->policy.network.mode.origin.key == "sandbox_workspace_write.network_access");
    CHECK(r->policy.network.mode.origin.line == 8);
    CHECK(r->policy.sources.back().starts_with("codex:"));

    // Everything sandbox-related that has no equivalent is reported; model etc. are not ours.
    CHECK(any_line_has(r->unmapped, "shell_environment_policy"));
    CHECK(any_line_has(r->unmapped, "sandbox_workspace_write.future_knob"));
    CHECK_FALSE(any_line_has(r->unmapped, "model"));
    CHECK(r->unenforceable.empty());
}

TEST_CASE("Codex: $TMPDIR and /tmp are writable unless excluded", "[policy][import][codex]") {
    auto ctx = import_context();
    auto with = import_codex_text("sandbox_mode = \"workspace-write\"\n", "c.toml", "/", ctx);
    REQUIRE(with.ok());
    CHECK(paths_of(with->policy.filesystem.write) ==
          std::vector<std::string>{"/ws", "/var/tmp/u", "/tmp"});
    CHECK(with->policy.network.mode.value == NetworkMode::none);

    auto without = import_codex_text(
        "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\n"
        "exclude_tmpdir_env_var = true\nexclude_slash_tmp = true\n",
        "c.toml", "/", ctx);
    REQUIRE(without.ok());
    CHECK(paths_of(without->policy.filesystem.write) == std::vector<std::string>{"/ws"});

    // No $TMPDIR: Codex adds nothing for it (sbxrun's ${tmpdir} would fall back to /tmp).
    ExpandContext no_tmpdir = sample_context();
    auto plain =
        import_codex_text("sandbox_mode = \"workspace-write\"\n", "c.toml", "/", no_tmpdir);
    REQUIRE(plain.ok());
    CHECK(paths_of(plain->policy.filesystem.write) == std::vector<std::string>{"/ws", "/tmp"});
}

TEST_CASE("Codex read-only: nothing writable, no network, the unused table reported",
          "[policy][import][codex]") {
    auto r = codex("codex_read_only.toml");
    if (!r) FAIL(r.error().render());
    CHECK(r->policy.filesystem.write.empty());
    CHECK(r->policy.network.mode.value == NetworkMode::none);
    CHECK(paths_of(r->policy.filesystem.protect) ==
          std::vector<std::string>{".git", ".codex", ".agents"});
    CHECK(any_line_has(r->unmapped, "sandbox_workspace_write: ignored"));

    auto unset = import_codex_text("model = \"o3\"\n", "c.toml", "/", import_context());
    REQUIRE(unset.ok());
    CHECK(unset->policy.filesystem.write.empty());
    CHECK(any_line_has(unset->assumed, "read-only"));
}

TEST_CASE("Codex: the selected profile's sandbox_mode wins", "[policy][import][codex]") {
    auto r = codex("codex_profile.toml");
    if (!r) FAIL(r.error().render());
    CHECK(r->policy.filesystem.write.size() == 3);  // workspace, $TMPDIR, /tmp
    CHECK(r->policy.filesystem.write[0].origin.key == "profiles.dev.sandbox_mode");
    CHECK(r->policy.filesystem.write[0].origin.line == 6);
}

TEST_CASE("Codex danger-full-access is widened and reported, never silent",
          "[policy][import][codex]") {
    auto r = codex("codex_full_access.toml");
    if (!r) FAIL(r.error().render());
    CHECK(paths_of(r->policy.filesystem.write) == std::vector<std::string>{"/"});
    CHECK(r->policy.filesystem.protect.empty());
    CHECK(r->policy.network.mode.value == NetworkMode::full);
    CHECK(any_line_has(r->unmapped, "danger-full-access"));
}

TEST_CASE("Codex: wrong values are errors naming the Codex line", "[policy][import][codex]") {
    auto bad = codex("codex_bad_mode.toml");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::schema);
    CHECK(bad.error().origin.line == 2);
    CHECK(bad.error().origin.key == "sandbox_mode");
    CHECK(bad.error().message.find("\"workspace\"") != std::string::npos);

    auto ctx = import_context();
    auto roots = import_codex_text(
        "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nwritable_roots = \"/x\"\n",
        "c.toml", "/", ctx);
    REQUIRE_FALSE(roots.ok());
    CHECK(roots.error().origin.key == "sandbox_workspace_write.writable_roots");

    auto flag = import_codex_text(
        "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nnetwork_access = 1\n",
        "c.toml", "/", ctx);
    REQUIRE_FALSE(flag.ok());
    CHECK(flag.error().kind == ErrorKind::schema);

    auto syntax = import_codex_text("sandbox_mode = \n", "c.toml", "/", ctx);
    REQUIRE_FALSE(syntax.ok());
    CHECK(syntax.error().kind == ErrorKind::parse);
}

namespace {

Result<ImportResult> codex_text(const std::string& text) {
    return import_codex_text(text, "c.toml", "/", import_context());
}

std::vector<std::string> hosts_of(const std::vector<net::HostRule>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules) out.push_back(r.pattern.text());
    return out;
}

}  // namespace

TEST_CASE("Codex: an enabled [network_proxy] narrows network_access to its allowlist",
          "[policy][import][codex][network]") {
    const std::string on =
        "sandbox_mode = \"workspace-write\"\n"
        "[sandbox_workspace_write]\nnetwork_access = true\n";
    auto r = codex_text(on +
                        "[network_proxy]\nenabled = true\nmode = \"full\"\n"
                        "proxy_url = \"http://127.0.0.1:3128\"\n"
                        "[network_proxy.policy]\n"
                        "allowed_domains = [\"*.openai.com\", \"**.GitHub.com.\", \"x*.y.org\"]\n"
                        "denied_domains = [\"evil.example\"]\n");
    if (!r) FAIL(r.error().render());
    CHECK(r->policy.network.mode.value == NetworkMode::allowlist);
    CHECK(r->policy.network.mode.origin.key == "network_proxy.enabled");
    CHECK(r->policy.network.mode.origin.line == 5);
    // Codex's three forms are sbxrun's; a mid-label wildcard is not, and is left out (narrower).
    CHECK(hosts_of(r->policy.network.allow) ==
          std::vector<std::string>{"*.openai.com", "**.github.com"});
    CHECK(any_line_has(r->unmapped, "network_proxy.policy.allowed_domains[2] = \"x*.y.org\""));
    CHECK(hosts_of(r->policy.network.deny) == std::vector<std::string>{"evil.example"});
    CHECK(r->policy.network.deny[0].origin.key == "network_proxy.policy.denied_domains[0]");
    CHECK(any_line_has(r->unmapped, "network_proxy.proxy_url: a setting of Codex's own proxy"));
    CHECK(effective_unix_sockets(r->policy.network).value == UnixSockets::block);

    // The standalone proxy's [network] table, domains at its top.
    auto flat = codex_text(on + "[network]\nenabled = true\nallowed_domains = [\"pypi.org\"]\n");
    REQUIRE(flat.ok());
    CHECK(flat->policy.network.mode.value == NetworkMode::allowlist);
    CHECK(hosts_of(flat->policy.network.allow) == std::vector<std::string>{"pypi.org"});

    // No allowed domain: Codex's proxy refuses every host, so no network, and said.
    auto empty = codex_text(on + "[network_proxy]\nenabled = true\n");
    REQUIRE(empty.ok());
    CHECK(empty->policy.network.mode.value == NetworkMode::none);
    CHECK(any_line_has(empty->assumed, "refuses every host"));

    // Not enabled: the network stays as network_access says.
    auto off = codex_text(on + "[network_proxy.policy]\nallowed_domains = [\"pypi.org\"]\n");
    REQUIRE(off.ok());
    CHECK(off->policy.network.mode.value == NetworkMode::full);
    CHECK(any_line_has(off->unmapped, "network_proxy: the proxy is not enabled"));

    // The sandbox has no network: the proxy widens nothing, its lists are kept for a layer.
    auto closed = codex_text(
        "sandbox_mode = \"workspace-write\"\n[network_proxy]\nenabled = true\n"
        "[network_proxy.policy]\nallowed_domains = [\"pypi.org\"]\n");
    REQUIRE(closed.ok());
    CHECK(closed->policy.network.mode.value == NetworkMode::none);
    CHECK(hosts_of(closed->policy.network.allow) == std::vector<std::string>{"pypi.org"});
    CHECK(any_line_has(closed->unmapped, "the sandbox has no network"));
}

TEST_CASE("Codex: the active permission profile's network table decides the network",
          "[policy][import][codex][network]") {
    const std::string base =
        "sandbox_mode = \"workspace-write\"\n"
        "[sandbox_workspace_write]\nnetwork_access = true\n";
    auto r = codex_text(base +
                        "default_permissions = \"ws\"\n"  // still in [sandbox_workspace_write]
                        "[permissions.ws.network]\nenabled = true\nmode = \"limited\"\n"
                        "allow_local_binding = true\n"
                        "[permissions.ws.network.domains]\n"
                        "\"api.openai.com\" = \"allow\"\n\"example.com\" = \"deny\"\n");
    // default_permissions above landed in the [sandbox_workspace_write] table: unknown there.
    if (!r) FAIL(r.error().render());
    CHECK(any_line_has(r->unmapped, "sandbox_workspace_write.default_permissions"));

    auto p = codex_text("default_permissions = \"ws\"\n" + base +
                        "[permissions.ws.network]\nenabled = true\nmode = \"limited\"\n"
                        "allow_local_binding = true\n"
                        "[permissions.ws.network.domains]\n"
                        "\"api.openai.com\" = \"allow\"\n\"example.com\" = \"deny\"\n");
    if (!p) FAIL(p.error().render());
    CHECK(p->policy.network.mode.value == NetworkMode::allowlist);
    CHECK(p->policy.network.mode.origin.key == "permissions.ws.network.enabled");
    CHECK(hosts_of(p->policy.network.allow) == std::vector<std::string>{"api.openai.com"});
    CHECK(hosts_of(p->policy.network.deny) == std::vector<std::string>{"example.com"});
    CHECK(p->policy.network.deny[0].origin.key == "permissions.ws.network.domains.\"example.com\"");
    CHECK(any_line_has(p->unmapped, "mode = \"limited\": sbxrun does not filter HTTP methods"));
    CHECK(any_line_has(p->unmapped, "allow_local_binding = true"));

    // The selected Codex profile's default_permissions wins over the top-level one.
    auto chosen = codex_text("default_permissions = \"open\"\nprofile = \"dev\"\n" + base +
                             "[profiles.dev]\ndefault_permissions = \"shut\"\n"
                             "[permissions.open.network]\nenabled = true\n"
                             "[permissions.open.network.domains]\n\"a.org\" = \"allow\"\n"
                             "[permissions.shut.network]\nenabled = false\n");
    if (!chosen) FAIL(chosen.error().render());
    CHECK(chosen->policy.network.mode.value == NetworkMode::none);
    CHECK(chosen->policy.network.mode.origin.key == "permissions.shut.network.enabled");

    // A profile without a network table has no network, whatever network_access says.
    auto none = codex_text("default_permissions = \"ws\"\n" + base +
                           "[permissions.ws.filesystem]\n\":minimal\" = \"read\"\n");
    REQUIRE(none.ok());
    CHECK(none->policy.network.mode.value == NetworkMode::none);
    CHECK(any_line_has(none->assumed, "permissions.ws.network.enabled: not set"));

    // Enabled with nothing allowed: refused everywhere, as Codex's proxy does.
    auto bare = codex_text("default_permissions = \"ws\"\n" + base +
                           "[permissions.ws.network]\nenabled = true\n");
    REQUIRE(bare.ok());
    CHECK(bare->policy.network.mode.value == NetworkMode::none);

    // A built-in profile (":workspace") has no table to read: sandbox_mode decides.
    auto builtin = codex_text("default_permissions = \":workspace\"\n" + base);
    REQUIRE(builtin.ok());
    CHECK(builtin->policy.network.mode.value == NetworkMode::full);
    CHECK(any_line_has(builtin->unmapped, "default_permissions: the permission profile's"));
}

TEST_CASE("Codex: wrong network values are errors naming the line",
          "[policy][import][codex][network]") {
    auto missing = codex_text("default_permissions = \"nope\"\n");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::schema);
    CHECK(missing.error().origin.key == "default_permissions");
    CHECK(missing.error().message.find("\"nope\"") != std::string::npos);

    auto verdict = codex_text(
        "default_permissions = \"ws\"\n[permissions.ws.network.domains]\n\"a.org\" = \"maybe\"\n");
    REQUIRE_FALSE(verdict.ok());
    CHECK(verdict.error().origin.line == 3);

    auto mode = codex_text("[network_proxy]\nenabled = true\nmode = \"open\"\n");
    REQUIRE_FALSE(mode.ok());
    CHECK(mode.error().origin.key == "network_proxy.mode");

    auto enabled = codex_text("[network_proxy]\nenabled = \"yes\"\n");
    REQUIRE_FALSE(enabled.ok());

    // In a deny list a pattern sbxrun cannot express would widen if left out: an error.
    auto deny = codex_text(
        "[network_proxy]\nenabled = true\n[network_proxy.policy]\ndenied_domains = [\"*\"]\n");
    REQUIRE_FALSE(deny.ok());
    CHECK(deny.error().origin.key == "network_proxy.policy.denied_domains[0]");
}

TEST_CASE("srt settings map to the same read, write, hidden and protected paths",
          "[policy][import][srt]") {
    auto r = srt("srt_settings.json");
    if (!r) FAIL(r.error().render());
    const Policy want = expected("srt_settings.expect.toml");
    CHECK(paths_of(r->policy.filesystem.read) == paths_of(want.filesystem.read));
    CHECK(paths_of(r->policy.filesystem.write) == paths_of(want.filesystem.write));
    CHECK(paths_of(r->policy.filesystem.deny) == paths_of(want.filesystem.deny));
    CHECK(paths_of(r->policy.filesystem.protect) == paths_of(want.filesystem.protect));
    CHECK(same_policy(r->policy, want));

    // srt's .git: writable but for what runs code, which is filesystem.git = "commit"; with
    // allowGitConfig = true srt lets config be written too, which sbxrun does not: said.
    CHECK(r->policy.filesystem.git.value == GitMode::commit);
    CHECK(any_line_has(r->unmapped, "allowGitConfig = true"));
    // Globs are reported, not applied; unknown srt keys are reported.
    CHECK(any_line_has(r->unmapped, "filesystem.denyRead[2] = \"**/.env\""));
    CHECK(any_line_has(r->unmapped, "filesystem.denyWrite[2] = \"src/*.lock\""));
    CHECK(any_line_has(r->unmapped, "ignoreViolations"));
    CHECK(any_line_has(r->unmapped, "mandatoryDenySearchDepth"));
    // An empty allowedDomains is simply no network: nothing to settle.
    CHECK(r->policy.network.mode.value == NetworkMode::none);
    CHECK(r->unenforceable.empty());
}

TEST_CASE("srt: .git/config is protected unless allowGitConfig; no allowWrite, no writes",
          "[policy][import][srt]") {
    auto ctx = import_context();
    auto r = import_srt_text(R"({"filesystem": {"denyRead": [], "allowWrite": ["."],
                                  "denyWrite": []}})",
                             "s.json", ctx);
    REQUIRE(r.ok());
    // Without allowGitConfig, config is read-only as in every commit-mode run: nothing said.
    CHECK(r->policy.filesystem.git.value == GitMode::commit);
    CHECK_FALSE(any_line_has(r->unmapped, "allowGitConfig"));
    // srt's mandatory names are all in @agent-config, which the import protects.
    CHECK(any_line_has(paths_of(r->policy.filesystem.protect), ".claude"));
    CHECK(any_line_has(paths_of(r->policy.filesystem.protect), ".bashrc"));
    CHECK(any_line_has(r->assumed, "network"));

    auto none = import_srt_text("{}", "s.json", ctx);
    REQUIRE(none.ok());
    CHECK(none->policy.filesystem.write.empty());
    CHECK(none->policy.filesystem.deny.empty());

    auto bad = import_srt_text(R"({"filesystem": {"allowWrite": "."}})", "s.json", ctx);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::schema);
    CHECK(bad.error().origin.key == "filesystem.allowWrite");

    auto not_json = import_srt_text("{\"network\": ", "s.json", ctx);
    REQUIRE_FALSE(not_json.ok());
    CHECK(not_json.error().kind == ErrorKind::parse);
}

TEST_CASE("srt: allowedDomains and deniedDomains become the network allowlist",
          "[policy][import][srt]") {
    auto r = srt("srt_domains.json");
    if (!r) FAIL(r.error().render());
    CHECK(r->unenforceable.empty());
    CHECK(r->policy.network.mode.value == NetworkMode::allowlist);
    REQUIRE(r->policy.network.allow.size() == 2);
    CHECK(r->policy.network.allow[0].pattern.text() == "github.com");
    CHECK(r->policy.network.allow[1].pattern.text() == "*.npmjs.org");
    CHECK(r->policy.network.deny.empty());
    CHECK(effective_unix_sockets(r->policy.network).value == UnixSockets::block);

    auto ctx = import_context();
    // A domain sbxrun's grammar refuses: left out of allow (narrower), and said.
    auto url = import_srt_text(
        R"({"network": {"allowedDomains": ["https://x.org/", "a.org"], "deniedDomains": ["Gist.GitHub.com"]}})",
        "s.json", ctx);
    REQUIRE(url.ok());
    REQUIRE(url->policy.network.allow.size() == 1);
    CHECK(url->policy.network.allow[0].pattern.text() == "a.org");
    CHECK(any_line_has(url->unmapped, "left out of network.allow"));
    REQUIRE(url->policy.network.deny.size() == 1);
    CHECK(url->policy.network.deny[0].pattern.text() == "gist.github.com");
    // ... but in deny leaving it out would widen: an error naming the key.
    auto bad = import_srt_text(
        R"({"network": {"allowedDomains": ["a.org"], "deniedDomains": ["*"]}})", "s.json", ctx);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::schema);
    CHECK(bad.error().origin.key == "network.deniedDomains[0]");
}

TEST_CASE("an imported policy printed with --print-policy reads back as the same policy",
          "[policy][import]") {
    auto ctx = import_context();
    for (const char* sample : {"codex_workspace_write.toml", "srt_settings.json"}) {
        INFO(sample);
        auto r = std::string(sample).ends_with(".json") ? srt(sample) : codex(sample);
        if (!r) FAIL(r.error().render());
        auto back =
            apply_policy_text(default_policy(ctx), policy_to_toml(r->policy), "saved.toml", ctx);
        if (!back) FAIL(back.error().render());
        CHECK(same_policy(*back, r->policy));
    }
}

TEST_CASE("import_policy_file expands ~/ and reports a missing file", "[policy][import]") {
    TempDir dir;
    auto ctx = import_context();
    ctx.home = dir.path().string();
    write_text(dir.path() / ".codex" / "config.toml",
               "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\n"
               "writable_roots = [\"cache\"]\n");
    auto r = import_policy_file({ImportKind::codex, "~/.codex/config.toml"}, ctx);
    if (!r) FAIL(r.error().render());
    CHECK(r->file == (dir.path() / ".codex" / "config.toml").string());
    // A relative writable root is relative to the config file's directory.
    CHECK(r->policy.filesystem.write[1].path == (dir.path() / ".codex" / "cache").string());

    auto missing = import_policy_file({ImportKind::srt, (dir.path() / "nope.json").string()}, ctx);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::not_found);
}
