// The integrity check after a run (spec section 5, exit 120): did a protected symlink change?
//
// Pinned links cannot change under bwrap, and the Landlock backend withholds the rights to
// change them, so for those this is a safety net that should never fire. Links left unpinned
// (filesystem.symlinks = "follow") can be replaced by the sandbox: this is what notices it and
// puts the link back, so the harness does not read through a link the sandbox chose.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "plan/mount_plan.hpp"

namespace sbx {

struct LinkRecord {
    std::string path;      // absolute; its parent holds no symlink
    std::string text;      // what it pointed to before the run
    dev_t parent_dev = 0;  // identity of the directory holding it
    ino_t parent_ino = 0;
};

struct IntegrityReport {
    std::vector<std::string> changed;   // one line per protected link found changed
    std::vector<std::string> paths;     // the path each line of `changed` names, in order (the
                                        // status document's `path`: a path may hold spaces)
    std::vector<std::string> restored;  // one line per link put back
    [[nodiscard]] bool clean() const { return changed.empty(); }
    void add(std::string path, std::string line) {
        paths.push_back(std::move(path));
        changed.push_back(std::move(line));
    }
};

// Record the pinned and watched links of the plan as they are now (before the run).
[[nodiscard]] std::vector<LinkRecord> record_links(const MountPlan& plan);

// Compare with the host after the run; put back each changed link where that is safe: a link
// with other text is replaced atomically; anything else standing in its place is moved aside
// to "<name>.sbxrun-replaced.<pid>" (never deleted) and the link recreated.
[[nodiscard]] IntegrityReport check_and_restore(const std::vector<LinkRecord>& links);

// The names the plan kept from being created (OpKind::block_missing) that exist after the run:
// something outside the sandbox made them while it ran (an agent writing .claude/ when its user
// approves a prompt), and from then on the command could write in them (eighteenth outside
// review): under bwrap a mount cannot follow; under Landlock what is new there is refused
// where its directory holds other protected names, and may not be elsewhere (forty-first
// review), so it is said on both (`mounts`: bwrap, for the wording). Denied paths missing at the
// start (MountPlan::denied_missing) that exist after it are listed too: the command could read
// them. One line each, for the status document's `unchecked`.
[[nodiscard]] std::vector<std::string> appeared_during_run(const MountPlan& plan, bool mounts);

// The plan's hidden paths, and the read-only ones inside a writable root, that the host
// replaced or removed while the sandbox ran (the path now names another object, or none).
// Under bwrap (`mounts`) the kernel lets another mount namespace rename over or remove a mount
// point, and detaches the mounts on it in every namespace (an editor saving ~/.bashrc by
// rename, a tool rewriting a denied file): from then on the sandbox saw, and could write, what
// took its place (thirty-ninth review). Under Landlock a rule belongs to an inode: a file that
// was writable in the sandbox before the run keeps that right when the host renames it over a
// protected name, and a file the command opened before the host's atomic save keeps its
// descriptor (forty-first review). Nothing can keep the host from doing it; the run says it
// happened, one line each, for `unchecked`.
[[nodiscard]] std::vector<std::string> replaced_during_run(const MountPlan& plan, bool mounts);

}  // namespace sbx
