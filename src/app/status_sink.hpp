// Where the status document goes (--status-fd / --status-file), checked before anything runs.
#pragma once

#include <optional>
#include <string>

#include "cli/cli.hpp"
#include "run/outcome.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

class StatusSink {
public:
    // Validate the destination now: an fd not open for writing, or a file that cannot be
    // created, is a usage error (spec section 2) and nothing runs. A --status-file path that
    // crosses a symlink, a file with other hard links, or a /proc or /sys file is refused too
    // (status_sink.cpp says why).
    [[nodiscard]] static Result<StatusSink> open(const Invocation& inv);

    // Write the document once; later calls do nothing. Errors are reported by the caller.
    [[nodiscard]] Status write(const Outcome& o);

    // The fd the document goes to (to keep it away from the sandbox), or -1.
    [[nodiscard]] int fd() const { return fd_; }

private:
    int fd_ = -1;        // the destination (borrowed for --status-fd, owned via file_)
    UniqueFd file_;
    UniqueFd stream_copy_;  // --status-fd 0-2: our close-on-exec copy of the standard stream
    bool regular_file_ = false;  // file_ is a regular file: truncated again before the write
    bool written_ = false;
};

}  // namespace sbx
