// Generating the seccomp programs with libseccomp. Only sbxrun's build runs this
// (seccomp_gen.cpp writes every program a run can ask for into a table) and the tests that
// check the table against it; sbxrun and sbxrun-inner load the table's programs
// (seccomp_filter.hpp) and never link libseccomp.
#pragma once

#include "inner/inner_spec.hpp"
#include "inner/seccomp_filter.hpp"
#include "util/result.hpp"

namespace sbx {

// The command's filter for `profile` (what build_seccomp() returns at run time); the
// parameters are build_seccomp()'s.
[[nodiscard]] Result<SeccompProgram> generate_seccomp(SeccompProfile profile,
                                                      bool refuse_unix_sockets, bool host_ipc,
                                                      bool broker_parent);

// The Landlock compensation filter (compensation_program()'s): truncate(2) refused with EPERM
// where the ABI cannot refuse it, socket(AF_UNIX) with EAFNOSUPPORT; empty when neither.
[[nodiscard]] Result<SeccompProgram> generate_compensation(bool refuse_truncate,
                                                           bool refuse_unix_socket);

// Export a libseccomp context as BPF (seccomp_export_bpf through a memfd: libseccomp 2.5 has no
// export to memory). `what` names the filter in errors.
[[nodiscard]] Result<SeccompProgram> export_seccomp(void* scmp_ctx, const char* what);

}  // namespace sbx
