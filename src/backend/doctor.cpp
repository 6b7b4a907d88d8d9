#include "backend/doctor.hpp"

#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "inner/landlock_apply.hpp"
#include "inner/teardown.hpp"

namespace sbx {
namespace {

constexpr int kStartProbeTimeoutMs = 3000;

// Whether this user may open /dev/fuse (read and write), as sbxrun-inner's deny watcher must
// (inner/deny_watch.hpp): the file's mode, checked without opening the device.
bool fuse_openable() {
    return ::access("/dev/fuse", R_OK | W_OK) == 0;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

std::vector<std::string> features_of(const BwrapInfo& i) {
    std::vector<std::string> f;
    auto add = [&](bool on, const char* name) {
        if (on) f.emplace_back(name);
    };
    add(i.bind_fd, "bind-fd");
    add(i.json_status_fd, "json-status-fd");
    add(i.disable_userns, "disable-userns");
    add(i.args_fd, "args");
    add(i.perms, "perms");
    add(i.size, "size");
    add(i.chmod, "chmod");
    add(i.clearenv, "clearenv");
    add(i.die_with_parent, "die-with-parent");
    add(i.new_session, "new-session");
    add(i.as_pid_1, "as-pid-1");
    add(i.cap_add, "cap-add");
    return f;
}

// Why bwrap could not start, from what the host says (sysctls first: they are facts; its
// stderr only picks between equally likely causes).
void diagnose_bwrap_start(const DoctorReport& r, std::vector<DoctorProblem>& out) {
    DoctorProblem p;
    p.problem = "bubblewrap cannot create its sandbox here: " +
                (r.bwrap_start_error.empty() ? std::string("no message") : r.bwrap_start_error);
    const bool apparmor = r.apparmor_restrict_unprivileged_userns == "1";
    const bool mentions_netlink = r.bwrap_start_error.find("RTM_NEWADDR") != std::string::npos;
    const bool mentions_uidmap = r.bwrap_start_error.find("uid map") != std::string::npos;
    if (apparmor || mentions_netlink || mentions_uidmap) {
        p.fixes.push_back(
            "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): install the "
            "profile that allows bwrap: sudo apt install apparmor-profiles && sudo ln -s "
            "/usr/share/apparmor/extra-profiles/bwrap-userns-restrict /etc/apparmor.d/ && "
            "sudo apparmor_parser -r /etc/apparmor.d/bwrap-userns-restrict");
        p.fixes.push_back(
            "or lift the restriction for every program: sudo sysctl "
            "kernel.apparmor_restrict_unprivileged_userns=0 (persist it in /etc/sysctl.d/)");
    }
    if (r.max_user_namespaces == "0") {
        p.fixes.push_back(
            "user namespaces are disabled: sudo sysctl user.max_user_namespaces=15000");
    }
    if (r.unprivileged_userns_clone == "0") {
        p.fixes.push_back(
            "unprivileged user namespaces are disabled: sudo sysctl "
            "kernel.unprivileged_userns_clone=1");
    }
    if (p.fixes.empty()) {
        p.fixes.push_back(
            "if sbxrun runs inside a container or another sandbox, allow nested user namespaces "
            "there (e.g. docker --security-opt seccomp=unconfined, or no --disable-userns in the "
            "outer bwrap), or install bwrap setuid root (chmod u+s) where that is acceptable");
    }
    p.fixes.push_back("or use the Landlock backend: sbxrun --backend landlock");
    out.push_back(std::move(p));
}

std::vector<std::string> landlock_limitations(int abi) {
    std::vector<std::string> l = {
        "deny: contents are unreadable but names and metadata stay visible",
        "protect inside a writable root: new top-level entries of that root cannot be created "
        "(and existing ones not removed or renamed)",
        "deny under a read root: the directories above it cannot be listed",
        "no private /tmp, /dev or /proc; tmpfs entries are made inaccessible instead",
        "no PID namespace: the command sees the host's processes"};
    if (abi < 2) l.emplace_back("ABI 1: files cannot be renamed or linked across directories");
    if (abi < 3) l.emplace_back("ABI < 3: truncate(2) by path is refused (seccomp)");
    if (abi < 4) {
        l.emplace_back("ABI < 4: network refused by seccomp alone (no Landlock TCP rules)");
        l.emplace_back("ABI < 4: network.mode = \"allowlist\" is refused (exit 122)");
    } else {
        l.emplace_back(
            "network.mode = \"allowlist\": TCP is confined to the proxy's port by Landlock and "
            "to its address by sbxrun, which makes each connection");
    }
    if (abi < 6) {
        l.emplace_back("ABI < 6: socket(AF_UNIX) refused (abstract sockets cannot be scoped)");
        l.emplace_back("ABI < 6: signals to processes outside the sandbox are not blocked");
    }
    return l;
}

}  // namespace

DoctorProbes real_doctor_probes(const std::string& bwrap, const std::string& path_env,
                                const std::string& cache_dir, ExecutablePredicate planted) {
    DoctorProbes p;
    p.kernel_release = [] {
        utsname u{};
        return ::uname(&u) == 0 ? std::string(u.release) : std::string();
    };
    p.read_sysctl = [](const std::string& path) -> std::optional<std::string> {
        std::ifstream f(path);
        if (!f) return std::nullopt;
        std::string s;
        std::getline(f, s);
        return trim(s);
    };
    p.probe_bwrap = [=] { return probe_bwrap(bwrap, path_env, cache_dir, planted); };
    p.try_bwrap = [](const BwrapInfo& info) {
        return run_bounded({info.path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                            "--", "/bin/true"},
                           kStartProbeTimeoutMs, 4096);
    };
    p.landlock_kernel_abi = [] { return landlock_kernel_abi(); };
    p.landlock_effective_abi = [] { return landlock_effective_abi(); };
    p.landlock_teardown = [] { return describe_teardown_here(); };
    p.seccomp_available = [] {
        // PR_GET_SECCOMP fails with EINVAL on a kernel without seccomp; the errno action is
        // what our filter needs.
        if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return false;
        std::ifstream f("/proc/sys/kernel/seccomp/actions_avail");
        std::string s;
        std::getline(f, s);
        return s.find("errno") != std::string::npos;
    };
    return p;
}

DoctorReport run_doctor(const DoctorProbes& probes, const std::vector<BackendKind>& order) {
    DoctorReport r;
    r.kernel_release = probes.kernel_release();
    r.max_user_namespaces = probes.read_sysctl("/proc/sys/user/max_user_namespaces").value_or("");
    r.unprivileged_userns_clone =
        probes.read_sysctl("/proc/sys/kernel/unprivileged_userns_clone").value_or("");
    r.apparmor_restrict_unprivileged_userns =
        probes.read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").value_or("");

    auto info = probes.probe_bwrap();
    if (info) {
        r.bwrap_found = true;
        r.bwrap_path = info->path;
        r.bwrap_version = info->version;
        r.bwrap_setuid = info->setuid;
        r.bwrap_features = features_of(*info);
        auto start = probes.try_bwrap(*info);
        if (!start) {
            r.bwrap_start_error = start.error().render();
        } else if (start->timed_out) {
            r.bwrap_start_error =
                "no answer within " + std::to_string(kStartProbeTimeoutMs / 1000) + " s";
        } else if (start->exit_code != 0) {
            r.bwrap_start_error = trim(start->err);
            if (r.bwrap_start_error.empty()) {
                r.bwrap_start_error = "exit status " + std::to_string(start->exit_code);
            }
        } else {
            r.bwrap_starts = true;
        }
        if (!r.bwrap_starts) diagnose_bwrap_start(r, r.problems);
        if (!info->json_status_fd || !info->bind_fd) {
            r.problems.push_back({"bubblewrap " + r.bwrap_version +
                                      " lacks --json-status-fd or --bind-fd, which sbxrun needs",
                                  {"upgrade bubblewrap to 0.8 or newer (apt install bubblewrap)"}});
        }
    } else {
        r.bwrap_error = info.error().render();
        DoctorProblem p{"bubblewrap is not available: " + r.bwrap_error, {}};
        p.fixes.push_back(
            "sudo apt install bubblewrap (Debian/Ubuntu) or sudo dnf install "
            "bubblewrap (Fedora)");
        if (!info.error().suggestion.empty()) p.fixes.push_back(info.error().suggestion);
        r.problems.push_back(std::move(p));
    }

    r.landlock_kernel_abi = probes.landlock_kernel_abi();
    r.landlock_abi = probes.landlock_effective_abi();
    if (probes.landlock_teardown) r.landlock_teardown = probes.landlock_teardown();
    r.seccomp = probes.seccomp_available();
    if (r.landlock_abi < 1) {
        r.problems.push_back(
            {"Landlock is not available (kernel ABI " + std::to_string(r.landlock_kernel_abi) + ")",
             {"use a kernel >= 5.13 with CONFIG_SECURITY_LANDLOCK=y and \"landlock\" in the lsm= "
              "boot parameter (see /sys/kernel/security/lsm)"}});
    }
    if (!r.seccomp) {
        r.problems.push_back({"seccomp filters are not available",
                              {"use a kernel built with CONFIG_SECCOMP_FILTER=y"}});
    }

    // The denial report rides on the entry brokers: sbxrun-inner's under bwrap needs Landlock
    // ABI 2 for the entry calls (run_bwrap.cpp: entry_broker_available) and nothing for the
    // metadata calls it performs; sbxrun's under Landlock comes with it.
    if (!r.seccomp) {
        r.denials_bwrap = r.denials_landlock = "none: no seccomp user notification";
    } else {
        r.denials_bwrap =
            r.landlock_abi >= 2
                ? "sbxrun-inner's entry broker sees creates, removals, renames, hard links, opens "
                  "for writing, truncate, chmod, chown, utime and xattrs, and connections to "
                  "addresses with network none or allowlist; its deny watcher sees reads of "
                  "denied paths where /dev/fuse may be opened (" +
                      std::string(fuse_openable() ? "yes" : "no") + " for this user)"
                : "chmod, chown, utime and xattrs (sbxrun-inner performs them; the rest "
                  "needs its entry broker, which needs Landlock ABI 2), and connections to "
                  "addresses with network none or allowlist";
        r.denials_landlock =
            r.landlock_abi >= 1
                ? "sbxrun's entry broker sees creates, removals, renames, opens for writing, "
                  "chmod, chown, utime, xattrs, hard links and truncate (not reads), "
                  "internet sockets with network none and connections with allowlist"
                : "none: no Landlock";
    }

    const bool bwrap_ok = r.bwrap_found && r.bwrap_starts;
    const bool landlock_ok = r.landlock_abi >= 1 && r.seccomp;
    r.backend = "none";
    for (BackendKind k : order) {
        if (k == BackendKind::bwrap && bwrap_ok) {
            r.backend = "bwrap";
            break;
        }
        if (k == BackendKind::landlock && landlock_ok) {
            r.backend = "landlock";
            r.limitations = landlock_limitations(r.landlock_abi);
            break;
        }
    }
    if (r.backend == "none") {
        r.problems.push_back({"no backend can run here: sbxrun exits 121 for every command",
                              {"fix one of the problems above"}});
    }
    return r;
}

std::string render_text(const DoctorReport& r) {
    std::ostringstream o;
    auto or_absent = [](const std::string& s) { return s.empty() ? std::string("(absent)") : s; };
    o << "kernel: " << or_absent(r.kernel_release) << "\n";
    o << "user namespaces:\n"
      << "  user.max_user_namespaces = " << or_absent(r.max_user_namespaces) << "\n"
      << "  kernel.unprivileged_userns_clone = " << or_absent(r.unprivileged_userns_clone) << "\n"
      << "  kernel.apparmor_restrict_unprivileged_userns = "
      << or_absent(r.apparmor_restrict_unprivileged_userns) << "\n";
    if (r.bwrap_found) {
        o << "bwrap: " << r.bwrap_path << " version " << or_absent(r.bwrap_version)
          << (r.bwrap_setuid ? " (setuid root)" : " (not setuid)") << "\n";
        o << "  features:";
        for (const auto& f : r.bwrap_features) o << ' ' << f;
        o << "\n  can start here: "
          << (r.bwrap_starts ? std::string("yes") : "no: " + r.bwrap_start_error) << "\n";
    } else {
        o << "bwrap: not available: " << r.bwrap_error << "\n";
    }
    o << "landlock: ";
    if (r.landlock_abi >= 1) {
        o << "ABI " << r.landlock_abi;
        if (r.landlock_abi != r.landlock_kernel_abi)
            o << " (kernel ABI " << r.landlock_kernel_abi << ")";
    } else {
        o << "not available";
    }
    o << "\n";
    if (!r.landlock_teardown.empty())
        o << "  processes of a run are ended by: " << r.landlock_teardown << "\n";
    o << "seccomp: " << (r.seccomp ? "yes" : "no") << "\n";
    o << "denial report (denials.filesystem, never complete):\n"
      << "  bwrap: " << r.denials_bwrap << "\n"
      << "  landlock: " << r.denials_landlock << "\n";
    o << "backend for the default policy: " << r.backend << "\n";
    for (const auto& l : r.limitations) o << "  limit: " << l << "\n";
    if (r.problems.empty()) {
        o << "no problems found\n";
    }
    for (const auto& p : r.problems) {
        o << "problem: " << p.problem << "\n";
        for (const auto& f : p.fixes) o << "  fix: " << f << "\n";
    }
    return o.str();
}

std::string render_json(const DoctorReport& r) {
    using nlohmann::json;
    auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    json j;
    j["sbxrun_doctor"] = 1;
    j["kernel"] = or_null(r.kernel_release);
    j["sysctl"] = {{"user.max_user_namespaces", or_null(r.max_user_namespaces)},
                   {"kernel.unprivileged_userns_clone", or_null(r.unprivileged_userns_clone)},
                   {"kernel.apparmor_restrict_unprivileged_userns",
                    or_null(r.apparmor_restrict_unprivileged_userns)}};
    j["bwrap"] = {{"found", r.bwrap_found},
                  {"path", or_null(r.bwrap_path)},
                  {"version", or_null(r.bwrap_version)},
                  {"setuid", r.bwrap_setuid},
                  {"features", r.bwrap_features},
                  {"error", or_null(r.bwrap_error)},
                  {"starts", r.bwrap_starts},
                  {"start_error", or_null(r.bwrap_start_error)}};
    j["landlock"] = {{"abi", r.landlock_abi},
                     {"kernel_abi", r.landlock_kernel_abi},
                     {"teardown", or_null(r.landlock_teardown)}};
    j["seccomp"] = r.seccomp;
    j["denials"] = {{"complete", false},
                    {"bwrap", or_null(r.denials_bwrap)},
                    {"landlock", or_null(r.denials_landlock)}};
    j["backend"] = r.backend;
    j["limitations"] = r.limitations;
    json problems = json::array();
    for (const auto& p : r.problems)
        problems.push_back({{"problem", p.problem}, {"fixes", p.fixes}});
    j["problems"] = problems;
    // Replace invalid UTF-8 (bwrap's stderr is arbitrary bytes) instead of throwing.
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace sbx
