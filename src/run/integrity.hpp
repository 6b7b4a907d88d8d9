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

// What the host changed while the sandbox ran, at the places the plan protects or hides, one
// line each for the status document's `unchecked` (`mounts`: bwrap, for the wording):
// - names the plan kept from being made (OpKind::block_missing) that exist now: something
//   outside made them (an agent writing .claude/ after its user approves a prompt), and the
//   command could write in them from then on (eighteenth outside review) - under bwrap a mount
//   cannot follow; under Landlock what is new there is refused where its directory holds other
//   protected names, and may not be elsewhere (forty-first review);
// - denied paths missing at the start (MountPlan::denied_missing) that exist now: readable;
// - hidden paths, and read-only ones inside a writable root, that now name another object or
//   none. Under bwrap the kernel lets another mount namespace rename over or remove a mount
//   point and detaches the mounts on it in every namespace (an editor saving ~/.bashrc by
//   rename: thirty-ninth review); under Landlock a rule belongs to an inode, so a file writable
//   before the run keeps that right when the host renames it over a protected name, and a
//   descriptor the command opened on the host's temporary file survives its atomic save
//   (forty-first review).
// Nothing can keep the host from doing these; the run says that they happened.
[[nodiscard]] std::vector<std::string> host_changes_during_run(const MountPlan& plan, bool mounts);

}  // namespace sbx
