// --tty: the command's own pseudo-terminal (issue 17, part 2).
//
// With process.new_session the command has no controlling terminal, so a shell has no job
// control and `tty` says "not a tty"; giving it the caller's terminal back would let it inject
// input there (TIOCSTI) or reach the console (TIOCLINUX). Instead sbxrun opens a fresh pty
// pair on the host's /dev/ptmx before the sandbox starts. The command gets the slave on those
// of its fds 0-2 that were terminals (all three with --tty always) and as its controlling
// terminal, in a session of its own (the stage that execs it: setsid + TIOCSCTTY on fd 0);
// sbxrun keeps the master and copies bytes between it and its own stdin/stdout while the run
// lasts (run/spawn.cpp). No descriptor of the caller's terminal is inside the sandbox.
//
// The caller's terminal is in raw mode while the bytes are copied, so Ctrl-C, Ctrl-Z and
// Ctrl-\ are plain bytes to it and become signals in the pty's line discipline, for the
// sandbox's foreground job; TerminalMode puts the caller's settings back however the run ends.
#pragma once

#include <poll.h>
#include <termios.h>

#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

struct Pty {
    UniqueFd master;  // sbxrun's side: O_NONBLOCK, close-on-exec
    UniqueFd slave;   // the command's side (opened through TIOCGPTPEER, O_NOCTTY): close-on-exec
};

// posix_openpt + unlockpt + TIOCGPTPEER. When `like` is a terminal (>= 0), the pty starts with
// its settings and window size, as script(1) and ssh -t do.
[[nodiscard]] Result<Pty> open_pty(int like);

// The relay's plan, made by the caller (src/app) and carried by Launch::tty.
struct TtyLink {
    int master = -1;       // relayed; -1: no pty for this run
    int slave = -1;        // dup'ed onto the command's fds named in std_fds
    unsigned std_fds = 0;  // bit i: the command's fd i is the slave
    int in = -1;           // sbxrun's side copied to the master (its stdin), -1: none
    int out = -1;          // where the pty's output goes (sbxrun's stdout or another terminal)
    int caller = -1;       // the caller's terminal: raw while relaying, size followed; -1: none

    [[nodiscard]] bool active() const { return master >= 0; }
};

// Which of fds 0-2 of this process are terminals, as a bit set.
[[nodiscard]] unsigned terminal_std_fds();

// Raw mode on a terminal for as long as the object lives, then the saved settings back (also
// when the terminal has gone: errors on the way back are ignored). fd < 0: does nothing.
class TerminalMode {
public:
    TerminalMode() = default;
    explicit TerminalMode(int fd);
    TerminalMode(const TerminalMode&) = delete;
    TerminalMode& operator=(const TerminalMode&) = delete;
    ~TerminalMode() { restore(); }
    void restore() noexcept;
    // Raw again (after sbxrun was stopped and continued: the caller's shell set its own modes
    // when it took the terminal back).
    void reapply() noexcept;

private:
    int fd_ = -1;
    termios saved_{};
    termios raw_{};
};

// The window size of `from` onto the pty master `to` (the kernel then sends SIGWINCH to the
// pty's foreground process group). Nothing when `from` has none.
void copy_window_size(int from, int to) noexcept;

// The copying itself, driven by the supervise loop's poll (run/spawn.cpp): bytes from link.in
// to the master, from the master to link.out. Never blocks the loop on the master; on link.out
// only when it is neither a terminal nor a pipe that can be reopened non-blocking (a socket).
// When link.in ends (--tty always with a pipe), the pty gets its EOF character once the bytes
// before it are through, as script(1) does, if it is in canonical mode.
class TtyRelay {
public:
    explicit TtyRelay(const TtyLink& link);
    TtyRelay(const TtyRelay&) = delete;
    TtyRelay& operator=(const TtyRelay&) = delete;

    static constexpr int kMaxPolls = 3;
    // Append this round's descriptors to pfds[n...], advancing n.
    void add_polls(pollfd* pfds, int& n);
    // After poll(): move what is ready.
    void on_ready(const pollfd* pfds);
    // After the sandbox has ended: read what the master still holds and write everything out,
    // waiting for link.out up to `patience_ms` with no progress.
    void finish(int patience_ms);

private:
    void read_in();
    bool read_master();  // true: the master had nothing more
    void write_master();
    void write_out();

    TtyLink link_;
    UniqueFd out_reopened_;  // link.out opened anew with O_NONBLOCK (a terminal or a pipe)
    int out_fd_ = -1;
    bool in_open_ = false, out_open_ = true;
    bool eof_pending_ = false;
    char last_to_master_ = '\n';
    std::string to_master_, to_out_;
    std::size_t from_master_ = 0;  // bytes read from the master so far
    int in_idx_ = -1, master_idx_ = -1, out_idx_ = -1;
};

}  // namespace sbx
