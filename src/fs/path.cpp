#include "fs/path.hpp"

#include <algorithm>

namespace sbx {

namespace {

// True when `path` is absolute and has no "", "." or ".." component and no trailing "/": what
// normalize_path() returns, checked without allocating.
bool is_normal(std::string_view path) {
    if (path.empty() || path[0] != '/') return false;
    if (path.size() == 1) return true;
    std::size_t i = 1;
    while (true) {
        const std::size_t j = std::min(path.find('/', i), path.size());
        const std::string_view part = path.substr(i, j - i);
        if (part.empty() || part == "." || part == "..") return false;
        if (j == path.size()) return true;
        i = j + 1;
    }
}

}  // namespace

std::string normalize_path(std::string_view path) {
    // The plan's hot case (path_join of a normal directory and a plain name): already normal,
    // so copied as it is, without splitting it into a vector of parts (15% of a run's
    // instructions went here).
    if (is_normal(path)) return std::string(path);
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = i;
        while (j < path.size() && path[j] != '/') ++j;
        std::string_view part = path.substr(i, j - i);
        if (part.empty() || part == ".") {
            // nothing
        } else if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else {
            parts.push_back(part);
        }
        i = j;
    }
    std::string out;
    for (auto p : parts) {
        out += '/';
        out += p;
    }
    return out.empty() ? std::string("/") : out;
}

std::vector<std::string> path_components(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = i;
        while (j < path.size() && path[j] != '/') ++j;
        if (j > i) out.emplace_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

bool path_is_within(std::string_view path, std::string_view ancestor) {
    // This decides what is writable or protected: a caller's "/a/" or "/a/../b" must get the
    // lexical truth, not a prefix match ("/a/../b" is not under "/a"). Normal paths, the
    // plan's hot case, are compared as they are.
    if (!is_normal(path) || !is_normal(ancestor)) {
        if (path.empty() || path[0] != '/' || ancestor.empty() || ancestor[0] != '/') return false;
        return path_is_within(normalize_path(path), normalize_path(ancestor));
    }
    if (ancestor == "/") return true;
    if (path.size() < ancestor.size()) return false;
    if (path.compare(0, ancestor.size(), ancestor) != 0) return false;
    return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

std::string path_join(std::string_view dir, std::string_view rel) {
    if (!rel.empty() && rel[0] == '/') return normalize_path(rel);
    std::string s(dir);
    s += '/';
    s += rel;
    return normalize_path(s);
}

std::string path_parent(std::string_view path) {
    return std::string(path_parent_view(normalize_path(path)));
}

std::string_view path_parent_view(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string_view::npos ? std::string_view("/")
                                                         : path.substr(0, slash);
}

std::string path_base_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace sbx
