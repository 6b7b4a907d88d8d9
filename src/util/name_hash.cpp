#include "util/name_hash.hpp"

#include <cstdint>
#include <cstdio>

namespace sbx {

std::string name_hash(std::string_view s) {
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace sbx
