// Every sample under test/data/policies: valid ones load, invalid ones fail with the message
// kept next to them in <name>.expect (a substring of Error::render()).
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() != ".expect") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST_CASE("every valid sample loads", "[policy][samples]") {
    auto files = files_in(data_dir() / "valid");
    REQUIRE(files.size() >= 10);
    for (const auto& f : files) {
        INFO("sample " << f.filename().string());
        auto p = load_text(read_text(f), f.filename().string());
        if (!p) FAIL(p.error().render());
        CHECK(p->sources.back() == f.filename().string());
    }
}

TEST_CASE("every invalid sample fails with its expected message", "[policy][samples]") {
    auto files = files_in(data_dir() / "invalid");
    REQUIRE(files.size() >= 40);
    for (const auto& f : files) {
        INFO("sample " << f.filename().string());
        fs::path expect_file = f;
        expect_file += ".expect";
        REQUIRE(fs::exists(expect_file));
        std::string expected = trim(read_text(expect_file));
        REQUIRE(!expected.empty());
        auto p = load_text(read_text(f), f.filename().string());
        REQUIRE_FALSE(p.ok());
        const Error& e = p.error();
        INFO("rendered: " << e.render());
        CHECK(e.render().find(expected) != std::string::npos);
        CHECK(e.origin.file == f.filename().string());
        // Syntax errors are ErrorKind::parse; nothing else in these samples is.
        bool syntax = e.render().find("invalid TOML") != std::string::npos ||
                      e.render().find("invalid JSON") != std::string::npos;
        CHECK((e.kind == ErrorKind::parse) == syntax);
        if (!syntax) CHECK(e.kind == ErrorKind::schema);
    }
}

TEST_CASE("the same document in TOML and JSON gives the same policy", "[policy][formats]") {
    for (const char* base : {"full", "minimal"}) {
        INFO(base);
        auto t =
            load_text(read_text(data_dir() / "valid" / (std::string(base) + ".toml")), "a.toml");
        auto j =
            load_text(read_text(data_dir() / "valid" / (std::string(base) + ".json")), "a.json");
        REQUIRE(t.ok());
        REQUIRE(j.ok());
        CHECK(same_policy(*t, *j));
    }
}

TEST_CASE("full sample sets every key", "[policy][samples]") {
    auto p = load_text(read_text(data_dir() / "valid" / "full.toml"), "full.toml");
    REQUIRE(p.ok());
    const auto& fs = p->filesystem;
    REQUIRE(fs.read.size() == 3);
    CHECK(fs.read[2].path == "/home/u");
    CHECK(fs.read[2].text == "${home}");
    REQUIRE(fs.write.size() == 2);
    CHECK(fs.write[1].path == "/tmp/build");
    REQUIRE(fs.protect.size() == 4);
    CHECK(fs.protect[0].relative_name);
    CHECK(fs.protect[0].path == ".git");
    CHECK_FALSE(fs.protect[2].relative_name);
    CHECK(fs.protect[2].path == "/ws/.agents");
    CHECK(fs.protect[3].path == "sub/dir");
    CHECK(fs.protect[3].origin.to_string() == "full.toml:7: filesystem.protect[3]");
    REQUIRE(fs.deny.size() == 3);
    CHECK(fs.deny[0].path == "/home/u/.ssh");
    CHECK(fs.deny[2].relative_name);
    REQUIRE(fs.tmpfs.size() == 1);
    CHECK(fs.tmpfs[0].path == "/var/tmp");
    CHECK(fs.symlinks.value == SymlinkMode::escalate);
    CHECK(fs.symlinks.origin.to_string() == "full.toml:10: filesystem.symlinks");
    CHECK(fs.missing_protected.value == MissingProtected::ignore);
    CHECK(p->network.mode.value == NetworkMode::full);
    CHECK(p->network.mode.origin.line == 14);
    REQUIRE(p->network.unix_sockets.has_value());
    CHECK(p->network.unix_sockets->value == UnixSockets::block);
    CHECK(p->network.unix_sockets->origin.line == 15);
    CHECK(p->process.env_clear);
    CHECK(p->process.env_keep == std::vector<std::string>{"PATH", "HOME"});
    CHECK(p->process.env_unset == std::vector<std::string>{"*_TOKEN", "AWS_*"});
    // File order, not toml++'s sorted order.
    using Env = std::vector<std::pair<std::string, std::string>>;
    CHECK(p->process.env_set == Env{{"ZED", "last letter"}, {"ALPHA", ""}, {"SBXRUN", "1"}});
    CHECK_FALSE(p->process.new_session);
    CHECK(p->backend.order == std::vector<BackendKind>{BackendKind::landlock, BackendKind::bwrap});
    CHECK(p->backend.bwrap == "/usr/local/bin/bwrap");
    CHECK(p->backend.on_unenforceable.value == OnUnenforceable::weaken);
    CHECK(p->sources == std::vector<std::string>{"<built-in>", "full.toml"});
}

TEST_CASE("a minimal file keeps every default", "[policy][defaults]") {
    auto ctx = sample_context();
    auto p = load_text("version = 1\n", "m.toml");
    REQUIRE(p.ok());
    CHECK(same_policy(*p, default_policy(ctx)));
}

TEST_CASE("format is chosen by extension, else by content", "[policy][formats]") {
    // A JSON document named .toml is read as TOML and fails there, and vice versa.
    auto as_toml = load_text("{\"version\": 1}", "p.toml");
    REQUIRE_FALSE(as_toml.ok());
    CHECK(as_toml.error().message.find("invalid TOML") == 0);
    auto as_json = load_text("version = 1\n", "p.json");
    REQUIRE_FALSE(as_json.ok());
    CHECK(as_json.error().message.find("invalid JSON") == 0);
    // No extension: '{' first (after blanks) means JSON.
    auto sniff_json =
        load_text("\n\t {\"version\": 1, \"network\": {\"mode\": \"full\"}}", "/dev/fd/63");
    REQUIRE(sniff_json.ok());
    CHECK(sniff_json->network.mode.value == NetworkMode::full);
    auto sniff_toml = load_text("# c\nversion = 1\nnetwork.mode = \"full\"\n", "policy");
    REQUIRE(sniff_toml.ok());
    CHECK(sniff_toml->network.mode.value == NetworkMode::full);
    CHECK(sniff_toml->network.mode.origin.line == 3);
}

TEST_CASE("TOML errors carry line and column, JSON syntax errors a line", "[policy][formats]") {
    auto t = load_text("version = 1\n\n[network]\nmode = none\n", "p.toml");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().kind == ErrorKind::parse);
    CHECK(t.error().origin.line == 4);
    CHECK(t.error().message.find("at column ") != std::string::npos);
    auto j = load_text("{\"version\": 1,\n\"network\": {\"mode\": none}}", "p.json");
    REQUIRE_FALSE(j.ok());
    CHECK(j.error().kind == ErrorKind::parse);
    CHECK(j.error().origin.line == 2);
    CHECK(j.error().render().rfind("p.json:2: invalid JSON at column ", 0) == 0);
    // Empty and truncated documents.
    CHECK(load_text("", "e.json").error().kind == ErrorKind::parse);
    CHECK(load_text("", "e.toml").error().render() ==
          "e.toml: version: required key is missing; add version = 1");
}
