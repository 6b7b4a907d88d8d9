#include "inner/teardown.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "inner/proc_scan.hpp"

namespace sbx {
namespace {

// The directory of the calling process's cgroup v2, found through /proc/self/mountinfo (the
// v2 hierarchy is /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones) and
// /proc/self/cgroup ("0::/path"). Empty when there is no cgroup v2 mounted.
std::string own_cgroup_dir(std::string& why) {
    std::ifstream mi("/proc/self/mountinfo");
    std::string line, root, mount;
    while (std::getline(mi, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
        std::istringstream f(line.substr(0, dash));
        std::string id, parent, devno;
        f >> id >> parent >> devno >> root >> mount;
        break;
    }
    if (mount.empty()) {
        why = "no cgroup v2 hierarchy is mounted";
        return {};
    }
    std::ifstream cg("/proc/self/cgroup");
    std::string path;
    while (std::getline(cg, line))
        if (line.rfind("0::", 0) == 0) path = line.substr(3);
    if (path.empty() || path[0] != '/') {
        why = "this process is in no cgroup v2";
        return {};
    }
    if (root != "/") {
        if (path.rfind(root, 0) != 0) {
            why = "this process's cgroup is outside the mounted cgroup v2 hierarchy";
            return {};
        }
        path = path.substr(root.size());
    }
    return path == "/" || path.empty() ? mount : mount + path;
}

using Proc = ProcEntry;

// Every process of the host (inner/proc_scan.hpp).
std::vector<Proc> scan_processes() {
    std::vector<Proc> out;
    for_each_process([&](const ProcEntry& p) { out.push_back(p); });
    return out;
}

// The descendants of `self` in a scan, sorted by pid.
std::vector<Proc> descendants(const std::vector<Proc>& all, pid_t self) {
    std::vector<pid_t> tree{self};
    std::vector<Proc> out;
    for (bool grew = true; grew;) {
        grew = false;
        for (const Proc& p : all) {
            if (p.pid == self || std::find(tree.begin(), tree.end(), p.pid) != tree.end()) continue;
            if (std::find(tree.begin(), tree.end(), p.ppid) == tree.end()) continue;
            tree.push_back(p.pid);
            out.push_back(p);
            grew = true;
        }
    }
    std::sort(out.begin(), out.end(), [](const Proc& a, const Proc& b) { return a.pid < b.pid; });
    return out;
}

bool is_stopped(char state) {
    return state == 'T' || state == 't' || state == 'Z' || state == 'X' || state == 'x';
}

// Reap every child that has ended; false once the caller has no child left at all (then no
// descendant is left either: every descendant has a living ancestor among our children).
bool reap_and_any_left() {
    pid_t r;
    while ((r = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
    }
    return !(r < 0 && errno == ECHILD);
}

bool same_pids(const std::vector<Proc>& a, const std::vector<Proc>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].pid != b[i].pid) return false;
    return true;
}

// See the header. The bounds only keep a tree that never stops (a process stuck in
// uninterruptible sleep) from hanging sbxrun: after them, what was found is killed anyway.
void stop_and_kill_descendants() noexcept {
    const pid_t self = ::getpid();
    for (int pass = 0; pass < 1000 && reap_and_any_left(); ++pass) {
        std::vector<Proc> last;
        bool last_clean = false;
        for (int round = 0; round < 20000; ++round) {
            std::vector<Proc> now = descendants(scan_processes(), self);
            bool clean = true;
            for (const Proc& p : now) {
                if (is_stopped(p.state)) continue;
                clean = false;
                ::kill(p.pid, SIGSTOP);
            }
            const bool settled = clean && last_clean && same_pids(now, last);
            last = std::move(now);
            last_clean = clean;
            if (settled) break;
        }
        for (const Proc& p : last) ::kill(p.pid, SIGKILL);
        // The killed ones become zombies of their parents, or ours once those are gone too.
        for (int i = 0; i < 1000; ++i) {
            if (!reap_and_any_left()) return;
            bool alive = false;
            for (const Proc& p : descendants(scan_processes(), self))
                if (p.state != 'Z' && p.state != 'X') alive = true;
            if (!alive) break;
            ::usleep(1000);
        }
    }
}

// Whether `cgroup.events` of `dir` says no process is left in it.
bool unpopulated(int events_fd) {
    char buf[256];
    ssize_t n = ::pread(events_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return false;
    buf[n] = '\0';
    return std::strstr(buf, "populated 0") != nullptr;
}

// The pid in a run's cgroup name, "sbxrun-PID" or "sbxrun-PID-N"; 0 for any other name.
pid_t run_cgroup_pid(const char* name) {
    constexpr std::string_view kPrefix = "sbxrun-";
    std::string_view n(name);
    if (!n.starts_with(kPrefix)) return 0;
    n.remove_prefix(kPrefix.size());
    // Spelled exactly as prepare() spells it: no leading zero, no sign, "-N" after it.
    if (n.empty() || n[0] < '1' || n[0] > '9') return 0;
    long pid = 0;
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), pid);
    if (ec != std::errc() || pid <= 0 || pid > INT_MAX) return 0;
    const std::string_view rest(end, static_cast<std::size_t>(n.data() + n.size() - end));
    if (!rest.empty()) {
        long i = 0;
        if (rest.size() < 2 || rest[0] != '-' || rest[1] < '1' || rest[1] > '9') return 0;
        const auto [iend, iec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), i);
        if (iec != std::errc() || iend != rest.data() + rest.size()) return 0;
    }
    return static_cast<pid_t>(pid);
}

// An sbxrun that was SIGKILLed (by a harness's timeout, the OOM killer) never removed its
// run's cgroup: each stays behind, empty (the twenty-ninth review counted 37 here). The next
// run removes those whose sbxrun is gone and that are a minute old (a run of another pid
// namespace sharing this cgroup has just made its own); rmdir refuses one with processes in it.
void remove_stale_cgroups(int parent) noexcept {
    UniqueFd rd(::openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!rd) return;
    DIR* d = ::fdopendir(rd.get());
    if (d == nullptr) return;
    (void)rd.release();
    const time_t now = ::time(nullptr);
    while (const dirent* e = ::readdir(d)) {
        const pid_t pid = run_cgroup_pid(e->d_name);
        if (pid == 0 || pid == ::getpid()) continue;
        if (::kill(pid, 0) == 0 || errno != ESRCH) continue;
        struct stat st {};
        // Only this user's: another's (a delegated cgroup beside ours) is theirs to remove.
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || now - st.st_mtime < 60)
            continue;
        (void)::unlinkat(::dirfd(d), e->d_name, AT_REMOVEDIR);
    }
    ::closedir(d);
}

}  // namespace

Teardown Teardown::prepare() {
    Teardown t;
    std::string own = own_cgroup_dir(t.detail_);
    if (own.empty()) return t;
    UniqueFd parent(::open(own.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) {
        t.detail_ = "cannot open " + own + ": " + std::strerror(errno);
        return t;
    }
    // Moving a process between cgroups needs write access to cgroup.procs of their common
    // ancestor: here, sbxrun's own cgroup.
    if (::faccessat(parent.get(), "cgroup.procs", W_OK, AT_EACCESS) != 0) {
        t.detail_ = own + "/cgroup.procs is not writable for this user (no delegated cgroup)";
        return t;
    }
    remove_stale_cgroups(parent.get());
    std::string name;
    for (int i = 0;; ++i) {
        name = "sbxrun-" + std::to_string(::getpid()) + (i ? "-" + std::to_string(i) : "");
        if (::mkdirat(parent.get(), name.c_str(), 0755) == 0) break;
        if (errno != EEXIST || i >= 16) {
            t.detail_ = "cannot create a cgroup in " + own + ": " + std::strerror(errno);
            return t;
        }
    }
    UniqueFd dir(::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd procs(dir ? ::openat(dir.get(), "cgroup.procs", O_WRONLY | O_CLOEXEC) : -1);
    if (!dir || !procs || ::faccessat(dir.get(), "cgroup.kill", W_OK, AT_EACCESS) != 0) {
        t.detail_ = own + ": no cgroup.kill (Linux >= 5.14) or the new cgroup is not writable";
        ::unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR);
        return t;
    }
    t.method_ = TeardownMethod::cgroup_kill;
    t.parent_ = std::move(parent);
    t.dir_ = std::move(dir);
    t.procs_ = std::move(procs);
    t.name_ = std::move(name);
    t.detail_ = own + "/" + t.name_;
    return t;
}

int Teardown::write_join() const noexcept {
    if (!procs_) return 0;
    // "0" is the writing process itself.
    ssize_t n;
    do {
        n = ::write(procs_.get(), "0", 1);
    } while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : errno;
}

void Teardown::end_all() noexcept {
    if (method_ == TeardownMethod::cgroup_kill && dir_) {
        UniqueFd kill_fd(::openat(dir_.get(), "cgroup.kill", O_WRONLY | O_CLOEXEC));
        UniqueFd events(::openat(dir_.get(), "cgroup.events", O_RDONLY | O_CLOEXEC));
        if (kill_fd && ::write(kill_fd.get(), "1", 1) == 1 && events) {
            // The kill is atomic; the processes still take a moment to exit. cgroup.events
            // signals POLLPRI when "populated" changes. Bounded: never hang sbxrun.
            for (int i = 0; i < 1000 && !unpopulated(events.get()); ++i) {
                reap_and_any_left();
                pollfd p{events.get(), POLLPRI, 0};
                ::poll(&p, 1, 10);
            }
        }
    }
    // Also after cgroup.kill: a process that left the cgroup (a policy that makes
    // /sys/fs/cgroup writable) is still a descendant, the subreaper keeps it one.
    stop_and_kill_descendants();
    if (dir_) {
        dir_.reset();
        procs_.reset();
        for (int i = 0; i < 1000; ++i) {
            if (::unlinkat(parent_.get(), name_.c_str(), AT_REMOVEDIR) == 0 || errno != EBUSY)
                break;
            ::usleep(1000);
        }
        parent_.reset();
    }
}

Teardown::~Teardown() {
    // A teardown that was prepared but never run (the spawn failed): leave no cgroup behind.
    if (dir_ && parent_) {
        dir_.reset();
        ::unlinkat(parent_.get(), name_.c_str(), AT_REMOVEDIR);
    }
}

std::string describe_teardown_here() {
    Teardown t = Teardown::prepare();
    if (t.method() == TeardownMethod::cgroup_kill)
        return "cgroup.kill (a cgroup v2 per run below " +
               t.detail().substr(0, t.detail().rfind('/')) + ")";
    return "SIGSTOP then SIGKILL of every descendant (" + t.detail() + ")";
}

}  // namespace sbx
