// Linked only in AddressSanitizer builds (see src/meson.build) into sbxrun-inner and into the
// test programs that run inside the sandbox (test/helpers).
//
// LeakSanitizer checks for leaks at exit by stopping the process from a helper task that
// ptrace-attaches to it. The seccomp profiles this stage installs refuse ptrace of another
// task, so under them LSan cannot run: it reports a "fatal error" and exits 1, which would
// replace the command's exit status. LSan asks this hook first; the leak check stays on for
// every run that ends before a filter is installed (argument and setup failures) or with the
// profile "none".
#include <linux/seccomp.h>
#include <sys/prctl.h>

extern "C" int __lsan_is_turned_off() {
    return ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == SECCOMP_MODE_FILTER ? 1 : 0;
}
