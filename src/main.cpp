// sbxrun: run one command inside a sandbox described by a policy. See sbxrun(1).
#include <exception>
#include <cstdio>

#include "app/app.hpp"

int main(int argc, char** argv, char** envp) {
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
