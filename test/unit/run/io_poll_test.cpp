// poll_with_io (run/io_poll.hpp): while the supervision loop waits, the io_context's handlers
// run, and the wait still ends when a pollfd is ready or the timeout expires.
#include "run/io_poll.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "util/unique_fd.hpp"

using namespace std::chrono_literals;

TEST_CASE("a handler runs during the wait and the pipe it writes ends it") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    sbx::UniqueFd r(p[0]), w(p[1]);
    boost::asio::io_context io;
    boost::asio::steady_timer t(io, 50ms);
    bool fired = false;
    t.async_wait([&](const boost::system::error_code&) {
        fired = true;
        CHECK(::write(w.get(), "x", 1) == 1);
    });
    // The same descriptor twice (the tty relay may list one twice), as poll(2) allows.
    pollfd pfd[2] = {{r.get(), POLLIN, 0}, {r.get(), POLLIN, 0}};
    // No timeout: only the timer's handler, run inside the wait, can end it.
    int n = sbx::poll_with_io(pfd, 2, -1, &io);
    CHECK(fired);
    CHECK(n == 2);
    CHECK((pfd[0].revents & POLLIN) != 0);
}

TEST_CASE("the timeout still ends the wait, with handlers run meanwhile") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    sbx::UniqueFd r(p[0]), w(p[1]);
    boost::asio::io_context io;
    int ran = 0;
    boost::asio::post(io, [&] { ++ran; });
    pollfd pfd{r.get(), POLLIN, 0};
    auto start = std::chrono::steady_clock::now();
    int n = sbx::poll_with_io(&pfd, 1, 100, &io);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(n == 0);
    CHECK(ran == 1);
    CHECK(took >= 90ms);
    // And again, with the io_context out of work (stopped) in between.
    n = sbx::poll_with_io(&pfd, 1, 20, &io);
    CHECK(n == 0);
}

TEST_CASE("without an io_context it is poll(2)") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    sbx::UniqueFd r(p[0]), w(p[1]);
    REQUIRE(::write(w.get(), "x", 1) == 1);
    pollfd pfd{r.get(), POLLIN, 0};
    CHECK(sbx::poll_with_io(&pfd, 1, -1, nullptr) == 1);
    // Ready before the wait: returned at once, with the io_context's ready handlers run.
    boost::asio::io_context io;
    int ran = 0;
    boost::asio::post(io, [&] { ++ran; });
    pfd.revents = 0;
    CHECK(sbx::poll_with_io(&pfd, 1, -1, &io) == 1);
    CHECK(ran == 1);
}
