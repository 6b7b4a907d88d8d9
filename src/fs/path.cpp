#include "fs/path.hpp"

namespace sbx {

std::string normalize_path(std::string_view path) {
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

std::size_t path_depth(std::string_view path) { return path_components(path).size(); }

bool path_is_within(std::string_view path, std::string_view ancestor) {
    if (ancestor == "/") return !path.empty() && path[0] == '/';
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
    std::string n = normalize_path(path);
    auto pos = n.rfind('/');
    if (pos == 0 || pos == std::string::npos) return "/";
    return n.substr(0, pos);
}

}  // namespace sbx
