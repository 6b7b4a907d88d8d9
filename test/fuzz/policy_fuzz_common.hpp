// Shared body of the policy fuzzers: apply one document over the built-in default with a fixed
// context; a document that loads must also survive the serialisers' round trip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "policy/load.hpp"
#include "policy_test_support.hpp"

namespace sbx::fuzz {

// Fixed so that a crash reproduces from its input alone; the odd values exercise escaping.
inline const ExpandContext& fuzz_context() {
    static const ExpandContext ctx = [] {
        ExpandContext c;
        c.workspace = "/ws";
        c.home = "/home/u";
        c.tmpdir = "/tmp";
        c.env = {{"PROJ", "/srv/proj"},   {"REL", "rel"},         {"EMPTY", ""},
                 {"NAME", ".config/app"}, {"ODD", "/a$b/~\"c\\"}, {"DOTS", "../.."}};
        return c;
    }();
    return ctx;
}

[[noreturn]] inline void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "policy fuzz invariant broken: %s\n%s\n", what, detail.c_str());
    std::abort();
}

// Errors are fine; what must hold is no crash, no escaping exception, no leak (ASan) and, for a
// document that loads, that both serialisations read back (under another context) as the same
// policy, as load.hpp promises.
inline void fuzz_one_policy(const std::uint8_t* data, std::size_t size, const char* name) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto& ctx = fuzz_context();
    const Policy base = default_policy(ctx);
    auto p = apply_policy_text(base, text, name, ctx);
    if (!p.ok()) {
        (void)p.error().render();  // rendering must not crash on whatever the error holds
        return;
    }
    ExpandContext other;
    other.workspace = "/elsewhere";
    other.home = "/nobody";
    other.tmpdir = "/var/tmp";
    const std::string toml = policy_to_toml(*p);
    auto t = apply_policy_text(base, toml, "rt.toml", other);
    if (!t.ok()) fail("TOML output does not read back", t.error().render() + "\n" + toml);
    if (!test::same_policy(*p, *t)) fail("TOML round trip changed the policy", toml);
    const std::string json = policy_to_json(*p);
    auto j = apply_policy_text(base, json, "rt.json", other);
    if (!j.ok()) fail("JSON output does not read back", j.error().render() + "\n" + json);
    if (!test::same_policy(*p, *j)) fail("JSON round trip changed the policy", json);
}

}  // namespace sbx::fuzz
