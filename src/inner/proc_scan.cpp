#include "inner/proc_scan.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sbx {

bool read_proc_entry(const char* name, ProcEntry& out) noexcept {
    if (name[0] < '1' || name[0] > '9') return false;
    char path[300];  // "/proc/" + a d_name (at most 255 bytes) + "/stat"
    std::snprintf(path, sizeof path, "/proc/%s/stat", name);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    // The command name is in parentheses and may itself contain ") ": the last one ends it.
    const char* rp = std::strrchr(buf, ')');
    long ppid = 0;
    if (rp == nullptr || std::sscanf(rp + 1, " %c %ld", &out.state, &ppid) != 2) return false;
    out.pid = static_cast<pid_t>(std::atol(name));
    out.ppid = static_cast<pid_t>(ppid);
    return true;
}

bool read_status_field(pid_t pid, const char* key, int base, unsigned long& out) noexcept {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];  // Umask and Tgid are in the first lines
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    char needle[64];
    std::snprintf(needle, sizeof needle, "\n%s:", key);
    const char* line = std::strstr(buf, needle);
    if (line == nullptr) return false;
    char* end = nullptr;
    out = std::strtoul(line + std::strlen(needle), &end, base);
    return end != line + std::strlen(needle);
}

}  // namespace sbx
