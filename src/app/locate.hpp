// Finding sbxrun-inner: in the libexecdir chosen at build time, or, for the sbxrun run from
// its build tree, beside it there. Never from PATH, the environment or beside a copy: what
// runs inside every sandbox, first and with capabilities, must be the binary that belongs to
// this sbxrun.
//
// "Beside" is the directory of the name sbxrun was started by, which may be a copy or a hard
// link in a project's bin/. The sixteenth outside review planted ws/bin/sbxrun-inner from a
// run whose workspace held it; the seventeenth did the same from one run and started the
// helper from the next, whose workspace was elsewhere: no check of one run's writable places
// can say what an earlier run could write, and for root a directory of root's own proves
// nothing either (root's sandbox writes them). So beside is the build tree alone
// (SBXRUN_BUILD_BINDIR, compared by identity): a developer's own build, whose sandboxes
// refuse a helper they could change (the `planted` check). A relocated install is built with
// its own --prefix.
#pragma once

#include <functional>
#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

struct InnerExe {
    std::string path;
    UniqueFd fd;  // O_RDONLY|O_CLOEXEC; exec'ed inside bwrap as /proc/self/fd/N
};

// `planted`: true for a path the sandbox of this run can change (run_bwrap.cpp).
[[nodiscard]] Result<InnerExe> open_inner_exe(
    const std::function<bool(const std::string& real_path)>& planted);

}  // namespace sbx
