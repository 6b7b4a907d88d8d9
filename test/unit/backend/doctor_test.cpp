#include "backend/doctor.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

using namespace sbx;

namespace {

BwrapInfo bwrap_080() {
    BwrapInfo i;
    i.path = "/usr/bin/bwrap";
    i.version = "0.8.0";
    i.bind_fd = i.json_status_fd = i.disable_userns = i.new_session = true;
    return i;
}

struct Host {
    // Set with insert_or_assign(key, std::string(...)), not sysctl[key] = "1": gcc 12 at -O3
    // reports a bogus memcpy overlap for a one-character literal assigned to a std::string
    // (-Werror=restrict, GCC PR 105329), which broke -Dbuildtype=release.
    std::map<std::string, std::string> sysctl = {{"/proc/sys/user/max_user_namespaces", "15000"}};
    Result<BwrapInfo> bwrap = bwrap_080();
    Captured start{0, false, "", ""};
    int abi = 7;
    int effective = 7;
    bool seccomp = true;

    DoctorProbes probes() const {
        DoctorProbes p;
        p.kernel_release = [] { return std::string("6.8.0-test"); };
        p.read_sysctl = [this](const std::string& f) -> std::optional<std::string> {
            auto it = sysctl.find(f);
            if (it == sysctl.end()) return std::nullopt;
            return it->second;
        };
        p.probe_bwrap = [this] { return bwrap; };
        p.try_bwrap = [this](const BwrapInfo&) -> Result<Captured> { return start; };
        p.landlock_kernel_abi = [this] { return abi; };
        p.landlock_effective_abi = [this] { return effective; };
        p.seccomp_available = [this] { return seccomp; };
        return p;
    }
};

bool any_fix(const DoctorReport& r, const std::string& needle) {
    for (const auto& p : r.problems) {
        for (const auto& f : p.fixes) {
            if (f.find(needle) != std::string::npos) return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("doctor: a healthy host chooses bwrap and reports no problem", "[doctor]") {
    Host h;
    auto r = run_doctor(h.probes());
    CHECK(r.backend == "bwrap");
    CHECK(r.bwrap_starts);
    CHECK(r.problems.empty());
    CHECK(r.limitations.empty());
    CHECK(r.max_user_namespaces == "15000");
    CHECK(r.apparmor_restrict_unprivileged_userns.empty());
    auto text = render_text(r);
    CHECK(text.find("bwrap: /usr/bin/bwrap version 0.8.0 (not setuid)") != std::string::npos);
    CHECK(text.find("json-status-fd") != std::string::npos);
    CHECK(text.find("landlock: ABI 7") != std::string::npos);
    CHECK(text.find("backend for the default policy: bwrap") != std::string::npos);
    CHECK(text.find("kernel.apparmor_restrict_unprivileged_userns = (absent)") !=
          std::string::npos);
    CHECK(text.find("no problems found") != std::string::npos);
}

TEST_CASE("doctor: Ubuntu 24.04 AppArmor restriction -> landlock, with the AppArmor fixes",
          "[doctor]") {
    Host h;
    h.sysctl.insert_or_assign("/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
                              std::string("1"));
    h.start =
        Captured{1, false, "", "bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted\n"};
    h.abi = 4;
    h.effective = 4;
    auto r = run_doctor(h.probes());
    CHECK_FALSE(r.bwrap_starts);
    CHECK(r.bwrap_start_error == "bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted");
    CHECK(r.backend == "landlock");
    CHECK(any_fix(r, "bwrap-userns-restrict"));
    CHECK(any_fix(r, "apparmor-profiles"));
    CHECK(any_fix(r, "kernel.apparmor_restrict_unprivileged_userns=0"));
    bool signals = false;
    for (const auto& l : r.limitations) signals |= l.find("signals") != std::string::npos;
    CHECK(signals);  // ABI 4 < 6

    auto j = nlohmann::json::parse(render_json(r));
    CHECK(j["sbxrun_doctor"] == 1);
    CHECK(j["backend"] == "landlock");
    CHECK(j["bwrap"]["starts"] == false);
    CHECK(j["landlock"]["abi"] == 4);
    CHECK(j["sysctl"]["kernel.apparmor_restrict_unprivileged_userns"] == "1");
    CHECK(j["sysctl"]["kernel.unprivileged_userns_clone"].is_null());
    CHECK(j["problems"].size() == 1);
}

TEST_CASE("doctor: userns disabled by sysctl, order bwrap only -> none", "[doctor]") {
    Host h;
    h.sysctl.insert_or_assign("/proc/sys/user/max_user_namespaces", std::string("0"));
    h.sysctl.insert_or_assign("/proc/sys/kernel/unprivileged_userns_clone", std::string("0"));
    h.start = Captured{1, false, "", "bwrap: No permissions to creating new namespace\n"};
    auto r = run_doctor(h.probes(), {BackendKind::bwrap});
    CHECK(r.backend == "none");
    CHECK(any_fix(r, "user.max_user_namespaces="));
    CHECK(any_fix(r, "kernel.unprivileged_userns_clone=1"));
    CHECK_FALSE(any_fix(r, "bwrap-userns-restrict"));
    CHECK(render_text(r).find("no backend can run here") != std::string::npos);
}

TEST_CASE("doctor: missing bwrap, no Landlock, lowered ABI shown", "[doctor]") {
    Host h;
    Error e(ErrorKind::no_backend, "bubblewrap ('bwrap') was not found or is not executable");
    h.bwrap = e;
    h.effective = 0;
    auto r = run_doctor(h.probes());
    CHECK_FALSE(r.bwrap_found);
    CHECK(r.backend == "none");
    CHECK(any_fix(r, "apt install bubblewrap"));
    CHECK(any_fix(r, "CONFIG_SECURITY_LANDLOCK"));
    CHECK(render_text(r).find("landlock: not available") != std::string::npos);

    Host lowered;
    lowered.bwrap = e;
    lowered.effective = 2;
    auto l = run_doctor(lowered.probes());
    CHECK(l.backend == "landlock");
    CHECK(render_text(l).find("landlock: ABI 2 (kernel ABI 7)") != std::string::npos);
}

TEST_CASE("doctor: which broker feeds the denial report on each backend", "[doctor]") {
    Host h;
    auto r = run_doctor(h.probes());
    CHECK(r.denials_bwrap.starts_with("sbxrun-inner's entry broker sees creates"));
    CHECK(r.denials_landlock.starts_with("sbxrun's entry broker sees creates"));
    CHECK(render_text(r).find("denial report (denials.filesystem, never complete):\n  bwrap: "
                              "sbxrun-inner's entry broker") != std::string::npos);
    CHECK(render_json(r).find("\"complete\": false") != std::string::npos);
    Host abi1;
    abi1.effective = 1;
    auto a = run_doctor(abi1.probes());
    CHECK(
        a.denials_bwrap.starts_with("chmod, chown, utime and xattrs (sbxrun-inner performs them"));
    CHECK(a.denials_landlock.starts_with("sbxrun's entry broker"));
    Host no_seccomp;
    no_seccomp.seccomp = false;
    auto n = run_doctor(no_seccomp.probes());
    CHECK(n.denials_bwrap == "none: no seccomp user notification");
    CHECK(n.denials_landlock == "none: no seccomp user notification");
}

TEST_CASE("doctor: a hanging bwrap and invalid UTF-8 on its stderr", "[doctor]") {
    Host h;
    h.start = Captured{137, true, "", ""};
    auto r = run_doctor(h.probes());
    CHECK(r.bwrap_start_error.find("no answer") != std::string::npos);
    Host u;
    u.start = Captured{1, false, "", "bwrap: \xff\xfe bad\n"};
    auto ru = run_doctor(u.probes());
    CHECK_NOTHROW(nlohmann::json::parse(render_json(ru)));
}

TEST_CASE("doctor: the real probes run on this host", "[doctor][host]") {
    auto r = run_doctor(real_doctor_probes("bwrap", "/usr/bin:/bin", ""));
    CHECK_FALSE(r.kernel_release.empty());
    CHECK(r.backend != "");
    CHECK_NOTHROW(nlohmann::json::parse(render_json(r)));
}
