// The last step of sbxrun-inner: run the command as a child and report exactly how it ended.
//
// sbxrun-inner stays as a small parent instead of exec'ing the command itself, because only a
// parent sees the command's real wait status: bwrap (and any exit code) folds "exited 130" and
// "killed by SIGINT" together. The parent forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the
// command, writes one InnerReport record (inner/inner_report.hpp) on report_fd and exits with
// the same status (128+N for signal N, 127 for exec ENOENT, 126 for other exec errors).
// Between fork() and exit nothing allocates: the argv array is built before fork, the exec
// errno travels through a CLOEXEC pipe, the record is formatted into a stack buffer.
#pragma once

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// Fork, exec spec.argv (PATH lookup) in the child, wait, report. Returns sbxrun-inner's exit
// code once the command has ended; an Error only for failures before the fork (pipe, fork).
// report_fd must already be close-on-exec so the command does not inherit it.
[[nodiscard]] Result<int> run_command_and_report(const InnerSpec& spec);

}  // namespace sbx
