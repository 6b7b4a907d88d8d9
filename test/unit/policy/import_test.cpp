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
