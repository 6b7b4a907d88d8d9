// The gitlinks of a git directory's index, for the after-run git check: the paths where git
// keeps a submodule's commit, and where the host's `git status` enters a repository of its own,
// at any depth (forty-sixth review: a clean nested repository whose index the run gave a
// gitlink to a repository three levels down, deeper than the check searches, made `git status`
// there run that repository's fsmonitor). Read from the files, never by running git: git
// would read the config the run may have planted. The index format is plan/gitdir.hpp's.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sbx {

// The gitlinks of the index of the git directory `gitdir_fd`, with those of its shared index
// when it is split (core.splitIndex; forty-seventh review), at most `max_gitlinks`. An empty
// list when it has no index; nullopt when it (or its shared index) is no regular file (a link
// is not followed), cannot be read, is larger than `max_bytes` or does not parse.
[[nodiscard]] std::optional<std::vector<std::string>> gitdir_gitlinks(int gitdir_fd,
                                                                      std::size_t max_bytes,
                                                                      std::size_t max_gitlinks);

}  // namespace sbx
