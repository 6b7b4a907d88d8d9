#include "run/pty.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "util/unique_fd.hpp"

namespace {

using sbx::UniqueFd;

std::pair<UniqueFd, UniqueFd> make_pipe() {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    return {UniqueFd(p[0]), UniqueFd(p[1])};
}

void write_all(int fd, const std::string& s) {
    REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
}

// Everything readable on fd now (it is made non-blocking).
std::string read_now(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
}

// One read, as a program reading its terminal line by line does: the bytes, "<EOF>" for a
// read of 0, "<ERR>" for a failure.
std::string read_once(int fd) {
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return "<EOF>";
    if (n < 0) return "<ERR>";
    return std::string(buf, static_cast<std::size_t>(n));
}

// A few rounds of the supervise loop's part: poll what the relay asks for, then move it.
void pump(sbx::TtyRelay& relay, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        pollfd pfds[sbx::TtyRelay::kMaxPolls];
        int n = 0;
        relay.add_polls(pfds, n);
        if (n == 0) return;
        if (::poll(pfds, static_cast<nfds_t>(n), 100) <= 0) continue;
        relay.on_ready(pfds);
    }
}

}  // namespace

TEST_CASE("open_pty gives a non-blocking master and a terminal slave") {
    auto pty = sbx::open_pty(-1);
    REQUIRE(pty.ok());
    CHECK(::isatty(pty->slave.get()) == 1);
    CHECK((::fcntl(pty->master.get(), F_GETFL) & O_NONBLOCK) != 0);
    CHECK((::fcntl(pty->slave.get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("TtyRelay copies input to the pty and the pty's output out, then ends the input") {
    auto pty = sbx::open_pty(-1);
    REQUIRE(pty.ok());
    termios t{};
    REQUIRE(::tcgetattr(pty->slave.get(), &t) == 0);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);  // only what the "command" writes comes out
    t.c_lflag |= ICANON;
    REQUIRE(::tcsetattr(pty->slave.get(), TCSANOW, &t) == 0);
    auto [in_r, in_w] = make_pipe();
    auto [out_r, out_w] = make_pipe();
    sbx::TtyLink link;
    link.master = pty->master.get();
    link.slave = pty->slave.get();
    link.in = in_r.get();
    link.out = out_w.get();
    sbx::TtyRelay relay(link);

    write_all(in_w.get(), "hello\npartial");
    in_w.reset();  // the input ends: the line without its newline, then EOF, reach the command
    pump(relay, 10);
    ::fcntl(pty->slave.get(), F_SETFL, ::fcntl(pty->slave.get(), F_GETFL) | O_NONBLOCK);
    CHECK(read_once(pty->slave.get()) == "hello\n");
    CHECK(read_once(pty->slave.get()) == "partial");  // the first end-of-file character
    CHECK(read_once(pty->slave.get()) == "<EOF>");    // the second: the input has ended

    write_all(pty->slave.get(), "bye\n");
    relay.finish(1000);
    CHECK(read_now(out_r.get()) == "bye\r\n");  // ONLCR: the terminal's own translation
}
