// sbxrun: run one command inside a sandbox described by a policy. See sbxrun(1).
#include <sys/auxv.h>

#include <cstdio>
#include <exception>

#include "app/app.hpp"

int main(int argc, char** argv, char** envp) {
    // A setuid/setgid sbxrun would let any user mount over paths they do not own (bwrap with
    // our privileges). The kernel sets AT_SECURE for setuid, setgid and file capabilities;
    // refuse before reading anything the caller controls.
    if (getauxval(AT_SECURE) != 0) {
        std::fputs("sbxrun: refusing to run: sbxrun must not be installed setuid or setgid\n",
                   stderr);
        return 125;
    }
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
