#include "run/pty.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace sbx {

Result<Pty> open_pty(int like) {
    Pty p;
    p.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!p.master)
        return os_error("cannot open a pseudo-terminal (posix_openpt)", errno, "/dev/ptmx");
    if (::unlockpt(p.master.get()) != 0)
        return os_error("cannot unlock the pseudo-terminal", errno, "/dev/ptmx");
    // The peer through the master itself: no path under /dev/pts to look up (and race).
    p.slave.reset(::ioctl(p.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!p.slave) return os_error("cannot open the pseudo-terminal's slave (TIOCGPTPEER)", errno);
    if (like >= 0) {
        termios t{};
        if (::tcgetattr(like, &t) == 0) ::tcsetattr(p.slave.get(), TCSANOW, &t);
        copy_window_size(like, p.master.get());
    }
    if (::fcntl(p.master.get(), F_SETFL, ::fcntl(p.master.get(), F_GETFL) | O_NONBLOCK) != 0)
        return os_error("cannot make the pseudo-terminal non-blocking", errno);
    return p;
}

unsigned terminal_std_fds() {
    unsigned bits = 0;
    for (int fd = 0; fd <= 2; ++fd)
        if (::isatty(fd) == 1) bits |= 1u << fd;
    return bits;
}

TerminalMode::TerminalMode(int fd) {
    if (fd < 0 || ::tcgetattr(fd, &saved_) != 0) return;
    raw_ = saved_;
    ::cfmakeraw(&raw_);
    if (::tcsetattr(fd, TCSADRAIN, &raw_) != 0) return;
    fd_ = fd;
}

void TerminalMode::reapply() noexcept {
    if (fd_ >= 0) ::tcsetattr(fd_, TCSADRAIN, &raw_);
}

void TerminalMode::restore() noexcept {
    if (fd_ < 0) return;
    while (::tcsetattr(fd_, TCSADRAIN, &saved_) != 0 && errno == EINTR) {
    }
    fd_ = -1;
}

void copy_window_size(int from, int to) noexcept {
    winsize ws{};
    if (from >= 0 && ::ioctl(from, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != 0 || ws.ws_col != 0))
        ::ioctl(to, TIOCSWINSZ, &ws);
}

}  // namespace sbx

namespace sbx {
namespace {

constexpr std::size_t kChunk = 16 * 1024;
constexpr std::size_t kMaxBuffered = 64 * 1024;
constexpr std::size_t kMaxDrained = 16 * 1024 * 1024;

// The relay's own non-blocking description of `fd` when it is a terminal or a pipe: setting
// O_NONBLOCK on the caller's would change it for every other process sharing it. Not for a
// regular file (a new description would not share its offset) nor a socket (cannot be opened).
UniqueFd reopen_nonblocking(int fd) {
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
        return UniqueFd();
    const int acc = ::fcntl(fd, F_GETFL) & O_ACCMODE;
    if (acc == O_RDONLY && !S_ISCHR(st.st_mode)) return UniqueFd();
    char path[32];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return UniqueFd(::open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
}

}  // namespace

TtyRelay::TtyRelay(const TtyLink& link) : link_(link) {
    in_open_ = link_.in >= 0;
    out_reopened_ = reopen_nonblocking(link_.out);
    out_fd_ = out_reopened_ ? out_reopened_.get() : link_.out;
    out_open_ = out_fd_ >= 0;
}

void TtyRelay::add_polls(pollfd* pfds, int& n) {
    in_idx_ = master_idx_ = out_idx_ = -1;
    if (in_open_ && to_master_.size() < kMaxBuffered) {
        in_idx_ = n;
        pfds[n++] = {link_.in, POLLIN, 0};
    }
    short ev = 0;
    if (to_out_.size() < kMaxBuffered) ev |= POLLIN;
    if (!to_master_.empty()) ev |= POLLOUT;
    if (ev != 0) {
        master_idx_ = n;
        pfds[n++] = {link_.master, ev, 0};
    }
    if (out_open_ && !to_out_.empty()) {
        out_idx_ = n;
        pfds[n++] = {out_fd_, POLLOUT, 0};
    }
}

void TtyRelay::on_ready(const pollfd* pfds) {
    if (in_idx_ >= 0 && pfds[in_idx_].revents != 0) read_in();
    if (master_idx_ >= 0) {
        const short r = pfds[master_idx_].revents;
        if (r & (POLLIN | POLLHUP | POLLERR)) read_master();
        if (r & POLLOUT) write_master();
    }
    if (out_idx_ >= 0 && pfds[out_idx_].revents != 0) write_out();
}

void TtyRelay::read_in() {
    char buf[kChunk];
    ssize_t n;
    do {
        n = ::read(link_.in, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        to_master_.append(buf, static_cast<std::size_t>(n));
        write_master();
        return;
    }
    if (n < 0 && errno == EAGAIN) return;
    // EOF, or the caller's terminal hung up (EIO): nothing more will come.
    in_open_ = false;
    termios t{};
    if (::tcgetattr(link_.slave, &t) == 0 && (t.c_lflag & ICANON) && t.c_cc[VEOF] != 0) {
        // A last line without its newline takes one EOF character to be read, a second to end.
        const char last = to_master_.empty() ? last_to_master_ : to_master_.back();
        if (last != '\n') to_master_.push_back(static_cast<char>(t.c_cc[VEOF]));
        to_master_.push_back(static_cast<char>(t.c_cc[VEOF]));
        write_master();
    }
}

void TtyRelay::write_master() {
    while (!to_master_.empty()) {
        ssize_t n = ::write(link_.master, to_master_.data(), to_master_.size());
        if (n > 0) {
            last_to_master_ = to_master_[static_cast<std::size_t>(n) - 1];
            to_master_.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        to_master_.clear();  // EIO: the other side is gone
        return;
    }
}

bool TtyRelay::read_master() {
    char buf[kChunk];
    bool drained = false;
    while (to_out_.size() < kMaxBuffered) {
        ssize_t n = ::read(link_.master, buf, sizeof buf);
        if (n > 0) {
            to_out_.append(buf, static_cast<std::size_t>(n));
            from_master_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        // EAGAIN (a non-blocking read of a pty first flushes its pending input, so this is
        // all there is), or EIO.
        drained = true;
        break;
    }
    if (out_open_ && out_reopened_) write_out();  // a blocking out waits for its poll
    if (!out_open_) to_out_.clear();  // nobody reads it: the command must not stall on it
    return drained;
}

void TtyRelay::write_out() {
    while (out_open_ && !to_out_.empty()) {
        ssize_t n = ::write(out_fd_, to_out_.data(), std::min(to_out_.size(), kChunk));
        if (n > 0) {
            to_out_.erase(0, static_cast<std::size_t>(n));
            if (out_fd_ == link_.out) return;  // a blocking fd: one write per ready poll
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        out_open_ = false;  // EPIPE, EIO: the reader or the terminal is gone
        to_out_.clear();
    }
}

void TtyRelay::finish(int patience_ms) {
    // Whatever still holds the slave after the run (nothing should) cannot keep us here.
    const std::size_t start = from_master_;
    for (;;) {
        const bool drained = read_master();
        if (from_master_ - start > kMaxDrained) return;
        if (to_out_.empty()) {
            if (drained) return;
            continue;
        }
        pollfd p{out_fd_, POLLOUT, 0};
        const int r = ::poll(&p, 1, patience_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return;  // no reader for that long: what is left is dropped
        write_out();
    }
}

}  // namespace sbx
