// Finding sbxrun-inner: beside the running sbxrun (build tree, relocated installs), else in the
// libexecdir chosen at build time. Never from PATH or the environment: what runs inside every
// sandbox must be the binary that belongs to this sbxrun.
#pragma once

#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

struct InnerExe {
    std::string path;
    UniqueFd fd;  // O_RDONLY|O_CLOEXEC; exec'ed inside bwrap as /proc/self/fd/N
};

[[nodiscard]] Result<InnerExe> open_inner_exe();

}  // namespace sbx
