// A path as the kernel would reach it, for comparing places that users spell differently
// (HOME through /home -> var/home, a writable root given through a link). Not for deciding
// what is mounted or protected: that is resolve.hpp's, on descriptors.
#pragma once

#include <string>
#include <unordered_map>

namespace sbx {

// `path` with the part of it that exists resolved (symbolic links followed, realpath(3)), the
// rest appended: where it is, or would be made.
[[nodiscard]] std::string resolved_path(const std::string& path);

// resolved_path() for callers that ask about many paths sharing their directories (sbxrun's
// own files, the caches: dozens below HOME). realpath(3) reads every component's link again for
// each path, and a missing path's walk up repeats it once per missing component; here each
// directory is resolved once and a path costs one readlink(2) of its last component. Same
// answers as resolved_path() (a path that is not absolute and normal is handed to it).
class ResolvedPathCache {
public:
    [[nodiscard]] const std::string& resolve(const std::string& path);

private:
    std::unordered_map<std::string, std::string> real_;
};

// resolved_path(), also through a final symbolic link that leads nowhere yet (x -> .envrc,
// .envrc missing: where a create through x would make the file), a few hops at most.
[[nodiscard]] std::string resolved_through_links(const std::string& path);

// realpath(3) of an existing path; "" when it does not exist or cannot be resolved.
[[nodiscard]] std::string existing_real_path(const std::string& path);

// An absolute directory from the environment (HOME, TMPDIR, XDG_*), normalised as
// normalize_path() does, except that a ".." goes where the kernel takes it: to the parent of
// what a symbolic link before it leads to, not of the link's name (fourteenth review:
// XDG_CONFIG_HOME=/w/l/../cfg with l -> a/b is /w/a/cfg to git, not /w/cfg). Links after the
// last ".." are kept as spelled.
[[nodiscard]] std::string environment_path(const std::string& absolute);

}  // namespace sbx
