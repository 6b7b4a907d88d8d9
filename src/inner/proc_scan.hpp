// The processes of the host, from /proc/*/stat (and one field of /proc/PID/status at a time,
// for the brokers: a caller's umask, its thread group). One reader for the three places that
// need the tree: ending orphans (orphans.cpp), stopping a Landlock run's descendants
// (teardown.cpp), and finding sbxrun-inner below bwrap's pid 1 to forward a signal (run/spawn.cpp).
// /proc/*/stat rather than /proc/self/task/*/children: CONFIG_PROC_CHILDREN is not always built.
#pragma once

#include <dirent.h>
#include <sys/types.h>

namespace sbx {

struct ProcEntry {
    pid_t pid = 0;
    pid_t ppid = 0;
    char state = 0;  // R, S, T (stopped), Z ...
};

// Parse /proc/<name>/stat; false when the process is gone or the name is not a pid.
// Async-signal-safe and allocation-free (sbxrun-inner calls it after its fork).
[[nodiscard]] bool read_proc_entry(const char* name, ProcEntry& out) noexcept;

// A numeric line of /proc/PID/status ("Umask", "Tgid"), in `base` (8 for Umask, 10 for Tgid):
// false when the process is gone or has no such line. Allocation-free.
[[nodiscard]] bool read_status_field(pid_t pid, const char* key, int base,
                                     unsigned long& out) noexcept;

// Call f(const ProcEntry&) for every process found. Allocation-free itself.
template <class F>
void for_each_process(F&& f) noexcept {
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return;
    while (dirent* e = ::readdir(d)) {
        ProcEntry p;
        if (read_proc_entry(e->d_name, p)) f(p);
    }
    ::closedir(d);
}

}  // namespace sbx
