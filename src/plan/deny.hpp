// filesystem.deny: what exists is hidden (an empty directory or file over it); the symlinks
// crossed on the way and the denied paths that do not exist yet are judged once the writable
// places are known, because what they need depends on whether the sandbox could change them.
#pragma once

#include <string>
#include <vector>

#include "plan/draft.hpp"

namespace sbx::planning {

// A symlink crossed on the way to a denied path.
using DeniedLink = CrossedLink;

// A denied path with nothing on the host to hide.
struct MissingDenied {
    std::string path;  // as configured, expanded
    RuleRef rule;
    Resolved r;  // missing (or another run's placeholder), its deepest existing dir
};

struct DenyFindings {
    std::vector<DeniedLink> links;
    std::vector<MissingDenied> missing;
};

// Hide ops for the denied paths that exist (a relative name: inside every writable root);
// returns what must be judged against the roots later.
[[nodiscard]] Result<DenyFindings> add_denied(Draft& d, const std::vector<PathRule>& rules);

// Needs Draft::roots. A denied path or a writable root reached through a symlink in a
// writable place: the link is kept per filesystem.symlinks, like the links of protected
// paths. `what` names what it leads to ("denied", "writable root"). For a writable root the
// next run is the one at stake: retargeted, the link would make it write somewhere else (an
// outside review moved a ${tmpdir} given through a link in the workspace onto a victim).
[[nodiscard]] Status keep_crossed_links(Draft& d, const std::vector<CrossedLink>& links,
                                        const std::string& what);

// Needs Draft::workspace_real. A denied path that is the workspace, or "/": the command would
// start in a place it cannot see, on every backend (thirty-seventh review: bwrap exited 121,
// "chdir: Permission denied", as if the host lacked something). The policy's to fix (125). A
// denied directory that merely holds the workspace is not refused: Landlock runs that plan, and
// bwrap says it cannot (backend/bwrap_compile.cpp).
[[nodiscard]] Status refuse_hidden_workspace(const Draft& d);

// Needs Draft::roots. A missing denied path is blocked where its parent is writable.
[[nodiscard]] Status block_missing_denied(Draft& d, std::vector<MissingDenied>& missing);

}  // namespace sbx::planning
