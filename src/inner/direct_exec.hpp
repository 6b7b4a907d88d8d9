// The Landlock backend's last stage, without a second program.
//
// Under bwrap, sbxrun-inner must be a program: it runs inside namespaces that only exist after
// bwrap's exec. Under Landlock there are no namespaces, and exec'ing sbxrun-inner only to exec
// the command cost a whole extra exec and fork per command (on a VM, glibc's start-up alone is
// a fifth of a millisecond: its CPUID probes trap to the hypervisor). So sbxrun prepares in its
// own process what sbxrun-inner would: the Landlock ruleset is created and filled through the
// plan's descriptors, the seccomp programs are generated, argv and the PATH candidates are laid
// out. Its forked child then only makes system calls, in sbxrun-inner's order:
//   drop every capability -> no_new_privs -> setsid -> Landlock -> seccomp -> chdir -> exec
// sbxrun itself is the command's parent: it sees the real wait status (no report record is
// needed for it), forwards signals, and ends orphans as the child subreaper (inner/orphans.hpp).
// A failure in the child is reported on report_fd exactly as sbxrun-inner reports it ("F ..."
// or "E <errno>", inner/inner_report.hpp), so the caller classifies both paths the same way.
#pragma once

#include <string>
#include <vector>

#include "inner/inner_spec.hpp"
#include "inner/landlock_apply.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/seccomp_filter.hpp"
#include "util/result.hpp"

namespace sbx {

class DirectExec {
public:
    // Everything but the steps that change the calling process. Uses spec.landlock_spec (its
    // rule fds are read now, not inherited), seccomp, refuse_unix_sockets, new_session, chdir,
    // argv and report_fd; `env` is the command's complete environment ("NAME=value").
    [[nodiscard]] static Result<DirectExec> prepare(const InnerSpec& spec,
                                                    const std::vector<std::string>& env);

    // Also load the metadata filter (inner/metadata_filter.hpp) last, and send its listener
    // over `sock` (a connected unix socket; sbxrun holds the other end) before the exec.
    // `network`: which network calls go to sbxrun too (inner/metadata_filter.hpp).
    [[nodiscard]] Status mediate_metadata(int sock, NetworkMediation network);

    // In the forked child, once its descriptors are arranged: enter the sandbox and exec the
    // command. Never returns: on failure it writes the record to report_fd and _exits with the
    // status sbxrun-inner would (kInnerSetupFailed, 127 or 126).
    [[noreturn]] void run() const noexcept;

    // Descriptors run() uses (the ruleset, report_fd): kept open by the spawn's clean-up, but
    // close-on-exec, so the command does not inherit them.
    [[nodiscard]] std::vector<int> fds() const;

    // The argv form of what run() applies, for --explain (sbxrun-inner's argument syntax).
    [[nodiscard]] const std::vector<std::string>& description() const { return description_; }

private:
    bool landlock_ = false;
    PreparedLandlock landlock_prepared_;
    SeccompProgram filter_;
    SeccompProgram metadata_filter_;
    int metadata_sock_ = -1;
    bool new_session_ = true;
    bool ctty_ = false;
    int report_fd_ = -1;
    std::string chdir_;
    std::uint64_t nofile_soft_ = 0;
    std::vector<std::string> argv_storage_, env_storage_, candidates_;
    std::vector<char*> argv_, envp_;
    std::vector<std::string> description_;
};

}  // namespace sbx
