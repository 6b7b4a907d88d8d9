// A set of absolute paths that answers "is this path one of them, or beneath one?" in
// O(depth · log n) instead of a scan of the list.
//
// The after-run checks ask that question once per directory they visit (up to thousands),
// against every protected entry of the plan (a policy may hold thousands): with a list, 10,000
// protected entries made the git search alone take seconds.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sbx {

class PathSet {
public:
    PathSet() = default;
    explicit PathSet(const std::vector<std::string>& paths);

    // Relative paths are ignored: they are within nothing (as with path_is_within()).
    void insert(std::string_view path);

    // True when `path` is a member or lies beneath one, lexically, as path_is_within() would
    // say for some member.
    [[nodiscard]] bool covers(std::string_view path) const;

    [[nodiscard]] bool empty() const { return paths_.empty(); }
    [[nodiscard]] std::size_t size() const { return paths_.size(); }

private:
    std::set<std::string, std::less<>> paths_;  // normalised
};

}  // namespace sbx
