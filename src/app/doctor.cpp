#include "app/doctor.hpp"

#include <cstdio>

#include "app/own_files.hpp"
#include "app/write_roots.hpp"
#include "backend/doctor.hpp"

namespace sbx {

int run_doctor(const Invocation& inv, const HostContext& host, const Policy& policy) {
    // No plan here: a bwrap anywhere in the policy's writable roots is passed over, as a run
    // passes over one its sandbox could write (run_bwrap.cpp).
    const WriteRoots write_roots(policy.filesystem.write);
    DoctorProbes probes = real_doctor_probes(
        policy.backend.bwrap, host.bwrap_search_path, host.cache_dir,
        [&write_roots](const std::string& real) { return write_roots.cover(real); });
    std::vector<BackendKind> order = policy.backend.order;
    if (inv.backend == BackendChoice::bwrap) order = {BackendKind::bwrap};
    if (inv.backend == BackendChoice::landlock) order = {BackendKind::landlock};
    DoctorReport report = run_doctor(probes, order);
    std::string text =
        inv.explain_format == ExplainFormat::json ? render_json(report) : render_text(report);
    if (text.empty() || text.back() != '\n') text += '\n';
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return 0;  // it could report (spec section 2); the report says what does not work
}

}  // namespace sbx
