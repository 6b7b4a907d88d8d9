// Catch2's main plus the skip count (skip.hpp): which test cases skipped, and 77 (meson's
// "skipped") when all of them did, so a suite that checked nothing does not count as a pass.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "skip.hpp"

namespace {

std::string g_current;            // the test case running now
std::set<std::string> g_started;  // every case that ran (a GENERATE'd case starts again)
std::set<std::string> g_skipped;  // the cases that called skip()

struct SkipCounter : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testCaseStarting(Catch::TestCaseInfo const& info) override {
        g_current = info.name;
        g_started.insert(info.name);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(SkipCounter)

namespace sbx::test {

void skip(const std::string& why) {
    const char* must = std::getenv("SBXRUN_MUST_WORK");
    if (must != nullptr && std::string(must) == "1")
        FAIL("cannot run: " << why << " (SBXRUN_MUST_WORK=1)");
    WARN("SKIP: " << why);
    g_skipped.insert(g_current);
}

}  // namespace sbx::test

int main(int argc, char* argv[]) {
    const int rc = Catch::Session().run(argc, argv);
    if (!g_skipped.empty()) {
        std::printf("sbxrun-unit: %zu of %zu test cases skipped\n", g_skipped.size(),
                    g_started.size());
        std::fflush(stdout);
    }
    if (rc == 0 && !g_started.empty() && g_skipped.size() == g_started.size()) return 77;
    return rc;
}
