// The denial log (inner/denial_log.hpp): bounded, counted, and read back exactly as written,
// whatever bytes a path holds.
#include "inner/denial_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "inner/inner_report.hpp"

using sbx::DenialLog;
using sbx::Refusal;
using sbx::RefusedOp;

TEST_CASE("denial log: each (op, path) once, with a count", "[denials]") {
    DenialLog log;
    CHECK(log.empty());
    log.add(RefusedOp::create, "/h/.cache/pip");
    log.add(RefusedOp::create, "/h/.cache/pip");
    log.add(RefusedOp::write, "/h/.cache/pip");  // another op: another entry
    log.add(RefusedOp::create, "/h/.cache/pip");
    REQUIRE(log.refusals().size() == 2);
    CHECK(log.refusals()[0] == Refusal{RefusedOp::create, "/h/.cache/pip", 3});
    CHECK(log.refusals()[1] == Refusal{RefusedOp::write, "/h/.cache/pip", 1});
    CHECK(log.dropped() == 0);
}

TEST_CASE("denial log: bounded; further paths are counted only", "[denials]") {
    DenialLog log;
    for (int i = 0; i < 1000; ++i) log.add(RefusedOp::create, "/x/" + std::to_string(i));
    for (int i = 0; i < 1000; ++i) log.add(RefusedOp::create, "/x/0");
    CHECK(log.refusals().size() == DenialLog::kMaxDistinct);
    CHECK(log.dropped() == 1000 - DenialLog::kMaxDistinct);
    CHECK(log.refusals()[0].count == 1001);
    // A path longer than the bound is cut and marked.
    DenialLog big;
    big.add(RefusedOp::remove, "/" + std::string(DenialLog::kMaxPath * 2, 'a'));
    CHECK(big.refusals()[0].path.size() == DenialLog::kMaxPath + 3);
    CHECK(big.refusals()[0].path.ends_with("..."));
}

TEST_CASE("denial log: lines read back exactly, odd bytes included", "[denials]") {
    DenialLog log;
    const std::string odd = "/w/a b\nD create 9 /forged\\x41\t\x01\x7f\xff";
    log.add(RefusedOp::rename, odd);
    log.add(RefusedOp::remove, "/w/plain");
    for (int i = 0; i < 300; ++i) log.add(RefusedOp::create, "/many/" + std::to_string(i));
    const std::string text = log.lines();
    // One line per entry plus the dropped count: no path can start a line of its own.
    CHECK(std::count(text.begin(), text.end(), '\n') == DenialLog::kMaxDistinct + 1);
    std::vector<Refusal> back;
    std::uint64_t dropped = 0;
    sbx::parse_denial_lines(text, back, dropped);
    CHECK(back == log.refusals());
    CHECK(dropped == log.dropped());
}

TEST_CASE("parse_denial_lines skips malformed lines", "[denials]") {
    std::vector<Refusal> back;
    std::uint64_t dropped = 0;
    sbx::parse_denial_lines(
        "D create 1 relative\nD mknod 1 /a\nD create x /a\nD create 0 /a\nD create 2 /a\\x4\n"
        "D write 2 /ok\nd nan\nd 5\nX 0\n",
        back, dropped);
    REQUIRE(back.size() == 1);
    CHECK(back[0] == Refusal{RefusedOp::write, "/ok", 2});
    CHECK(dropped == 5);
}

TEST_CASE("split_started: denial lines come between \"C\" and the final record", "[denials]") {
    auto s = sbx::split_started("C\nD create 1 /a\nd 3\nX 1\n");
    CHECK(s.started);
    CHECK(s.denials == "D create 1 /a\nd 3\n");
    CHECK(s.rest == "X 1\n");
    // A partial line is still on its way: not taken.
    s = sbx::split_started("C\nD create 1 /a");
    CHECK(s.denials.empty());
    // Without "C" there are none (the stage failed before the command).
    s = sbx::split_started("D create 1 /a\nF boom\n");
    CHECK_FALSE(s.started);
    CHECK(s.denials.empty());
}

TEST_CASE("denial log: streamed lines stay within the budget, counts come at the end",
          "[denials]") {
    int p[2];
    REQUIRE(::pipe2(p, O_NONBLOCK) == 0);
    int size = 1 << 20;
    (void)::fcntl(p[1], F_SETPIPE_SZ, size);  // room for the whole budget
    DenialLog log;
    log.stream_to(p[1]);
    const std::string pad(240, 'A');
    for (int i = 0; i < 300; ++i) log.add(RefusedOp::create, "/etc/" + pad + std::to_string(i));
    log.add(RefusedOp::create, "/etc/" + pad + "0");  // a repeat: counted, not streamed again
    std::string text(2 * DenialLog::kMaxStreamBytes, '\0');
    const ssize_t n = ::read(p[0], text.data(), text.size());
    REQUIRE(n > 0);
    text.resize(static_cast<std::size_t>(n));
    CHECK(text.size() <= DenialLog::kMaxStreamBytes);
    text += log.closing_lines();
    std::vector<Refusal> back;
    std::uint64_t dropped = 0;
    sbx::parse_denial_lines(text, back, dropped);
    CHECK(back == log.refusals());
    CHECK(back[0].count == 2);
    CHECK(back.size() + dropped == 300);
    ::close(p[0]);
    ::close(p[1]);
}

TEST_CASE("denial log: every op has a word, read back as itself", "[denials]") {
    // The words are the status document's "op" values (sbxrun(1)).
    const std::pair<RefusedOp, const char*> ops[] = {
        {RefusedOp::create, "create"}, {RefusedOp::write, "write"}, {RefusedOp::remove, "remove"},
        {RefusedOp::rename, "rename"}, {RefusedOp::chmod, "chmod"}, {RefusedOp::chown, "chown"},
        {RefusedOp::utime, "utime"},   {RefusedOp::xattr, "xattr"}, {RefusedOp::connect, "connect"},
        {RefusedOp::send, "send"},     {RefusedOp::read, "read"},   {RefusedOp::link, "link"}};
    DenialLog log;
    for (const auto& [op, word] : ops) {
        CHECK(std::string(sbx::to_string(op)) == word);
        CHECK(sbx::refused_op_from(word) == op);
        log.add(op, sbx::is_network(op)
                        ? std::string("192.0.2.1:") + std::to_string(std::strlen(word))
                        : std::string("/p/") + word);
    }
    CHECK_FALSE(sbx::refused_op_from("exec").has_value());  // the parent's own (fs_denials.hpp)
    std::vector<Refusal> back;
    std::uint64_t dropped = 0;
    sbx::parse_denial_lines(log.lines(), back, dropped);
    CHECK(back == log.refusals());
}

TEST_CASE("parse_denial_lines: a destination is never a path, a path never a destination",
          "[denials]") {
    std::vector<Refusal> back;
    std::uint64_t dropped = 0;
    sbx::parse_denial_lines(
        "D connect 1 /etc/passwd\nD write 1 192.0.2.1:9\nD connect 3 192.0.2.1:9\n"
        "D send 1 [2001:db8::1]:53\n",
        back, dropped);
    REQUIRE(back.size() == 2);
    CHECK(back[0] == Refusal{RefusedOp::connect, "192.0.2.1:9", 3});
    CHECK(back[1] == Refusal{RefusedOp::send, "[2001:db8::1]:53", 1});
}

TEST_CASE("denial log: another recorder's counts are added whole", "[denials]") {
    // The deny watcher counts in its own table (inner/deny_watch.hpp) and hands the totals over.
    DenialLog log;
    log.add(RefusedOp::read, "/h/.ssh/id_rsa", 5);
    log.add(RefusedOp::read, "/h/.ssh/id_rsa");
    log.add(RefusedOp::read, "/h/.aws", 0);  // nothing seen: nothing listed
    REQUIRE(log.refusals().size() == 1);
    CHECK(log.refusals()[0].count == 6);
    for (std::size_t i = 0; i < DenialLog::kMaxDistinct; ++i)
        log.add(RefusedOp::create, "/x/" + std::to_string(i));
    log.add(RefusedOp::read, "/h/.netrc", 3);
    log.add_dropped(4);
    CHECK(log.dropped() == 1 + 3 + 4);
}
