#include "fs/real_path.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "fs/path.hpp"

namespace sbx {

std::string existing_real_path(const std::string& path) {
    if (path.empty()) return {};
    char* r = ::realpath(path.c_str(), nullptr);
    if (r == nullptr) return {};
    std::string out(r);
    std::free(r);
    return out;
}

std::string resolved_path(const std::string& path) {
    std::string head = path, tail;
    for (;;) {
        if (char* r = ::realpath(head.c_str(), nullptr)) {
            std::string out(r);
            std::free(r);
            return tail.empty() ? out : path_join(out, tail);
        }
        const std::string parent = path_parent(head);
        if (parent == head) return path;
        const std::string name = head.substr(parent == "/" ? 1 : parent.size() + 1);
        tail = tail.empty() ? name : name + "/" + tail;
        head = parent;
    }
}

const std::string& ResolvedPathCache::resolve(const std::string& path) {
    if (auto it = real_.find(path); it != real_.end()) return it->second;
    std::string out;
    if (path.empty() || path.front() != '/' || normalize_path(path) != path || path == "/") {
        out = resolved_path(path);
    } else {
        // resolved_path(path) is realpath(path) when the path resolves, else the resolved
        // parent with the name appended: so the resolved parent, then the name, which only a
        // link makes different.
        const std::string parent = path_parent(path);
        const std::string name = path.substr(parent == "/" ? 1 : parent.size() + 1);
        std::string here = path_join(resolve(parent), name);
        char byte;
        if (::readlink(here.c_str(), &byte, 1) >= 0) {
            const std::string real = existing_real_path(here);  // "" for a dangling link
            if (!real.empty()) here = real;
        }
        out = std::move(here);
    }
    return real_.emplace(path, std::move(out)).first->second;
}

std::string environment_path(const std::string& absolute) {
    // The end of the last ".." component, if any.
    std::size_t end = std::string::npos;
    for (std::size_t i = 0; i + 1 < absolute.size(); ++i) {
        if (absolute[i] == '.' && absolute[i + 1] == '.' && (i == 0 || absolute[i - 1] == '/') &&
            (i + 2 == absolute.size() || absolute[i + 2] == '/'))
            end = i + 2;
    }
    if (end == std::string::npos) return normalize_path(absolute);
    char* real = ::realpath(absolute.substr(0, end).c_str(), nullptr);
    if (real == nullptr) return normalize_path(absolute);  // the kernel could not reach it either
    std::string out = std::string(real) + "/" + absolute.substr(end);  // the rest starts with '/'
    std::free(real);
    return normalize_path(out);
}

std::string resolved_through_links(const std::string& path) {
    std::string p = path;
    for (int hop = 0; hop < 8; ++hop) {
        std::error_code ec;
        const auto st = std::filesystem::symlink_status(p, ec);
        if (ec || !std::filesystem::is_symlink(st)) break;
        const std::filesystem::path text = std::filesystem::read_symlink(p, ec);
        if (ec) break;
        p = normalize_path(text.is_absolute() ? text.string()
                                              : path_join(path_parent(p), text.string()));
    }
    return resolved_path(p);
}

}  // namespace sbx
