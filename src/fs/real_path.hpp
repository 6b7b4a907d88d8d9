// A path as the kernel would reach it, for comparing places that users spell differently
// (HOME through /home -> var/home, a writable root given through a link). Not for deciding
// what is mounted or protected: that is resolve.hpp's, on descriptors.
#pragma once

#include <string>

namespace sbx {

// `path` with the part of it that exists resolved (symbolic links followed, realpath(3)), the
// rest appended: where it is, or would be made.
[[nodiscard]] std::string resolved_path(const std::string& path);

// realpath(3) of an existing path; "" when it does not exist or cannot be resolved.
[[nodiscard]] std::string existing_real_path(const std::string& path);

// An absolute directory from the environment (HOME, TMPDIR, XDG_*), normalised as
// normalize_path() does, except that a ".." goes where the kernel takes it: to the parent of
// what a symbolic link before it leads to, not of the link's name (fourteenth review:
// XDG_CONFIG_HOME=/w/l/../cfg with l -> a/b is /w/a/cfg to git, not /w/cfg). Links after the
// last ".." are kept as spelled.
[[nodiscard]] std::string environment_path(const std::string& absolute);

}  // namespace sbx
