#include "run/io_poll.hpp"

#include <sys/epoll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <chrono>
#include <memory>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

std::uint32_t epoll_events(short events) {
    std::uint32_t e = 0;
    if (events & POLLIN) e |= EPOLLIN;
    if (events & POLLOUT) e |= EPOLLOUT;
    if (events & POLLPRI) e |= EPOLLPRI;
    return e;
}

// One epoll descriptor watching what `fds` asks for (an fd listed twice: the union).
UniqueFd epoll_of(const pollfd* fds, nfds_t n) {
    UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep) return ep;
    for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].fd < 0) continue;
        epoll_event ev{};
        ev.data.fd = fds[i].fd;
        for (nfds_t j = 0; j < n; ++j)
            if (fds[j].fd == fds[i].fd) ev.events |= epoll_events(fds[j].events);
        // EEXIST: listed before, already with the union.
        if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fds[i].fd, &ev) != 0 && errno != EEXIST)
            return UniqueFd();
    }
    return ep;
}

}  // namespace

int poll_with_io(pollfd* fds, nfds_t n, int timeout_ms, boost::asio::io_context* io) {
    if (io == nullptr) return ::poll(fds, n, timeout_ms);
    // Something ready already: no need to wait, but let the proxy have its turn too.
    int now = ::poll(fds, n, 0);
    if (now != 0) {
        try {
            io->poll();
        } catch (...) {
            errno = EIO;
            return -1;
        }
        return now;
    }
    UniqueFd ep = epoll_of(fds, n);
    if (!ep) return -1;
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    try {
        boost::asio::posix::stream_descriptor watch(*io, ep.release());
        // Shared with the handler, which may run after this function (aborted, on a later run).
        auto ready = std::make_shared<bool>(false);
        watch.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [ready](const boost::system::error_code& ec) {
                             if (!ec) *ready = true;
                         });
        if (io->stopped()) io->restart();
        while (!*ready) {
            const std::size_t ran = timeout_ms < 0 ? io->run_one() : io->run_one_until(deadline);
            if (timeout_ms >= 0 && clock::now() >= deadline) break;
            if (ran == 0 && io->stopped()) io->restart();
        }
        boost::system::error_code ignored;
        watch.cancel(ignored);
        watch.close(ignored);
    } catch (...) {
        errno = EIO;
        return -1;
    }
    return ::poll(fds, n, 0);
}

}  // namespace sbx
