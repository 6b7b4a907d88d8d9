#include "fs/glob_paths.hpp"

#include <glob.h>

#include <algorithm>

namespace sbx {

GlobMatches glob_paths(const std::string& pattern) {
    GlobMatches out;
    glob_t g{};
    if (::glob(pattern.c_str(), GLOB_NOSORT | GLOB_NOESCAPE, nullptr, &g) == 0) {
        out.truncated = g.gl_pathc > kMaxGlobMatches;
        for (std::size_t i = 0; i < g.gl_pathc && i < kMaxGlobMatches; ++i)
            out.paths.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
    // Sorted here rather than by glob(3): GLOB_NOSORT's order is readdir's, and the two ends
    // compare sets.
    std::sort(out.paths.begin(), out.paths.end());
    return out;
}

}  // namespace sbx
