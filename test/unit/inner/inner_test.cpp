// Unit tests of the inner stage's contract: the argv encoding and the report record.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>

#include "inner/inner_report.hpp"
#include "inner/inner_spec.hpp"

using namespace sbx;

namespace {

InnerSpec full_spec() {
    InnerSpec s;
    s.pins = {{"/w/.codex", ".auxiliary/codex"},
              {"/w/dir with space/AGENTS.md", "../a b"},
              {"/w/--", "--"}};
    s.placeholders = {{"/w/.claude", 65024, 17, true}, {"/w/dir with space/.mcp.json", 1, 2, true}};
    s.entry_blocks = {{"/w", 65024, 10, {".claude", ".envrc", "dir with space", "--"}},
                      {"/tmp", 1, 2, {".git"}},
                      {"/home/u", 1, 3, {".bashrc"}, true},
                      {"/home/v", 1, 4, {}, true}};  // dot-names alone: no name needed
    s.mount_devpts = true;
    s.landlock = true;
    s.landlock_spec.abi = 7;
    s.landlock_spec.handled_fs = 0xffff;
    s.landlock_spec.handled_net = 3;
    s.landlock_spec.scoped = 1;
    s.landlock_spec.rules = {{3, 0x7}, {4, 0xffff}};
    s.landlock_spec.connect_ports = {3128, 40001};
    s.seccomp = SeccompProfile::no_network;
    s.refuse_unix_sockets = true;
    s.new_session = false;
    s.controlling_tty = true;
    s.report_fd = 7;
    s.stderr_fd = 9;
    s.keep_fds = {5, 6};
    s.chdir = "/w/sub dir";
    s.nofile_soft = 1024;
    s.dns_log_fd = 11;
    s.proxy_sock = 12;
    s.deny_watch = {{"/home/u/.ssh", true}, {"/home/u/dir with space/.netrc", false}};
    s.trace_origin_ns = 123456789012345;
    s.argv = {"sh", "-c", "--", "--pin", ""};
    return s;
}

}  // namespace

TEST_CASE("to_args and parse_inner_args are exact inverses") {
    InnerSpec minimal;
    minimal.argv = {"true"};
    for (const InnerSpec& s : {minimal, full_spec()}) {
        auto back = parse_inner_args(to_args(s));
        REQUIRE(back.ok());
        CHECK(*back == s);
        CHECK(to_args(*back) == to_args(s));
    }
    for (auto p : {SeccompProfile::none, SeccompProfile::base, SeccompProfile::no_network,
                   SeccompProfile::netns, SeccompProfile::tcp_only}) {
        for (bool refuse_unix : {false, true}) {
            InnerSpec s = minimal;
            s.seccomp = p;
            s.refuse_unix_sockets = refuse_unix;
            auto back = parse_inner_args(to_args(s));
            REQUIRE(back.ok());
            CHECK(back->seccomp == p);
            CHECK(back->refuse_unix_sockets == refuse_unix);
            CHECK(*back == s);
        }
    }
    // Always written, so the inner stage never falls back on a default it was not told.
    InnerSpec allow = minimal;
    const auto args = to_args(allow);
    auto it = std::find(args.begin(), args.end(), "--unix-sockets");
    REQUIRE(it != args.end());
    REQUIRE(it + 1 != args.end());
    CHECK(*(it + 1) == "allow");
}

TEST_CASE("to_string(SeccompProfile) names each profile") {
    CHECK(std::string(to_string(SeccompProfile::none)) == "none");
    CHECK(std::string(to_string(SeccompProfile::base)) == "base");
    CHECK(std::string(to_string(SeccompProfile::no_network)) == "no_network");
    CHECK(std::string(to_string(SeccompProfile::netns)) == "netns");
    CHECK(std::string(to_string(SeccompProfile::tcp_only)) == "tcp_only");
}

TEST_CASE("parse_inner_args rejects malformed arguments as usage errors") {
    using V = std::vector<std::string>;
    const std::vector<V> bad = {
        {},
        {"true"},                                                  // no "--"
        {"--"},                                                    // no command
        {"--", ""},                                                // empty command name
        {"--pin"},                                                 // missing value
        {"--pin", "relative", "x", "--", "true"},                  // pins are absolute
        {"--pin", "/w/.codex"},                                    // and say the link's text
        {"--pin", "/w/.codex", "", "--", "true"},                  // which is never empty
        {"--seccomp", "strict", "--", "true"},                     // unknown profile
        {"--seccomp", "base", "--seccomp", "none", "--", "true"},  // twice
        {"--new-session", "maybe", "--", "true"},
        {"--unix-sockets", "block", "--", "true"},                              // allow|refuse
        {"--unix-sockets", "refuse", "--unix-sockets", "allow", "--", "true"},  // twice
        {"--unix-sockets"},                                                     // missing value
        {"--report-fd", "x", "--", "true"},
        {"--report-fd", "-2", "--", "true"},
        {"--report-fd", "+3", "--", "true"},
        {"--stderr-fd", "3a", "--", "true"},
        {"--dns-log", "-1", "--", "true"},                   // a descriptor, never "none"
        {"--dns-log", "4", "--dns-log", "5", "--", "true"},  // twice
        {"--keep-fd", "-1", "--", "true"},        // -1 means "none" only for report/stderr
        {"--landlock", "1:2:3", "--", "true"},    // too few fields
        {"--landlock", "0:1:0:0", "--", "true"},  // ABI >= 1
        {"--landlock", "1:2:3:4:5", "--", "true"},
        {"--landlock-rule", "3:7", "--", "true"},  // rule without --landlock
        {"--landlock", "1:2:0:0", "--landlock-rule", "3", "--", "true"},
        {"--chdir", "", "--", "true"},
        {"--devpts", "--devpts", "--", "true"},
        {"--ctty", "--ctty", "--", "true"},
        {"--frobnicate", "--", "true"},
        {"--entry-block", "1:2", "/w", "--", "true"},  // no name
        {"--entry-block", "1:2", "/w", "--entry-block", "1:3", "/t", "--entry-name", "x", "--",
         "true"},                                // first has no name
        {"--entry-name", ".git", "--", "true"},  // no block before
        {"--entry-dot-names", "--", "true"},     // no block before
        {"--entry-block", "1:2", "/w", "--entry-dot-names", "--entry-dot-names", "--", "true"},
        {"--entry-block", "1", "/w", "--entry-name", "x", "--", "true"},   // DEV:INO
        {"--entry-block", "1:2", "w", "--entry-name", "x", "--", "true"},  // absolute
        {"--entry-block", "1:2", "/w", "--entry-name", "a/b", "--", "true"},
        {"--entry-block", "1:2", "/w", "--entry-name", "..", "--", "true"},
        {"--entry-block", "1:2", "/w", "--entry-name", "", "--", "true"},
        {"--trace-timing", "0", "--", "true"},  // 0 means no timeline: never written
        {"--trace-timing", "soon", "--", "true"},
        {"--trace-timing", "1", "--trace-timing", "2", "--", "true"},  // twice
        {"--deny-watch", "dir", "relative", "--", "true"},
        {"--deny-watch", "socket", "/h/.ssh", "--", "true"},
        {"--deny-watch", "file", "--", "true"},  // no path before --
    };
    for (const auto& args : bad) {
        INFO("args: " << args.size() << (args.empty() ? "" : " first=" + args.front()));
        auto r = parse_inner_args(args);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::usage);
    }
}

TEST_CASE("inner report records round-trip through the writers and the parser") {
    char buf[kInnerReportMax];
    struct Case {
        char tag;
        int value;
        InnerReport::Kind kind;
    };
    for (auto c :
         {Case{'X', 0, InnerReport::Kind::exited}, Case{'X', 255, InnerReport::Kind::exited},
          Case{'S', 9, InnerReport::Kind::signaled},
          Case{'E', 2, InnerReport::Kind::exec_failed}}) {
        auto n = format_inner_report(buf, c.tag, c.value);
        auto r = parse_inner_report(std::string_view(buf, n));
        REQUIRE(r.ok());
        CHECK(r->kind == c.kind);
        CHECK(r->value == c.value);
    }
    auto n = format_inner_failure(buf, "sbxrun-inner: pin /w/.codex: move_mount: EPERM\nsecond");
    auto r = parse_inner_report(std::string_view(buf, n));
    REQUIRE(r.ok());
    CHECK(r->kind == InnerReport::Kind::setup_failed);
    CHECK(r->message == "sbxrun-inner: pin /w/.codex: move_mount: EPERM second");

    std::string huge(5000, 'm');
    n = format_inner_failure(buf, huge);
    CHECK(n == kInnerReportMax);
    CHECK(parse_inner_report(std::string_view(buf, n)).ok());
}

TEST_CASE("split_started: the started record comes first, once") {
    auto s = split_started("C\nX 0\n");
    CHECK(s.started);
    CHECK(s.rest == "X 0\n");
    s = split_started("F boom\n");
    CHECK_FALSE(s.started);
    CHECK(s.rest == "F boom\n");
    s = split_started("C\n");
    CHECK(s.started);
    CHECK(s.rest.empty());
    CHECK_FALSE(split_started("").started);
    CHECK_FALSE(split_started("X 0\nC\n").started);  // only as the first record
    CHECK_FALSE(split_started("C").started);
}

TEST_CASE("parse_inner_report rejects anything but one well-formed record") {
    for (const char* bad :
         {"", "X 3", "X\n", "X \n", "X 3 \n", "X -1\n", "X 256\n", "X +3\n", "S 0\n", "S 65\n",
          "E 0\n", "Q 1\n", "X 3\nX 4\n", "F \n", "X3\n", "X 0x3\n"}) {
        INFO("record: '" << bad << "'");
        CHECK_FALSE(parse_inner_report(bad).ok());
    }
    CHECK(parse_inner_report("X 130\n")->value == 130);
    CHECK(parse_inner_report("S 2\n")->kind == InnerReport::Kind::signaled);
}

TEST_CASE("entry blocks round-trip in order, each with its names") {
    InnerSpec s;
    s.argv = {"true"};
    s.entry_blocks = {{"/a", 1, 2, {"x"}}, {"/a/b", 3, 4, {".X", "y", "z"}}};
    const auto args = to_args(s);
    auto back = parse_inner_args(args);
    REQUIRE(back.ok());
    CHECK(back->entry_blocks == s.entry_blocks);
    CHECK(std::count(args.begin(), args.end(), "--entry-name") == 4);
}
