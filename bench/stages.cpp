// In-process cost of each pipeline stage, with Google Benchmark:
//   policy load (TOML, JSON), resolve + make_plan for 10..10,000 rules, symlink chains of
//   depth 1..40, bwrap argv compile, Landlock ruleset compile with the real directory lister.
// Trees are built once per size in a temporary directory, outside the timed loops.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "backend/bwrap_compile.hpp"
#include "backend/landlock_compile.hpp"
#include "backend/landlock_dir_lister.hpp"
#include "fixture_tree.hpp"
#include "fs/resolve.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/seccomp_build.hpp"
#include "inner/seccomp_filter.hpp"
#include "plan/make_plan.hpp"
#include "policy/load.hpp"

namespace {

using sbx::bench::FixtureTree;

FixtureTree& tree() {
    static FixtureTree t;
    return t;
}

sbx::ExpandContext context_for(const std::string& ws) {
    sbx::ExpandContext ctx;
    ctx.workspace = ws;
    ctx.home = tree().root() + "/home";
    ctx.tmpdir = tree().root() + "/tmp";
    return ctx;
}

// A policy file as a user writes it: every section, a few of each list.
const char* kTomlPolicy = R"(version = 1
[filesystem]
read    = ["/"]
write   = ["${workspace}", "${tmpdir}"]
protect = [".git", ".codex", ".claude", ".gemini", ".agents", "AGENTS.md", "CLAUDE.md"]
deny    = ["~/.ssh", "~/.aws", "~/.gnupg"]
symlinks = "pin"
missing_protected = "block"
[network]
mode = "none"
[process]
env_clear = false
env_unset = ["AWS_*", "GITHUB_TOKEN"]
[backend]
order = ["bwrap", "landlock"]
on_unenforceable = "approximate"
)";

const char* kJsonPolicy = R"({"version": 1,
 "filesystem": {"read": ["/"], "write": ["${workspace}", "${tmpdir}"],
   "protect": [".git", ".codex", ".claude", ".gemini", ".agents", "AGENTS.md", "CLAUDE.md"],
   "deny": ["~/.ssh", "~/.aws", "~/.gnupg"], "symlinks": "pin", "missing_protected": "block"},
 "network": {"mode": "none"},
 "process": {"env_clear": false, "env_unset": ["AWS_*", "GITHUB_TOKEN"]},
 "backend": {"order": ["bwrap", "landlock"], "on_unenforceable": "approximate"}})";

// A policy protecting n entries of the workspace by absolute path (plus the usual names).
std::string rules_toml(const std::string& ws, int n) {
    std::string t =
        "version = 1\n[filesystem]\nwrite = [\"${workspace}\"]\n"
        "protect = [\".git\", \".codex\", \".agents\"";
    for (int i = 0; i < n; ++i) t += ", \"" + ws + "/p" + std::to_string(i) + "\"";
    t += "]\n";
    return t;
}

sbx::Policy load_or_die(const std::string& text, const std::string& name,
                        const sbx::ExpandContext& ctx) {
    auto p = sbx::apply_policy_text(sbx::default_policy(ctx), text, name, ctx);
    if (!p.ok()) {
        std::fprintf(stderr, "policy: %s\n", p.error().render().c_str());
        std::abort();
    }
    return std::move(p).value();
}

void BM_PolicyLoad(benchmark::State& state, const char* text, const char* name) {
    const auto ctx = context_for(tree().root() + "/ws");
    const sbx::Policy base = sbx::default_policy(ctx);
    const std::string doc = text;
    for (auto _ : state) {
        auto p = sbx::apply_policy_text(base, doc, name, ctx);
        if (!p.ok()) state.SkipWithError(p.error().render().c_str());
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK_CAPTURE(BM_PolicyLoad, toml, kTomlPolicy, "p.toml")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PolicyLoad, json, kJsonPolicy, "p.json")->Unit(benchmark::kMicrosecond);

// Loading a policy that lists n rules (the text parsing alone scales with the file).
void BM_PolicyLoadRules(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    const auto ctx = context_for(tree().root() + "/ws");
    const sbx::Policy base = sbx::default_policy(ctx);
    const std::string doc = rules_toml(ctx.workspace, n);
    for (auto _ : state) {
        auto p = sbx::apply_policy_text(base, doc, "p.toml", ctx);
        if (!p.ok()) state.SkipWithError(p.error().render().c_str());
        benchmark::DoNotOptimize(p);
    }
    state.SetComplexityN(n);
}
BENCHMARK(BM_PolicyLoadRules)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oN);

// resolve + make_plan over n protected entries, a quarter of them symlinks to pin.
void BM_ResolvePlan(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    const std::string ws = tree().make_workspace(n);
    const auto ctx = context_for(ws);
    const sbx::Policy policy = load_or_die(rules_toml(ws, n), "rules.toml", ctx);
    for (auto _ : state) {
        auto plan = sbx::make_plan(policy);
        if (!plan.ok()) state.SkipWithError(plan.error().render().c_str());
        benchmark::DoNotOptimize(plan);
    }
    state.SetComplexityN(n);
}
BENCHMARK(BM_ResolvePlan)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

void BM_ResolveChain(benchmark::State& state) {
    const std::string link = tree().make_chain(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto r = sbx::resolve(link);
        if (!r.ok()) state.SkipWithError(r.error().render().c_str());
        benchmark::DoNotOptimize(r);
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ResolveChain)
    ->Arg(1)
    ->Arg(2)
    ->Arg(5)
    ->Arg(10)
    ->Arg(20)
    ->Arg(40)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oN);

// The plans the compile benchmarks read, made once per size.
const sbx::MountPlan& plan_for(int n) {
    static std::map<int, std::unique_ptr<sbx::MountPlan>> plans;
    auto& slot = plans[n];
    if (!slot) {
        const std::string ws = tree().make_workspace(n);
        const auto ctx = context_for(ws);
        auto plan = sbx::make_plan(load_or_die(rules_toml(ws, n), "rules.toml", ctx));
        if (!plan.ok()) {
            std::fprintf(stderr, "plan: %s\n", plan.error().render().c_str());
            std::abort();
        }
        slot = std::make_unique<sbx::MountPlan>(std::move(plan).value());
    }
    return *slot;
}

sbx::BwrapInfo bwrap_0_8() {
    sbx::BwrapInfo b;
    b.path = "/usr/bin/bwrap";
    b.version = "0.8.0";
    b.bind_fd = b.json_status_fd = b.disable_userns = b.args_fd = b.perms = b.size = true;
    b.chmod = b.clearenv = b.die_with_parent = b.new_session = b.cap_add = b.as_pid_1 = true;
    return b;
}

void BM_CompileBwrap(benchmark::State& state) {
    const sbx::MountPlan& plan = plan_for(static_cast<int>(state.range(0)));
    const sbx::BwrapInfo info = bwrap_0_8();
    sbx::BwrapPlan bplan = sbx::bwrap_plan(plan);
    sbx::BwrapInputs in;
    in.inner_exe_fd = 3;
    in.status_fd = 4;
    // Descriptor numbers only: the compile is pure and never looks at them.
    int next = 10;
    for (auto& m : bplan.mounts) {
        if (m.op->kind == sbx::OpKind::hide_file) m.fd = next++;
        if (m.op->kind == sbx::OpKind::block_missing) {
            m.fd = next++;
            m.placeholder_id.emplace(1, 1);  // and an identity, as run_bwrap takes by fstat
        }
    }
    in.inner.argv = {"true"};
    in.inner.chdir = "/";
    for (auto _ : state) {
        auto cmd = sbx::compile_bwrap(bplan, info, in);
        if (!cmd.ok()) state.SkipWithError(cmd.error().render().c_str());
        benchmark::DoNotOptimize(cmd);
    }
    state.SetComplexityN(state.range(0));
}
// Not 10,000: a plan that large needs more arguments than bwrap accepts, and compile_bwrap
// refuses it (bwrap_compile.hpp).
BENCHMARK(BM_CompileBwrap)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oN);

// Landlock: every protected entry is a hole in the writable workspace, so the approximate
// compile lists the workspace and grants each sibling its own rule.
void BM_CompileLandlock(benchmark::State& state) {
    const sbx::MountPlan& plan = plan_for(static_cast<int>(state.range(0)));
    sbx::RealDirLister lister;
    for (auto _ : state) {
        auto c = sbx::compile_landlock(plan, 7, sbx::OnUnenforceable::approximate, lister);
        if (!c.ok()) state.SkipWithError(c.error().render().c_str());
        benchmark::DoNotOptimize(c);
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_CompileLandlock)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oN);

// The seccomp programs: generated with libseccomp when sbxrun is built (what every run did
// before: the command's filter for bwrap with network none, and for Landlock with the
// allowlist), and picked from the generated table, what a run does now.
void BM_GenerateSeccomp(benchmark::State& state, sbx::SeccompProfile profile, bool host_ipc) {
    for (auto _ : state) {
        auto p = sbx::generate_seccomp(profile, true, host_ipc, false);
        if (!p.ok()) state.SkipWithError(p.error().render().c_str());
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK_CAPTURE(BM_GenerateSeccomp, netns, sbx::SeccompProfile::netns, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_GenerateSeccomp, tcp_only_host_ipc, sbx::SeccompProfile::tcp_only, true)
    ->Unit(benchmark::kMicrosecond);

void BM_PickSeccomp(benchmark::State& state, sbx::SeccompProfile profile, bool host_ipc) {
    for (auto _ : state) {
        auto p = sbx::build_seccomp(profile, true, host_ipc, false);
        if (!p.ok()) state.SkipWithError(p.error().render().c_str());
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK_CAPTURE(BM_PickSeccomp, netns, sbx::SeccompProfile::netns, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PickSeccomp, tcp_only_host_ipc, sbx::SeccompProfile::tcp_only, true)
    ->Unit(benchmark::kMicrosecond);

void BM_BuildMetadataFilters(benchmark::State& state) {
    for (auto _ : state) {
        auto m = sbx::build_metadata_filter(sbx::NetworkMediation{});
        auto e = sbx::build_entry_filter(/*observe_network=*/true, /*handover_fd=*/3);
        if (!m.ok() || !e.ok()) state.SkipWithError("cannot build the filters");
        benchmark::DoNotOptimize(m);
        benchmark::DoNotOptimize(e);
    }
}
BENCHMARK(BM_BuildMetadataFilters)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
