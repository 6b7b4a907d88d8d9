#include "fs/mount_aliases.hpp"

#include <algorithm>

namespace sbx {
namespace {

// `path` (at or below `top`) with `top` replaced by `with`.
std::string rebase(const std::string& path, const std::string& top, const std::string& with) {
    const std::string rest = top == "/" ? path : path.substr(top.size());
    if (rest.empty() || rest == "/") return with;
    return with == "/" ? rest : with + rest;
}

}  // namespace

std::vector<MountAlias> mount_aliases(const std::string& real, dev_t dev,
                                      const std::vector<MountPoint>& mounts) {
    // The mount `real` is reached through: the deepest at or above it, the last mounted of
    // those stacked at one point (it covers the others).
    const MountPoint* through = nullptr;
    for (const MountPoint& m : mounts) {
        if (!path_at_or_below(real, m.path)) continue;
        if (through == nullptr || m.path.size() >= through->path.size()) through = &m;
    }
    if (through == nullptr || through->dev != dev) return {};
    // Where `real` lies within its filesystem.
    const std::string in_fs = rebase(real, through->path, through->root);
    std::vector<MountAlias> out;
    for (const MountPoint& m : mounts) {
        if (&m == through || m.dev != dev || path_at_or_below(m.path, real)) continue;
        MountAlias a;
        if (path_at_or_below(m.root, in_fs)) {
            a.path = m.path;  // the whole mount lies inside
            a.inside = m.root != in_fs;
        } else if (path_at_or_below(in_fs, m.root)) {
            a.path = rebase(in_fs, m.root, m.path);  // the mount shows it, further down
        } else {
            continue;
        }
        if (a.path == real) continue;
        const bool seen = std::any_of(out.begin(), out.end(),
                                      [&](const MountAlias& o) { return o.path == a.path; });
        if (!seen) out.push_back(std::move(a));
    }
    // A place below another one is hidden with it.
    std::vector<MountAlias> outer;
    for (const MountAlias& a : out) {
        const bool below = std::any_of(out.begin(), out.end(), [&](const MountAlias& o) {
            return o.path != a.path && path_at_or_below(a.path, o.path);
        });
        if (!below) outer.push_back(a);
    }
    return outer;
}

}  // namespace sbx
