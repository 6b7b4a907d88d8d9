// Picking and loading the seccomp programs generated at build time (seccomp_filter.hpp).
#include "inner/seccomp_filter.hpp"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "inner/seccomp_table.hpp"

namespace sbx {

Result<SeccompProgram> build_seccomp(SeccompProfile profile, bool refuse_unix_sockets,
                                     bool host_ipc, bool broker_parent) {
    const std::size_t i =
        seccomp_table::command_index(profile, refuse_unix_sockets, host_ipc, broker_parent);
    if (i >= seccomp_table::kCommandPrograms)
        return Error(ErrorKind::internal, "no seccomp program for this profile");
    const auto prog = seccomp_table::command(i);
    return SeccompProgram(prog.begin(), prog.end());
}

SeccompProgram compensation_program(bool refuse_truncate, bool refuse_unix_socket) {
    const auto prog = seccomp_table::compensation(refuse_truncate, refuse_unix_socket);
    return SeccompProgram(prog.begin(), prog.end());
}

int load_seccomp(const SeccompProgram& program) noexcept {
    if (program.empty()) return 0;
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.size());
    prog.filter = const_cast<sock_filter*>(program.data());
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return errno;
    return 0;
}

Status install_seccomp(SeccompProfile profile, bool refuse_unix_sockets, bool broker_parent) {
    auto prog = build_seccomp(profile, refuse_unix_sockets, false, broker_parent);
    if (!prog) return std::move(prog).error();
    // What libseccomp's seccomp_load() does first (SCMP_FLTATR_CTL_NNP is on by default).
    if (!prog->empty() && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return os_error("set no_new_privs", errno);
    if (int err = load_seccomp(*prog); err != 0)
        return os_error("cannot load the seccomp filter", err);
    return {};
}

}  // namespace sbx
