// The after-run git check's search (git_integrity.hpp says what it looks for and how far):
// breadth first from each work tree, the same places before the run (recording the git
// directories it finds) and after it (judging them: git_judge.hpp). Internal to run/.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "run/git_integrity.hpp"

namespace sbx {

// One directory's entries, as the search needs them.
struct Listing {
    std::vector<std::string> dirs;   // subdirectories (no symlinks), sorted
    std::vector<std::string> links;  // symlinks
    bool head = false, objects = false, refs = false, commondir = false, config = false;
    bool gitfile = false;  // a regular file named .git (a worktree's or a submodule's)
};

// The entries of the directory open on `fd` (O_RDONLY | O_DIRECTORY), through getdents64: no
// DIR stream, so one open, the reads and one close per directory. False when it cannot be read.
[[nodiscard]] bool list_dir(int fd, Listing& out);

// Before the run (`report` null): every git directory found goes to `known`, every directory
// visited to `visited_before`. After it (`known` and `visited_before` null): each is judged
// into `report`, with the notes of a search cut short.
void search_git_dirs(const GitWatch& watch, std::vector<KnownGitDir>* known,
                     std::set<std::pair<dev_t, ino_t>>* visited_before, GitIntegrityReport* report);

}  // namespace sbx
