// Every user-controlled size has a limit, and going over it is ErrorKind::limit with the key.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace sbx;
using namespace sbx::test;

TEST_CASE("file size limit", "[policy][limits]") {
    PolicyLimits l;
    l.max_file_bytes = 32;
    std::string text = "version = 1\n" + std::string(40, '#') + "\n";
    auto r = load_text(text, "big.toml", l);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::limit);
    CHECK(r.error().render() == "big.toml: policy file is larger than 32 bytes");
    CHECK(load_text("version = 1\n", "small.toml", l).ok());

    TempDir dir;
    write_text(dir.path() / "big.toml", text);
    auto f = load_policy_files({(dir.path() / "big.toml").string()}, sample_context(), l);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().kind == ErrorKind::limit);
}

TEST_CASE("list entry limit", "[policy][limits]") {
    PolicyLimits l;
    l.max_list_entries = 2;
    CHECK(load_text("version = 1\nfilesystem.read = [\"/a\", \"/b\"]\n", "ok.toml", l).ok());
    auto r = load_text("version = 1\nfilesystem.read = [\"/a\", \"/b\", \"/c\"]\n", "l.toml", l);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::limit);
    CHECK(r.error().render() == "l.toml:2: filesystem.read: has 3 entries (limit 2)");
    auto e = load_text("version = 1\n[process]\nenv_set = { A = \"1\", B = \"2\", C = \"3\" }\n",
                       "e.toml", l);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::limit);
    CHECK(e.error().origin.key == "process.env_set");
    auto k = load_text("{\"version\": 1, \"process\": {\"env_keep\": [\"A\", \"B\", \"C\"]}}",
                       "k.json", l);
    REQUIRE_FALSE(k.ok());
    CHECK(k.error().render() == "k.json: process.env_keep: has 3 entries (limit 2)");
}

TEST_CASE("path length limit, after expansion", "[policy][limits]") {
    PolicyLimits l;
    l.max_path_bytes = 20;
    CHECK(load_text("version = 1\nfilesystem.write = [\"/0123456789/12345678\"]\n", "ok.toml", l)
              .ok());
    // Short as written, long once ${env:PROJ} (/srv/proj) is expanded.
    auto r =
        load_text("version = 1\nfilesystem.write = [\"${env:PROJ}/0123456789x\"]\n", "p.toml", l);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::limit);
    CHECK(r.error().render() ==
          "p.toml:2: filesystem.write[0]: path is 21 bytes long after expansion (limit 20)");
    auto b = load_text("version = 1\nbackend.bwrap = \"/0123456789/0123456789\"\n", "b.toml", l);
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().kind == ErrorKind::limit);
    CHECK(b.error().origin.key == "backend.bwrap");
    // One component over NAME_MAX is refused even under the overall limit.
    auto c = load_text("version = 1\nfilesystem.deny = [\"/" + std::string(256, 'x') + "\"]\n",
                       "c.toml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == ErrorKind::limit);
    CHECK(c.error().origin.key == "filesystem.deny[0]");
}

TEST_CASE("nesting depth limit in both formats", "[policy][limits]") {
    PolicyLimits l;
    l.max_depth = 2;
    // Depth 2 is what the schema needs (process.env_set, filesystem.read).
    CHECK(load_text("version = 1\nprocess.env_set.A = \"1\"\n", "ok.toml", l).ok());
    auto t = load_text("version = 1\n[filesystem]\nread = [[\"/\"]]\n", "d.toml", l);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().kind == ErrorKind::limit);
    CHECK(t.error().render() == "d.toml:3: filesystem.read[0]: nested deeper than 2 levels");
    auto j = load_text("{\"version\": 1, \"filesystem\": {\"read\": [[\"/\"]]}}", "d.json", l);
    REQUIRE_FALSE(j.ok());
    CHECK(j.error().kind == ErrorKind::limit);
    CHECK(j.error().render() == "d.json: filesystem.read[0]: nested deeper than 2 levels");
    // A deep JSON document is refused while parsing, at the default limit too.
    std::string deep =
        "{\"version\": 1, \"x\": " + std::string(5000, '[') + std::string(5000, ']') + "}";
    auto dj = load_text(deep, "deep.json");
    REQUIRE_FALSE(dj.ok());
    CHECK(dj.error().kind == ErrorKind::limit);
    std::string deep_toml =
        "version = 1\nx = " + std::string(100, '[') + std::string(100, ']') + "\n";
    auto dt = load_text(deep_toml, "deep.toml");
    REQUIRE_FALSE(dt.ok());
    CHECK((dt.error().kind == ErrorKind::limit || dt.error().kind == ErrorKind::parse));
    // A dotted key of 150,000 parts (300 KB) overflowed the stack in toml++ (ninth outside
    // review): refused before toml++ sees it, naming the line. Dots in strings do not count.
    std::string dotted = "version = 1\n";
    for (int i = 0; i < 150000; ++i) dotted += i ? ".a" : "a";
    dotted += " = 1\n";
    auto dk = load_text(dotted, "dotted.toml");
    REQUIRE_FALSE(dk.ok());
    CHECK(dk.error().kind == ErrorKind::limit);
    CHECK(dk.error().origin.line == 2);
    CHECK(load_text("version = 1\nprocess.env_set.A = \"" + std::string(2000, '.') + "\"\n",
                    "strings.toml")
              .ok());
}

TEST_CASE("number of policy files limit", "[policy][limits]") {
    TempDir dir;
    write_text(dir.path() / "a.toml", "version = 1\n");
    std::string a = (dir.path() / "a.toml").string();
    PolicyLimits l;
    l.max_files = 3;
    CHECK(load_policy_files({a, a, a}, sample_context(), l).ok());
    auto r = load_policy_files({a, a, a, a}, sample_context(), l);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::limit);
    CHECK(r.error().render() == "4 policy files given (limit 3)");
}

TEST_CASE("large documents stay fast to read", "[policy][limits]") {
    // 100k keys in one JSON object: duplicate detection must not be quadratic. The unknown
    // key is reported only after the whole object was read, so this exercises the reader.
    std::string doc = "{\"version\": 1, \"process\": {\"env_set\": {";
    for (int i = 0; i < 100000; ++i) doc += (i ? ",\"V" : "\"V") + std::to_string(i) + "\": \"x\"";
    doc += ", \"V7\": \"dup\"}}}";
    auto r = load_text(doc, "big.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().render() == "big.json: process.env_set.V7: duplicate key");
}
