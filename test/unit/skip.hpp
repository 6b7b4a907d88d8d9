// A test case that cannot run on this host (no bwrap, no Landlock, no openat2, not root) must
// say so and be counted as skipped, not as passed; under SBXRUN_MUST_WORK=1 (CI) it fails.
// Catch2 2.13 has no runtime skip, so skip() records the current case (see catch_main.cpp,
// which prints "sbxrun-unit: K of N test cases skipped" for test/run to count, and exits 77
// when every case of the binary skipped). Call it, then return from the test case:
//     if (!bwrap_usable()) return sbx::test::skip("bwrap cannot start here");
#pragma once

#include <string>

namespace sbx::test {

// FAILs the current case under SBXRUN_MUST_WORK=1; otherwise a WARN and one skipped case.
void skip(const std::string& why);

}  // namespace sbx::test
