// SBXRUN_TRACE_TIMING=1: a timeline of one run's phases on stderr, in every process of the run
// (issue 16), so that each change made for speed can say which phase it shrank.
//
// Every process measures from one origin, the moment sbxrun's main() started, on
// CLOCK_MONOTONIC, which the run's namespaces share (no time namespace is made). sbxrun passes
// the origin to sbxrun-inner (`--trace-timing NS`); the Landlock backend's child inherits it.
// Lines read `sbxrun-timing: 1.234 ms  sbxrun  plan made`, so the lines of all processes sort
// into one timeline with `sort -n -k2`.
//
// mark() is async-signal-safe (clock_gettime and a store into a fixed array), so it may be
// called between fork and exec; so is flush() (hand-formatted, one write(2)). Off, both cost
// a branch.
#pragma once

#include <cstdint>

namespace sbx::timeline {

// sbxrun: on when SBXRUN_TRACE_TIMING is set and not "0"; the origin is now.
void start_from_environment(const char* process);
// sbxrun-inner: on with the origin sbxrun passed.
void start_at(const char* process, std::int64_t origin_ns);

[[nodiscard]] bool enabled();
[[nodiscard]] std::int64_t origin_ns();  // 0 when off

// In a child on its way to exec (a fork, or one sharing the parent's memory, which must not
// store anything): writes one line for `phase` of `process` to `fd` at once.
void line_now(int fd, const char* process, const char* phase);

// `phase` must outlive the process's last flush(): a string literal.
void mark(const char* phase);

// Writes the marks not written yet to `fd`, one line each.
void flush(int fd);

}  // namespace sbx::timeline
