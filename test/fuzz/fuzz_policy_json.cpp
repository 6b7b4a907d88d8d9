// libFuzzer target: the policy loader and validator on JSON text (named *.json, so the JSON
// reader is chosen by extension).
#include "policy_fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sbx::fuzz::fuzz_one_policy(data, size, "fuzz.json");
    return 0;
}
