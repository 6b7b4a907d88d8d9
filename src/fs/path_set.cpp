#include "fs/path_set.hpp"

#include "fs/path.hpp"

namespace sbx {

PathSet::PathSet(const std::vector<std::string>& paths) {
    for (const auto& p : paths) insert(p);
}

void PathSet::insert(std::string_view path) {
    if (path.empty() || path.front() != '/') return;
    paths_.insert(normalize_path(path));
}

bool PathSet::covers(std::string_view path) const {
    if (paths_.empty() || path.empty() || path.front() != '/') return false;
    // Lexically, like path_is_within(): "/a/../b" is not beneath "/a".
    const std::string normal = normalize_path(path);
    std::string_view at = normal;
    while (true) {
        if (paths_.find(at) != paths_.end()) return true;
        if (at == "/") return false;
        at = path_parent_view(at);
    }
}

}  // namespace sbx
