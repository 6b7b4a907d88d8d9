// The check around a run (spec section 5, exit 120): did the command plant a git directory
// the host's git would use?
//
// A command can build a git directory anywhere it may write (HEAD, objects/, refs/ and a config
// with core.fsmonitor = <command>): the host's next git run there, from a shell prompt or an
// editor, runs it (the bare-repository trick), and a nested repository staged as a gitlink is
// entered by the host's `git status` at the top. The plan keeps what is inside the git
// directories it knows; this looks everywhere else in the work trees, and at the two entries of
// the git directories the plan could not block under bwrap.
//
// What counts: a directory git would take for a git directory (HEAD, and objects/ + refs/ or a
// commondir) or for a common directory (objects/, refs/ and a config) outside the plan's git
// directories that is new to its place (the same search before the run did not find that
// directory, by path and identity, there: made, or moved in from deeper than the search goes,
// whatever its files' times: sixth outside review), or whose HEAD, config, config.worktree,
// commondir or hooks/ changed (ctime) since the run started. Every .git file or link in the
// search is followed to the directory it names, wherever it is. In protect mode only what
// would make git run code is reported (GitWatch::only_dangerous). And in each of the plan's git
// directories, a worktree (worktrees/*, which `git worktree add` must be able to make) whose
// commondir does not lead back to that git directory.
//
// How far it looks: breadth first from each work tree, never following a symlink older than the
// run nor entering another filesystem or a git directory, at most max_dirs directories and
// max_depth levels (shallow places first; a search cut short is named in `notes`). Roughly one
// getdents per directory, before the run and after it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fs/path_set.hpp"
#include "plan/mount_plan.hpp"
#include "run/git_danger.hpp"
#include "run/integrity.hpp"

namespace sbx {

// What one of a git directory's code entries (or hooks/<name>) leads to: the file git would
// read or run, links followed. A link can be made to lead elsewhere without a new time on
// the file it then leads to (a directory on the way renamed over another, in a later run:
// ninth outside review), so "changed" is also "now another file".
struct EntryIdentity {
    std::string name;  // "config", "hooks", "hooks/pre-commit", ...
    bool present = false;
    dev_t dev = 0;
    ino_t ino = 0;
    // Change times (ns) of what it leads to and of the entry itself (a link): any change to
    // it, its content or its mode moves them. Compared with what they were before the run,
    // they tell the host's change in the tick before the run from the command's, which a
    // comparison with the run's start time cannot (the clock ticks every few ms).
    std::int64_t ctime_ns = 0;
    std::int64_t lctime_ns = 0;
    bool operator==(const EntryIdentity&) const = default;
};

// A git directory the search found before the run: where, which, and what its code entries
// led to then.
// A path in a work tree that git runs code from (a relative core.hooksPath, a command's
// program: GitWatch::host_worktree_code and the repository's own config), with the identity of
// each entry on the way to it (lstat: a link is itself), recorded before the run: what moved
// there since is the run's even when its files are older than the run.
struct WorktreeCodePath {
    std::string path;
    std::vector<std::pair<dev_t, ino_t>> entries;  // as far as they exist
};

struct KnownGitDir {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    std::vector<EntryIdentity> entries;
    // The entries of its config and config.worktree that git init and clone do not write, as
    // written then: the host's own, not counted against a run that changes the file.
    std::vector<std::string> config_entries;
    std::vector<std::string> config_worktree_entries;
    std::vector<WorktreeCodePath> worktree_code;
};

struct GitWatch {
    std::vector<std::string> worktrees;          // searched
    std::vector<std::string> lone_dirs;          // checked themselves, not entered
    PathSet read_only;                           // not searched: the sandbox could not write
                                                 // there, a change is the host's own git
    std::vector<std::string> git_dirs;           // the plan's: not searched
    std::vector<std::string> writable;           // the plan's writable roots: an old link
                                                 // that leads into one is followed
    std::vector<std::string> must_stay_missing;  // e.g. <gitdir>/commondir under bwrap
    // What the host's git configuration names relative to every work tree (a core.hooksPath,
    // a command's program: MountPlan::host_worktree_code): judged in each git directory found.
    std::vector<std::string> host_worktree_code;
    std::string home;  // MountPlan::home_dir: a remote's "~/" URL
    // MountPlan::command_missing and command_patterns: judged after the run.
    std::vector<MountPlan::NamedByCommand> command_missing, command_patterns;
    // The same names from the plan's protected configs (MountPlan::protected_worktree_code):
    // judged in the linked worktrees of the plan's git directories.
    std::vector<std::string> protected_worktree_code;
    std::vector<std::string> linked_worktrees;  // MountPlan::linked_worktrees: the plan's
    TemplateHooks template_hooks;  // of MountPlan::git_template_dirs, read before the run
    // Their configs' unusual entries, as written (HostsOwn::template_config).
    std::vector<std::string> template_config;
    std::vector<KnownGitDir> known;              // found by the same search before the run
    // Every directory that search visited, by identity: after the run, a directory neither
    // visited before nor older than the run is new, and new ones have a bound of their own.
    std::set<std::pair<dev_t, ino_t>> visited_before;
    timespec start{};                            // the run's start (CLOCK_REALTIME_COARSE)
    std::size_t max_dirs = 20000;
    int max_depth = 12;
    // Protect mode: a git directory new to its place is reported only when what it holds would
    // make git run code (a repository made by `git init` is everyday work there). In both modes
    // the dependency trees (node_modules, .venv, ...) are judged but not entered.
    bool only_dangerous = false;
};

// What to watch for the plan, with the time now. `bwrap`: the block_missing ops left to this
// check under bwrap are watched. In protect mode (the plan names no work tree to search) a
// git directory can still be planted without the name .git (HEAD, objects/, refs/ and a
// config in any writable directory: found by the fourth outside review), so the workspace is
// searched two levels deep (at most 512 directories, about a millisecond) and each directory
// above it inside a writable root is checked: where the host's git in the workspace looks.
[[nodiscard]] GitWatch git_watch(const MountPlan& plan, bool bwrap,
                                 const std::string& workspace = {});

// Search after the run. `changed` lines start with the path they name; what appeared in place
// of a must-stay-missing entry is moved aside to "<name>.sbxrun-planted.<pid>" (`restored`).
struct GitIntegrityReport : IntegrityReport {
    std::vector<std::string> notes;  // the search was cut short (bounded)
};
[[nodiscard]] GitIntegrityReport check_git(const GitWatch& watch);

}  // namespace sbx
