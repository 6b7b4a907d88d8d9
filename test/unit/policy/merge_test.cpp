// Several --policy files: later files override earlier ones key by key; lists replace.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

TEST_CASE("files merge key by key over the built-in default", "[policy][merge]") {
    TempDir dir;
    auto a = (dir.path() / "a.toml").string();
    auto b = (dir.path() / "b.json").string();
    write_text(a, R"(version = 1
[filesystem]
read = ["/usr", "/etc"]
write = ["${workspace}"]
symlinks = "follow"
[process]
env_set = { A = "1", B = "2" }
[backend]
order = ["landlock"]
)");
    write_text(b, R"({"version": 1,
 "filesystem": {"write": ["/srv", "${tmpdir}"], "protect": []},
 "network": {"mode": "full"},
 "process": {"env_set": {"C": "3"}}})");
    auto ctx = sample_context();
    auto p = load_policy_files({a, b}, ctx);
    if (!p) FAIL(p.error().render());
    const auto& fs = p->filesystem;
    // read: from a (b does not mention it).
    REQUIRE(fs.read.size() == 2);
    CHECK(fs.read[0].path == "/usr");
    CHECK(fs.read[0].origin.file == a);
    CHECK(fs.read[0].origin.line == 3);
    // write: b's list replaces a's whole list.
    REQUIRE(fs.write.size() == 2);
    CHECK(fs.write[0].path == "/srv");
    CHECK(fs.write[1].path == "/tmp");
    CHECK(fs.write[0].origin.file == b);
    CHECK(fs.write[0].origin.line == 0);  // JSON values carry no line
    // protect: emptied by b; deny: still the default.
    CHECK(fs.protect.empty());
    CHECK(fs.deny.empty());
    // Settings keep their origin.
    CHECK(fs.symlinks.value == SymlinkMode::follow);
    CHECK(fs.symlinks.origin.to_string() == a + ":5: filesystem.symlinks");
    CHECK(fs.missing_protected.origin.file.empty());  // built-in
    CHECK(p->network.mode.value == NetworkMode::full);
    CHECK(p->network.mode.origin.to_string() == b + ": network.mode");
    // env_set is one value: the later file's table replaces the earlier one.
    using Env = std::vector<std::pair<std::string, std::string>>;
    CHECK(p->process.env_set == Env{{"C", "3"}});
    CHECK(p->backend.order == std::vector<BackendKind>{BackendKind::landlock});
    CHECK(p->sources == std::vector<std::string>{"<built-in>", a, b});

    // The other order: a's values win where both speak.
    auto q = load_policy_files({b, a}, ctx);
    REQUIRE(q.ok());
    REQUIRE(q->filesystem.write.size() == 1);
    CHECK(q->filesystem.write[0].path == "/ws");
    CHECK(q->filesystem.protect.empty());  // from b, untouched by a
    CHECK(q->network.mode.value == NetworkMode::full);
    CHECK(q->process.env_set == Env{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("an error in a later file fails the whole load and names that file", "[policy][merge]") {
    TempDir dir;
    auto a = (dir.path() / "a.toml").string();
    auto b = (dir.path() / "b.toml").string();
    write_text(a, "version = 1\nnetwork.mode = \"full\"\n");
    write_text(b, "version = 1\n\nnetwork.mode = \"offline\"\n");
    auto p = load_policy_files({a, b}, sample_context());
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().render().find(b + ":3: network.mode: invalid value \"offline\"") == 0);
}

TEST_CASE("unreadable policy files", "[policy][merge]") {
    TempDir dir;
    auto missing = (dir.path() / "nope.toml").string();
    auto r = load_policy_files({missing}, sample_context());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::not_found);
    CHECK(r.error().path == missing);
    CHECK(r.error().render() ==
          "cannot read policy file " + missing + ": No such file or directory");
    auto d = load_policy_files({dir.path().string()}, sample_context());
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().kind == ErrorKind::usage);
    CHECK(d.error().sys_errno == EISDIR);
    CHECK(load_policy_files({}, sample_context()).ok());
}
