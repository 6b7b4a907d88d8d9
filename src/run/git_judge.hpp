// How the after-run git check judges one git directory its search found (run/git_search):
// what the run made, moved there or changed in it that the host's git would run, against
// what the search recorded there before the run. Internal to run/: git_integrity.hpp is the
// check's interface.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "run/git_integrity.hpp"

namespace sbx {

// What each code entry of the git directory on `fd` (HEAD, config, config.worktree,
// commondir, hooks), and each file in its hooks/, leads to now (stat(), links followed: what
// git would read or run). Sorted by name. Recorded before the run (KnownGitDir::entries).
[[nodiscard]] std::vector<EntryIdentity> entry_identities(int fd);

// Whether `rel` below `base` changed since `start`: any entry on the way (a link or a directory
// the run made or moved there), what it leads to, and inside it when it is a directory (three
// levels, as hooks' helpers lie: git_danger.hpp).
[[nodiscard]] bool named_path_changed(const std::string& base, std::string_view rel,
                                      const timespec& start);

// Whether the entries `a` and `b` hold the same (not followed): a file byte for byte, a
// directory the same names with the same content, three levels down, 1024 entries at most.
// A worktree's checkout of the project's committed hooks is the project's, as in the main work
// tree (review 51: `git worktree add` in commit mode ended 120).
[[nodiscard]] bool same_content(const std::string& a, const std::string& b);

// A git directory the search found after the run, and how it came to it.
struct FoundGitDir {
    std::string path;
    bool named_anew = false;  // through a .git file or link the run wrote: judged whole
    std::string pointer_dir;  // the directory of the .git file or link it was reached by
};

// The work-tree code paths of the git directory on `fd` (a relative hooks path or program of
// the host's configuration or its own, in each of its work trees) and the identities on the
// way to each: recorded before the run (KnownGitDir::worktree_code).
[[nodiscard]] std::vector<WorktreeCodePath> record_worktree_code(const GitWatch& watch,
                                                                 const FoundGitDir& dir, int fd);

// Reports on `report` why the git directory open on `fd` (whose fstat is `st`) would make the
// host's git run code the run chose: made or moved there by the run, a code entry or hook the
// run changed, a rebase it left stopped, what the host's own config names changed (in protect
// mode, GitWatch::only_dangerous, only when what it holds would run code). Nothing when it is
// the host's own, untouched.
void judge_git_dir(const GitWatch& watch, const FoundGitDir& dir, int fd, const struct stat& st,
                   GitIntegrityReport& report);

}  // namespace sbx
