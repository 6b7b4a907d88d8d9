#include "util/timeline.hpp"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sbx::timeline {
namespace {

struct Mark {
    const char* phase;
    std::int64_t ns;
};

// A run has about thirty phases per process; marks past the bound are dropped, never allocated.
constexpr int kMaxMarks = 64;

struct State {
    const char* process = nullptr;  // null: off
    std::int64_t origin = 0;
    Mark marks[kMaxMarks];
    int count = 0;
    int flushed = 0;
};
State state;

std::int64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Appends `s` to buf at `at`, bounded by `cap`; returns the new end.
std::size_t put(char* buf, std::size_t at, std::size_t cap, const char* s) {
    while (*s != '\0' && at < cap) buf[at++] = *s++;
    return at;
}

// Nanoseconds as milliseconds with three decimals, right-aligned to 8 columns.
std::size_t put_ms(char* buf, std::size_t at, std::size_t cap, std::int64_t ns) {
    char digits[24];
    const bool negative = ns < 0;
    std::uint64_t us = static_cast<std::uint64_t>(negative ? -ns : ns) / 1000;
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + us % 10);
        us /= 10;
        if (n == 3) digits[n++] = '.';
    } while (us != 0 || n < 5);
    if (negative) digits[n++] = '-';
    for (int pad = n; pad < 8 && at < cap; ++pad) buf[at++] = ' ';
    while (n > 0 && at < cap) buf[at++] = digits[--n];
    return at;
}

std::size_t put_line(char* buf, std::size_t at, std::size_t cap, const char* process,
                     const Mark& m) {
    at = put(buf, at, cap, "sbxrun-timing: ");
    at = put_ms(buf, at, cap, m.ns - state.origin);
    at = put(buf, at, cap, " ms  ");
    at = put(buf, at, cap, process);
    at = put(buf, at, cap, "  ");
    at = put(buf, at, cap, m.phase);
    return put(buf, at, cap, "\n");
}

void write_all(int fd, const char* p, std::size_t at) {
    while (at > 0) {
        ssize_t n = ::write(fd, p, at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a timeline that cannot be written is not worth failing a run
        p += n;
        at -= static_cast<std::size_t>(n);
    }
}

}  // namespace

void start_from_environment(const char* process) {
    const char* knob = std::getenv("SBXRUN_TRACE_TIMING");
    if (knob == nullptr || *knob == '\0' || std::strcmp(knob, "0") == 0) return;
    state.process = process;
    state.origin = now_ns();
}

void start_at(const char* process, std::int64_t origin_ns) {
    state.process = process;
    state.origin = origin_ns;
}

bool enabled() {
    return state.process != nullptr;
}

std::int64_t origin_ns() {
    return enabled() ? state.origin : 0;
}

void mark(const char* phase) {
    if (!enabled() || state.count >= kMaxMarks) return;
    state.marks[state.count++] = Mark{phase, now_ns()};
}

void line_now(int fd, const char* process, const char* phase) {
    if (!enabled()) return;
    char buf[256];
    write_all(fd, buf, put_line(buf, 0, sizeof buf, process, Mark{phase, now_ns()}));
}

void flush(int fd) {
    if (!enabled() || state.flushed >= state.count) return;
    char buf[kMaxMarks * 96];
    std::size_t at = 0;
    for (; state.flushed < state.count; ++state.flushed)
        at = put_line(buf, at, sizeof buf, state.process, state.marks[state.flushed]);
    write_all(fd, buf, at);
}

}  // namespace sbx::timeline
