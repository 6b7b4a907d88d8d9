// A private devpts instance for the sandbox (bwrap's --dev would do it, but --dev moves the
// command into a second user namespace that no longer owns the mount namespace, which makes
// pinning impossible; so /dev is a tmpfs built by bwrap and devpts is mounted here).
#pragma once

#include "util/result.hpp"

namespace sbx {

// Mount devpts (newinstance, ptmxmode=0666, mode=0620) on /dev/pts, then make /dev/ptmx reach
// pts/ptmx: left alone when it already is that symlink, created as that symlink when missing,
// otherwise /dev/pts/ptmx is bind-mounted onto it.
[[nodiscard]] Status mount_private_devpts();

}  // namespace sbx
