#include "inner/mount_table.hpp"

#include <algorithm>

namespace sbx {

WritableBelow writable_below(std::string_view dir, const std::vector<MountPoint>& mounts) {
    WritableBelow out;
    std::size_t nearest = 0;  // length of the nearest mount point at or above dir
    bool found = false;
    for (const MountPoint& m : mounts) {
        if (path_at_or_below(dir, m.path)) {
            if (!found || m.path.size() > nearest) {
                nearest = m.path.size();
                out.writable = m.writable;
                found = true;
            } else if (m.path.size() == nearest) {
                out.writable = out.writable || m.writable;
            }
        } else if (m.writable && path_at_or_below(m.path, dir)) {
            std::string_view rest(m.path);
            rest.remove_prefix(dir == "/" ? 1 : dir.size() + 1);
            out.toward.emplace_back(rest.substr(0, rest.find('/')));
        }
    }
    // Without a mount above it (outside this root's view): nothing known, so writable.
    if (!found) out.writable = true;
    std::sort(out.toward.begin(), out.toward.end());
    out.toward.erase(std::unique(out.toward.begin(), out.toward.end()), out.toward.end());
    return out;
}

}  // namespace sbx
