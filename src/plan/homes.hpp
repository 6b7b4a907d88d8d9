// HOME and the account's passwd home, kept where they are: login shells, sshd, git and the
// other tools read their start-up files there, whatever the sandbox's own protections say.
#pragma once

#include "plan/draft.hpp"

namespace sbx::planning {

// A link on the way to either home that lives in a writable place is kept per
// filesystem.symlinks, as a protected path's links are; a home that does not exist is blocked
// where the sandbox could create it, per filesystem.missing_protected. Homes the plan cannot
// resolve (a directory above them that may not be searched) are left: the command cannot reach
// them either. The links before each ".." of their spellings are kept too, the directories a
// ".." climbs out of anchored, and a missing component before a ".." blocked; the same for
// PlanOptions::env_dirs (XDG_CONFIG_HOME, XDG_CACHE_HOME), without blocking the directory
// itself when it is missing (the names inside are protected on their own).
[[nodiscard]] Status keep_homes(Draft& d);

}  // namespace sbx::planning
