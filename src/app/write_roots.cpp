#include "app/write_roots.hpp"

#include "fs/path.hpp"
#include "fs/real_path.hpp"

namespace sbx {

WriteRoots::WriteRoots(const std::vector<PathRule>& write) {
    for (const PathRule& w : write) {
        if (w.path.empty()) continue;
        spelled_.push_back(w.path);
        resolved_.push_back(real_.resolve(w.path));
    }
}

bool WriteRoots::cover(std::string_view path) const {
    for (const auto& w : spelled_)
        if (path_is_within(path, w)) return true;
    if (resolved_.empty()) return false;
    const std::string& real = real_.resolve(std::string(path));
    for (const auto& w : resolved_)
        if (path_is_within(real, w)) return true;
    return false;
}

}  // namespace sbx
