// sbxrun: run one command inside a sandbox described by a policy. See sbxrun(1).
#include <sys/auxv.h>
#include <sys/prctl.h>

#include <cstdio>
#include <exception>

#include "app/app.hpp"
#include "util/timeline.hpp"

int main(int argc, char** argv, char** envp) {
    sbx::timeline::start_from_environment("sbxrun");
    // A setuid/setgid sbxrun would let any user mount over paths they do not own (bwrap with
    // our privileges). The kernel sets AT_SECURE for setuid, setgid and file capabilities;
    // refuse before reading anything the caller controls.
    if (getauxval(AT_SECURE) != 0) {
        std::fputs("sbxrun: refusing to run: sbxrun must not be installed setuid or setgid\n",
                   stderr);
        return 125;
    }
    // Not dumpable: a process of the sandbox that can see us (same uid) must not reopen, through
    // /proc/PID/fd, the pipes on which the sandbox reports to us (SECURITY.md, "the report
    // channel"). Landlock already refuses such access across its domain and bwrap's pid
    // namespace hides us; this holds without either. The command itself is not affected: exec
    // makes a process dumpable again.
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Every stage returns errors as values; this is the last line of defence against a
    // library exception (std::bad_alloc...) turning into an abort with a core dump.
    try {
        return sbx::run_app(argc, argv, envp);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sbxrun: internal error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "sbxrun: internal error\n");
    }
    return 125;
}
