// The record sbxrun-inner writes on report_fd: how the command ended, exactly.
//
// bwrap's exit code cannot tell "the command exited 130" from "the command was killed by
// SIGINT", nor "exec failed" from "the command exited 127". So sbxrun-inner stays as the
// command's parent, waits for it, and writes exactly one record, a single line of ASCII in one
// write() (shorter than PIPE_BUF, so it arrives whole):
//
//   "X <status>\n"   the command exited with status 0..255
//   "S <signal>\n"   the command was killed by signal 1..64
//   "E <errno>\n"    exec of the command failed with errno (ENOENT -> 127, else 126)
//   "F <message>\n"  sbxrun-inner failed before exec ("<what>: <strerror>", no newlines)
//
// Before that, exactly once and before anything of the command exists (sbxrun-inner: before it
// forks the command; sbxrun's Landlock child: just before its exec), the stage writes
//
//   "C\n"            from here on the command may have started
//
// Between "C" and the final record, sbxrun-inner may write what its entry broker saw the
// sandbox refuse: "D ...", "c ..." and "d ..." lines (inner/denial_log.hpp).
//
// It is the line between "the backend could not start the command" (another backend may be
// tried) and "the command may have run" (never retried: running it twice could do its work
// twice). An "F" record after "C" cannot come from the stage, which fails only before it: it
// is read as forged by the command and ignored, as is anything malformed after "C".
//
// sbxrun-inner then exits with the same status (128+N for a signal, 126/127 for E,
// kInnerSetupFailed for F). No record at all means the inner stage itself died (killed from
// outside, or bwrap never started it): the caller falls back on the backend's own status.
// The parser is a pure function; the writers format into a caller-supplied buffer without
// allocating, because the inner stage writes the final record after fork().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace sbx {

struct InnerReport {
    enum class Kind { exited, signaled, exec_failed, setup_failed };
    Kind kind = Kind::setup_failed;
    int value = 0;        // status, signal or errno; 0 for setup_failed
    std::string message;  // setup_failed only

    bool operator==(const InnerReport&) const = default;
};

// Longest record a writer produces, newline included (well under PIPE_BUF).
inline constexpr std::size_t kInnerReportMax = 1024;

inline constexpr std::string_view kStartedRecord = "C\n";

// What came before the final record: whether "C" was said, and the rest of the stream.
struct InnerStream {
    bool started = false;
    std::string_view denials;  // the "D"/"c"/"d" lines after "C" (parse_denial_lines)
    std::string_view rest;     // the final record, if any (parse it with parse_inner_report)
};
[[nodiscard]] InnerStream split_started(std::string_view data) noexcept;

// Parse the final record (what follows "C", if present). Errors (ErrorKind::internal) for anything
// that is not exactly one well-formed record: empty input, unknown tag, bad number, trailing bytes.
[[nodiscard]] Result<InnerReport> parse_inner_report(std::string_view data);

// Async-signal-safe writers: format into buf (kInnerReportMax bytes) and return the length.
// kind is 'X', 'S' or 'E'. The message of an 'F' record is truncated to fit and its newlines
// are replaced by spaces.
[[nodiscard]] std::size_t format_inner_report(char* buf, char kind, int value) noexcept;
[[nodiscard]] std::size_t format_inner_failure(char* buf, std::string_view message) noexcept;

}  // namespace sbx
