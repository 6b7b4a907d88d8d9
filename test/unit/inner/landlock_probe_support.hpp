// Running a probe in a forked child whose exit code encodes the errno it saw (0 = success),
// so a Landlock or seccomp restriction never leaks into the test process itself.
#pragma once

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace sbx::test {

inline constexpr int kProbeSetupFailed = 250;

// Fork; in the child set no_new_privs, run setup (returns false -> 250), then probe (returns an
// errno, 0 for success). Returns the child's exit code, or 300 + signal if it was killed.
inline int in_child(const std::function<bool()>& setup, const std::function<int()>& probe) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(kProbeSetupFailed);
        if (!setup()) ::_exit(kProbeSetupFailed);
        ::_exit(probe());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return 300 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

// Catch2 2.13 has no runtime skip: a missing kernel feature ends the binary with 77 unless
// SBXRUN_MUST_WORK=1 asks for a failure instead.
inline void require_feature(bool present, const char* why) {
    if (present) return;
    const char* must = std::getenv("SBXRUN_MUST_WORK");
    std::fprintf(stderr, "skip: %s\n", why);
    if (must && must[0] == '1') std::exit(1);
    std::exit(77);
}

}  // namespace sbx::test
