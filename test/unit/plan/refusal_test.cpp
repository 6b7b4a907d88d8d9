// refusal_cause (plan/refusal.hpp): which rule of a plan refused a change to a path.
#include "plan/refusal.hpp"

#include <catch2/catch.hpp>
#include <string>

using sbx::MountOp;
using sbx::MountPlan;
using sbx::OpKind;
using sbx::RefusalCause;

namespace {

MountOp op(OpKind kind, std::string dest, std::string list, std::string text) {
    MountOp o;
    o.kind = kind;
    o.dest = std::move(dest);
    o.rule = sbx::RuleRef(std::move(list), std::move(text), {});
    return o;
}

MountPlan sample() {
    MountPlan p;
    p.ops.push_back(op(OpKind::bind_ro, "/", "filesystem.read", "/"));
    p.ops.push_back(op(OpKind::bind_rw, "/tmp", "filesystem.write", "${tmpdir}"));
    p.ops.push_back(op(OpKind::bind_rw, "/w", "filesystem.write", "${workspace}"));
    p.ops.push_back(op(OpKind::bind_ro, "/w/.git", "filesystem.protect", ".git"));
    p.ops.push_back(op(OpKind::block_missing, "/w/.codex", "filesystem.protect", ".codex"));
    p.ops.push_back(op(OpKind::hide_dir, "/w/secrets", "filesystem.deny", "secrets"));
    p.ops.push_back(op(OpKind::bind_ro, "/opt/ro", "filesystem.read", "/opt/ro"));
    return p;
}

}  // namespace

TEST_CASE("refusal_cause names the rule that made a path read-only", "[refusal]") {
    const MountPlan p = sample();
    auto c = sbx::refusal_cause(p, "/home/u/.cache/pip");
    CHECK(c.kind == RefusalCause::Kind::outside);
    CHECK(c.rule == nullptr);
    c = sbx::refusal_cause(p, "/w/.git/config");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == ".git");
    c = sbx::refusal_cause(p, "/w/.codex");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == ".codex");
    c = sbx::refusal_cause(p, "/w/.codex/config.toml");  // a tree made in its place
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    c = sbx::refusal_cause(p, "/w/secrets/key");
    CHECK(c.kind == RefusalCause::Kind::denied);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == "secrets");
    // A read-only root that no writable root holds is simply outside them.
    c = sbx::refusal_cause(p, "/opt/ro/x");
    CHECK(c.kind == RefusalCause::Kind::outside);
    // A name that only shares a prefix with a rule is not under it.
    c = sbx::refusal_cause(p, "/w/.gitignore");
    CHECK(c.kind == RefusalCause::Kind::outside);
    c = sbx::refusal_cause(p, "/w/.codex2");
    CHECK(c.kind == RefusalCause::Kind::outside);
    // The brokers refuse a blocked name in any case: so is it reported.
    c = sbx::refusal_cause(p, "/w/.CODEX");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    c = sbx::refusal_cause(p, "/w/.Codex/x");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
}

TEST_CASE("refusal_cause: anchors and protected paths outside the roots", "[refusal]") {
    MountPlan p = sample();
    p.ops.push_back(op(OpKind::anchor, "/w/sub", "filesystem.protect", "sub/.git"));
    sbx::ProtectDecision d;
    d.path = "/home/u/.docker";
    d.rule = sbx::RuleRef("filesystem.protect", "~/.docker", {});
    p.protected_paths.push_back(d);
    auto c = sbx::refusal_cause(p, "/w/sub");  // renaming an anchored directory
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    c = sbx::refusal_cause(p, "/w/sub/file");  // beneath it: writable, not this
    CHECK(c.kind == RefusalCause::Kind::outside);
    c = sbx::refusal_cause(p, "/home/u/.docker/config.json");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == "~/.docker");
    // A decision that kept nothing is no cause.
    p.protected_paths.back().decision = sbx::Decision::missing_unread;
    c = sbx::refusal_cause(p, "/home/u/.docker/config.json");
    CHECK(c.kind == RefusalCause::Kind::outside);
}

// A writable HOME's top takes no new dot-entry (plan/home_dotfiles.hpp): a refused one is
// reported with the decision that says so, not as "outside every writable root".
TEST_CASE("refusal_cause: a new dot-entry of a writable HOME", "[refusal]") {
    MountPlan p = sample();
    p.dot_blocks.push_back({"/w", 1, 2});
    sbx::ProtectDecision d;
    d.path = "/w/.*";
    d.rule = sbx::RuleRef("filesystem.protect", ".*", {});
    p.protected_paths.push_back(d);
    auto c = sbx::refusal_cause(p, "/w/.lesskey");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == ".*");
    c = sbx::refusal_cause(p, "/w/.NewDir/x");  // a tree made in its place
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    c = sbx::refusal_cause(p, "/w/.bash_history");  // a history too
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    c = sbx::refusal_cause(p, "/w/notes.txt");  // not a dot-name
    CHECK(c.kind == RefusalCause::Kind::outside);
    c = sbx::refusal_cause(p, "/w/src/.x");  // below the top: not kept
    CHECK(c.kind == RefusalCause::Kind::outside);
    c = sbx::refusal_cause(p, "/tmp/.x");  // another directory
    CHECK(c.kind == RefusalCause::Kind::outside);
    c = sbx::refusal_cause(p, "/w/.codex");  // the set's own rule comes first
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == ".codex");
}

TEST_CASE("rule_name spells a rule as the status document shows it", "[refusal]") {
    const sbx::RuleRef r("filesystem.protect", ".git", {});
    CHECK(sbx::rule_name(r) == "filesystem.protect \".git\" (built-in default)");
}

TEST_CASE("refusal_cause: what a deny rule keeps is denied, not protected nor outside",
          "[refusal]") {
    MountPlan p = sample();
    p.ops.push_back(op(OpKind::block_missing, "/w/late.txt", "filesystem.deny", "late.txt"));
    p.ops.push_back(op(OpKind::anchor, "/w/a", "filesystem.deny", "a/secret"));
    sbx::Pin pin;
    pin.link = "/w/dl";
    pin.link_text = "secrets";
    pin.target = "/w/secrets";
    pin.rule = sbx::RuleRef("filesystem.deny", "dl", {});
    p.pins.push_back(pin);
    auto c = sbx::refusal_cause(p, "/w/late.txt");  // making the missing denied path
    CHECK(c.kind == RefusalCause::Kind::denied);
    c = sbx::refusal_cause(p, "/w/LATE.txt");
    CHECK(c.kind == RefusalCause::Kind::denied);
    c = sbx::refusal_cause(p, "/w/a");  // renaming a directory above a denied path
    CHECK(c.kind == RefusalCause::Kind::denied);
    c = sbx::refusal_cause(p, "/w/dl");  // removing the pinned link to it
    CHECK(c.kind == RefusalCause::Kind::denied);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == "dl");
    // A writable root's own top: its mode and owner are kept, by the root's rule.
    c = sbx::refusal_cause(p, "/w");
    CHECK(c.kind == RefusalCause::Kind::protected_path);
    REQUIRE(c.rule != nullptr);
    CHECK(c.rule->text() == "${workspace}");
    // A protection's pinned link stays protected.
    pin.link = "/w/.codex";
    pin.rule = sbx::RuleRef("filesystem.protect", {}, {});
    p.pins.push_back(pin);
    CHECK(sbx::refusal_cause(p, "/w/.codex").kind == RefusalCause::Kind::protected_path);
}
