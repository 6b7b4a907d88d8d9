#include "run/outcome.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using sbx::ErrorKind;
using sbx::Outcome;
using sbx::OutcomeKind;

namespace {

struct KindRow {
    OutcomeKind kind;
    const char* name;
    int exit_code;
};

// Spec section 5, written out independently of the code under test.
const std::vector<KindRow> kTable = {
    {OutcomeKind::integrity_violation, "integrity_violation", 120},
    {OutcomeKind::unavailable, "unavailable", 121},
    {OutcomeKind::needs_approval, "needs_approval", 122},
    {OutcomeKind::setup_failed, "setup_failed", 123},
    {OutcomeKind::timed_out, "timed_out", 124},
    {OutcomeKind::usage_error, "usage_error", 125},
    {OutcomeKind::policy_error, "policy_error", 125},
    {OutcomeKind::not_executable, "not_executable", 126},
    {OutcomeKind::not_found, "not_found", 127},
};

const std::vector<std::string> kFields = {
    "sbxrun_status", "outcome",  "exit_code", "signal",     "backend",           "reason",
    "path",          "symlink",  "target",    "suggestion", "suggestion_policy", "approximated",
    "weakened",      "fallback", "denials",   "unchecked",  "duration_ms"};

Outcome of_kind(OutcomeKind k) {
    Outcome o;
    o.kind = k;
    o.exit_code = sbx::exit_code_for(k);
    return o;
}

nlohmann::ordered_json parsed(const Outcome& o) {
    const std::string text = sbx::status_json(o);
    INFO(text);
    REQUIRE(nlohmann::json::accept(text));
    return nlohmann::ordered_json::parse(text);
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    return keys;
}

std::string read_source_file(const std::string& relative) {
    const char* root = std::getenv("SBXRUN_SOURCE_ROOT");
    if (root == nullptr) FAIL("SBXRUN_SOURCE_ROOT is not set (run this test through meson test)");
    std::ifstream in(std::string(root) + "/" + relative);
    if (!in) FAIL("cannot read " << root << "/" << relative);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("outcome names and exit codes follow the spec table", "[outcome]") {
    for (const auto& row : kTable) {
        INFO(row.name);
        CHECK(std::string(sbx::to_string(row.kind)) == row.name);
        CHECK(sbx::exit_code_for(row.kind) == row.exit_code);
    }
    CHECK(std::string(sbx::to_string(OutcomeKind::exited)) == "exited");
    CHECK(std::string(sbx::to_string(OutcomeKind::signaled)) == "signaled");
}

TEST_CASE("a command's exit status passes through", "[outcome]") {
    for (int status : {0, 1, 2, 42, 120, 125, 127, 255}) {
        auto o = sbx::outcome_exited(status);
        CHECK(o.kind == OutcomeKind::exited);
        CHECK(o.exit_code == status);
        CHECK_FALSE(o.signal);
    }
    // Like exit(2): only the low 8 bits reach the parent.
    CHECK(sbx::outcome_exited(256).exit_code == 0);
    CHECK(sbx::outcome_exited(300).exit_code == 44);
}

TEST_CASE("a killed command exits 128+N", "[outcome]") {
    auto o = sbx::outcome_signaled(SIGKILL);
    CHECK(o.kind == OutcomeKind::signaled);
    CHECK(o.exit_code == 128 + SIGKILL);
    REQUIRE(o.signal);
    CHECK(*o.signal == SIGKILL);
    CHECK(o.reason.find("SIGKILL") != std::string::npos);
    CHECK(sbx::outcome_signaled(SIGTERM).exit_code == 143);
    CHECK(sbx::outcome_signaled(SIGRTMAX).exit_code == 128 + SIGRTMAX);
}

TEST_CASE("errors map to the outcome of util/error.hpp's table", "[outcome]") {
    const std::vector<std::pair<ErrorKind, OutcomeKind>> table = {
        {ErrorKind::usage, OutcomeKind::usage_error},
        {ErrorKind::parse, OutcomeKind::policy_error},
        {ErrorKind::schema, OutcomeKind::policy_error},
        {ErrorKind::limit, OutcomeKind::policy_error},
        {ErrorKind::symlink_refused, OutcomeKind::needs_approval},
        {ErrorKind::unenforceable, OutcomeKind::needs_approval},
        {ErrorKind::escape, OutcomeKind::policy_error},
        {ErrorKind::loop, OutcomeKind::policy_error},
        {ErrorKind::not_found, OutcomeKind::policy_error},
        {ErrorKind::bad_path, OutcomeKind::policy_error},
        {ErrorKind::unsupported, OutcomeKind::unavailable},
        {ErrorKind::no_backend, OutcomeKind::unavailable},
        {ErrorKind::os, OutcomeKind::unavailable},
        {ErrorKind::resource, OutcomeKind::setup_failed},
        {ErrorKind::internal, OutcomeKind::usage_error},
    };
    for (const auto& [error_kind, outcome_kind] : table) {
        INFO(sbx::to_string(error_kind));
        auto o = sbx::outcome_from_error(sbx::Error(error_kind, "it went wrong"));
        CHECK(o.kind == outcome_kind);
        CHECK(o.exit_code == sbx::exit_code_for(outcome_kind));
        CHECK(o.reason.find("it went wrong") != std::string::npos);
        CHECK(o.backend.empty());
    }
    CHECK(sbx::outcome_from_error(sbx::Error(ErrorKind::internal, "x")).reason ==
          "internal error: x");
}

TEST_CASE("a system call that ran out of descriptors or memory is a setup failure", "[outcome]") {
    for (int err : {EMFILE, ENFILE, ENOMEM, E2BIG, ENOSPC, EDQUOT}) {
        INFO(err);
        CHECK(sbx::os_error("open", err).kind == ErrorKind::resource);
        CHECK(sbx::outcome_from_error(sbx::os_error("open", err)).exit_code == 123);
    }
    for (int err : {ENOTDIR, EACCES, ENOENT, EAGAIN, EPERM}) {
        INFO(err);
        CHECK(sbx::os_error("open", err).kind == ErrorKind::os);
    }
}

TEST_CASE("a refusal carries its context into the outcome", "[outcome]") {
    sbx::Error e(ErrorKind::symlink_refused,
                 "sandbox cannot protect '/w/.codex': it crosses the writable symlink");
    e.with_origin({"p.toml", 14, "filesystem.protect[1]"}).with_path("/w/.codex");
    e.symlink = "/w/.codex";
    e.target = "/w/.auxiliary/configuration/coders/codex";
    e.suggestion = "set filesystem.symlinks = \"pin\" or protect the target directly";
    auto o = sbx::outcome_from_error(e);
    CHECK(o.kind == OutcomeKind::needs_approval);
    CHECK(o.exit_code == 122);
    CHECK(o.reason == e.render());
    CHECK(o.reason.rfind("p.toml:14: filesystem.protect[1]: sandbox cannot protect", 0) == 0);
    CHECK(o.path == "/w/.codex");
    CHECK(o.symlink == "/w/.codex");
    CHECK(o.target == e.target);
    CHECK(o.suggestion == e.suggestion);

    auto j = parsed(o);
    CHECK(j["outcome"] == "needs_approval");
    CHECK(j["exit_code"] == 122);
    CHECK(j["path"] == "/w/.codex");
    CHECK(j["suggestion"] == e.suggestion);
}

TEST_CASE("the status document has exactly the spec's fields, for every outcome", "[outcome]") {
    std::vector<Outcome> all;
    for (const auto& row : kTable) all.push_back(of_kind(row.kind));
    all.push_back(sbx::outcome_exited(3));
    all.push_back(sbx::outcome_signaled(SIGSEGV));
    for (const auto& o : all) {
        const std::string text = sbx::status_json(o);
        INFO(text);
        CHECK(text.find('\n') == std::string::npos);  // one line, no trailing newline
        auto j = parsed(o);
        REQUIRE(j.is_object());
        CHECK(keys_of(j) == kFields);
        CHECK(j["sbxrun_status"] == 1);
        CHECK(j["outcome"] == sbx::to_string(o.kind));
        CHECK(j["exit_code"] == o.exit_code);
        CHECK(j["approximated"].is_array());
        CHECK(j["weakened"].is_array());
        CHECK(j["fallback"].is_array());
        CHECK(j["duration_ms"].is_number_integer());
        for (const char* key : {"backend", "path", "symlink", "target", "suggestion"}) {
            INFO(key);
            CHECK(j[key].is_null());  // nothing set: null, never ""
        }
        if (o.signal) {
            CHECK(j["signal"] == *o.signal);
        } else {
            CHECK(j["signal"].is_null());
        }
    }
}

TEST_CASE("the status document round-trips every field", "[outcome]") {
    Outcome o = of_kind(OutcomeKind::timed_out);
    o.signal = SIGKILL;
    o.backend = "landlock";
    o.reason = "line one\nline \"two\"\t\\ and a \x01 control";
    o.path = "/home/me/proj/.codex";
    o.symlink = "/home/me/proj/.codex";
    o.target = "/home/me/proj/.auxiliary/configuration/coders/codex";
    o.suggestion = "set filesystem.symlinks = \"pin\"";
    o.approximated = {"write beneath /w (new top-level entries cannot be created)"};
    o.weakened = {"/w/.git", "/w/.codex"};
    o.fallback = {"bwrap: setting up uid map: Permission denied"};
    o.duration_ms = 1234567890123LL;

    auto j = parsed(o);
    CHECK(j["outcome"] == "timed_out");
    CHECK(j["exit_code"] == 124);
    CHECK(j["signal"] == SIGKILL);
    CHECK(j["backend"] == "landlock");
    // The reason is one line for the caller's prompt: its line breaks and controls escaped,
    // and a backslash too, so that each escape reads back one way.
    CHECK(j["reason"] == "line one\\nline \"two\"\\t\\x5c and a \\x01 control");
    CHECK(j["path"] == o.path);
    CHECK(j["symlink"] == o.symlink);
    CHECK(j["target"] == o.target);
    CHECK(j["suggestion"] == o.suggestion);
    CHECK(j["approximated"].get<std::vector<std::string>>() == o.approximated);
    CHECK(j["weakened"].get<std::vector<std::string>>() == o.weakened);
    CHECK(j["fallback"].get<std::vector<std::string>>() == o.fallback);
    CHECK(j["duration_ms"].get<long long>() == o.duration_ms);
}

TEST_CASE("invalid UTF-8 in paths never stops the document", "[outcome]") {
    Outcome o = of_kind(OutcomeKind::policy_error);
    o.path = "/w/bad\xff\xfe name";
    o.reason = "cannot resolve '/w/\xc3' (truncated sequence)";
    o.approximated = {"\x80"};
    std::string text;
    REQUIRE_NOTHROW(text = sbx::status_json(o));
    auto j = parsed(o);
    const std::string replacement = "\xef\xbf\xbd";  // U+FFFD
    CHECK(j["path"] == "/w/bad" + replacement + replacement + " name");
    // The reason is escaped instead: one printable line (util/printable.hpp).
    CHECK(j["reason"] == "cannot resolve '/w/\\xc3' (truncated sequence)");
    // So are the sentences for a person (approximated, weakened, fallback, unchecked).
    CHECK(j["approximated"][0] == "\\x80");
    // Valid non-ASCII is kept as it is.
    o.path = "/w/caf\xc3\xa9";
    CHECK(parsed(o)["path"] == "/w/caf\xc3\xa9");
}

TEST_CASE("the man page's EXIT STATUS lists every outcome and exit code", "[outcome][man]") {
    const std::string page = read_source_file("man/sbxrun.1");
    const auto start = page.find(".Sh EXIT STATUS");
    REQUIRE(start != std::string::npos);
    const auto end = page.find(".Sh ", start + 1);
    const std::string section = page.substr(start, end - start);
    std::vector<OutcomeKind> kinds{OutcomeKind::exited, OutcomeKind::signaled};
    for (const auto& row : kTable) kinds.push_back(row.kind);
    for (auto k : kinds) {
        INFO(sbx::to_string(k));
        CHECK(section.find(sbx::to_string(k)) != std::string::npos);
        if (k != OutcomeKind::exited && k != OutcomeKind::signaled) {
            CHECK(section.find(std::to_string(sbx::exit_code_for(k))) != std::string::npos);
        }
    }
    CHECK(section.find("128") != std::string::npos);
}

TEST_CASE("network allowlist: refused destinations in denials.network, allowed in network") {
    Outcome o = of_kind(OutcomeKind::exited);
    auto plain = parsed(o);
    CHECK_FALSE(plain.contains("network"));  // only for a run through the proxy

    o.proxy.active = true;
    o.proxy_url = "http://127.0.0.1:3128";
    o.proxy.dropped = 2;
    sbx::ProxyDestination refused;
    refused.host = "gist.github.com";
    refused.port = 443;
    refused.rule = "network.deny[0] \"gist.github.com\"";
    refused.why = "gist.github.com:443 is refused by network.deny[0] \"gist.github.com\"";
    refused.count = 3;
    o.proxy.refused.push_back(refused);
    sbx::ProxyDestination used;
    used.host = "registry.npmjs.org";
    used.port = 443;
    used.count = 2;
    used.bytes_up = 10;
    used.bytes_down = 2000;
    o.proxy.connections.push_back(used);
    o.refused_lookups = {"evil.example"};

    auto j = parsed(o);
    const auto& net = j["denials"]["network"];
    REQUIRE(net.size() == 2);
    CHECK(net[0]["op"] == "resolve");
    CHECK(net[0]["why"].get<std::string>().find("allowlist") != std::string::npos);
    CHECK(net[1]["op"] == "connect");
    CHECK(net[1]["host"] == "gist.github.com");
    CHECK(net[1]["port"] == 443);
    CHECK(net[1]["rule"] == "network.deny[0] \"gist.github.com\"");
    CHECK(net[1]["count"] == 3);
    CHECK(j["denials"]["dropped"] == 2);
    REQUIRE(j.contains("network"));
    CHECK(j["network"]["proxy"] == "http://127.0.0.1:3128");
    const auto& c = j["network"]["connections"];
    REQUIRE(c.size() == 1);
    CHECK(c[0]["host"] == "registry.npmjs.org");
    CHECK(c[0]["count"] == 2);
    CHECK(c[0]["bytes_up"] == 10);
    CHECK(c[0]["bytes_down"] == 2000);
    CHECK_FALSE(c[0].contains("why"));
}
