// Finding sbxrun-inner: beside the running sbxrun (build tree, relocated installs), else in the
// libexecdir chosen at build time. Never from PATH or the environment: what runs inside every
// sandbox must be the binary that belongs to this sbxrun.
//
// "Beside" is the directory of the name sbxrun was started by, which may be a hard link in a
// project's bin/ (sixteenth outside review: a command planted ws/bin/sbxrun-inner, and the next
// run started it as the sandbox's first process, before seccomp and with capabilities). So a
// candidate is taken only where no sandboxed command of this run could have put it, nor any
// user: not in a place the sandbox can change, and in a directory and a file that are the
// caller's, root's or the running sbxrun's owner's, and not writable by everyone.
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
