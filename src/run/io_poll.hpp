// poll(2) for the supervision loop that, while it waits, also runs an Asio io_context's
// handlers: how the supervising sbxrun drives the allowlist proxy (net/proxy.hpp) on its one
// thread, alongside the child's supervision, without a second thread or process.
//
// Asio keeps its own epoll set private, so the wait is turned around: the pollfds are put in
// an epoll descriptor of our own, which the io_context waits for like any socket, and the
// io_context runs (proxy handlers included) until that descriptor is readable or the timeout
// expires. The pollfds' revents are then filled by a poll(2) with timeout 0. A few more system
// calls per wake-up of the loop (which wakes for signals, output and the child's end, not per
// proxied byte); nothing changes when no io_context is given.
#pragma once

#include <poll.h>

namespace boost::asio {
class io_context;
}

namespace sbx {

// As poll(fds, n, timeout_ms) (-1: no timeout), with `io`'s handlers run while it waits;
// io == nullptr: exactly poll(2). An exception from a handler (the proxy catches its own) or
// from Asio ends the wait with -1 and errno EIO.
[[nodiscard]] int poll_with_io(pollfd* fds, nfds_t n, int timeout_ms, boost::asio::io_context* io);

}  // namespace sbx
