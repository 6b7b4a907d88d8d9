// The other places of the mount table where a file or directory can be reached: another mount
// of its filesystem that shows it, or shows a part of it (`mount --bind ~/.ssh /srv/keys`, the
// root filesystem mounted again at /sysroot or /mnt). Hiding one path leaves those open
// (thirty-ninth outside review: a denied directory read through a bind mount of it).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/mountinfo.hpp"

namespace sbx {

struct MountAlias {
    std::string path;     // canonical, as the mount table shows it
    bool inside = false;  // the mount there shows a part of the object, not the object itself
};

// For `real` (canonical, an object of the filesystem `dev`): the places of `mounts` (in mount
// order, as parse_mountinfo gives them) other than `real` itself, and not below it, that show it
// or a part of it. Only a mount of the same device (mountinfo's major:minor) is compared; where
// the mount `real` is reached through has another (a btrfs subvolume), nothing is found.
// A place below another one found is left out (hidden with it). These are candidates: the
// caller checks that each still shows the same object.
[[nodiscard]] std::vector<MountAlias> mount_aliases(const std::string& real, dev_t dev,
                                                    const std::vector<MountPoint>& mounts);

}  // namespace sbx
