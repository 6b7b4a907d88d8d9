// How the after-run git check judges one git directory its search found (run/git_search):
// what the run made, moved there or changed in it that the host's git would run, against
// what the search recorded there before the run. Internal to run/: git_integrity.hpp is the
// check's interface.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "run/git_integrity.hpp"

namespace sbx {

// What each code entry of the git directory on `fd` (HEAD, config, config.worktree,
// commondir, hooks), and each file in its hooks/, leads to now (stat(), links followed: what
// git would read or run). Sorted by name. Recorded before the run (KnownGitDir::entries).
[[nodiscard]] std::vector<EntryIdentity> entry_identities(int fd);

// A git directory the search found after the run, and how it came to it.
struct FoundGitDir {
    std::string path;
    bool named_anew = false;  // through a .git file or link the run wrote: judged whole
};

// Reports on `report` why the git directory open on `fd` (whose fstat is `st`) would make the
// host's git run code the run chose: made or moved there by the run, a code entry or hook the
// run changed, a rebase it left stopped, what the host's own config names changed (in protect
// mode, GitWatch::only_dangerous, only when what it holds would run code). Nothing when it is
// the host's own, untouched.
void judge_git_dir(const GitWatch& watch, const FoundGitDir& dir, int fd, const struct stat& st,
                   GitIntegrityReport& report);

}  // namespace sbx
