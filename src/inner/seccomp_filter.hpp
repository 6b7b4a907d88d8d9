// The seccomp filter installed by sbxrun-inner just before exec (after no_new_privs, Landlock).
#pragma once

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

// Build and load the filter for `profile` (libseccomp). SeccompProfile::none is a no-op unless
// `refuse_unix_sockets`, which adds socket(AF_UNIX, ...) -> EAFNOSUPPORT to any profile
// (socketpair(AF_UNIX) is left alone). Refused calls fail with EPERM (EAFNOSUPPORT for socket
// families), never kill the process, so the command sees an ordinary error it can report.
[[nodiscard]] Status install_seccomp(SeccompProfile profile, bool refuse_unix_sockets = false);

}  // namespace sbx
