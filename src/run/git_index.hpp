// The gitlinks of a git index: the paths where git keeps a submodule's commit, and where the
// host's `git status` enters a repository of its own, at any depth (forty-sixth review: a
// clean nested repository whose index the run gave a gitlink to a repository three levels
// down, deeper than the git check searches, made `git status` there run that repository's
// fsmonitor). Read from the file, never by running git: git would read the config the run
// may have planted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx {

// The paths of the entries of mode 160000 in an index file's bytes (format versions 2, 3 and
// 4; `hash_size` 20 for SHA-1 repositories, 32 for SHA-256), in index order, and the file name
// of the shared index a split index names ("sharedindex.<hex>", or ""). nullopt when the bytes
// are no index git would read (no "DIRC", another version, cut short).
struct IndexGitlinks {
    std::vector<std::string> paths;
    std::string shared_index;
};
[[nodiscard]] std::optional<IndexGitlinks> index_gitlinks(std::string_view data,
                                                          std::size_t hash_size);

// The same for the index of the git directory `gitdir_fd` (its config says the hash), with
// those of its shared index when it is split. An empty list when it has no index; nullopt when
// it (or its shared index) cannot be read, is larger than `max_bytes` or is no index.
[[nodiscard]] std::optional<std::vector<std::string>> gitdir_gitlinks(int gitdir_fd,
                                                                      std::size_t max_bytes);

}  // namespace sbx
