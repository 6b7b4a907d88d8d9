// libFuzzer target: sbxrun-inner's argv parser. The input is the argument list, NUL-separated
// (an argv string cannot hold a NUL). When it parses, to_args() of the result must parse back
// to the same spec and be a fixed point: to_args(parse(to_args(s))) == to_args(s). The input
// itself need not be canonical (option order, "007", defaults left out), so it is not compared.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "inner/inner_spec.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::vector<std::string>& args) {
    std::fprintf(stderr, "inner args fuzz invariant broken: %s\nargs:", what);
    for (const auto& a : args) std::fprintf(stderr, " [%s]", a.c_str());
    std::fprintf(stderr, "\n");
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args;
    std::string cur;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            args.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += static_cast<char>(data[i]);
        }
    }
    if (size > 0) args.push_back(std::move(cur));

    auto spec = sbx::parse_inner_args(args);
    if (!spec.ok()) {
        if (spec.error().kind != sbx::ErrorKind::usage) fail("an error that is not usage", args);
        return 0;
    }
    const auto canonical = sbx::to_args(*spec);
    auto again = sbx::parse_inner_args(canonical);
    if (!again.ok()) fail("to_args output does not parse", canonical);
    if (!(*again == *spec)) fail("to_args output parses to another spec", canonical);
    if (sbx::to_args(*again) != canonical) fail("to_args is not a fixed point", canonical);
    return 0;
}
