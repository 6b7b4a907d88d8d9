// The file system half of the denial report (issue 15): what the brokers saw refused, named by
// the plan's rules, for the status document and for one last line on stderr.
#pragma once

#include <string>
#include <vector>

#include "plan/mount_plan.hpp"
#include "run/outcome.hpp"
#include "run/spawn.hpp"

namespace sbx {

// Fill o.fs_denials and o.fs_dropped from what the backend's broker saw (e.refusals), each
// with its cause under `plan` (plan/refusal.hpp).
void add_fs_denials(Outcome& o, const SandboxExit& e, const MountPlan& plan);

// The command sbxrun was asked to run could not be executed (126, 127) because a
// filesystem.deny rule hides it: one "exec" entry for it, in place of the "read" the bwrap
// backend's deny watcher saw for its lookup (so it is listed once, alike on both backends;
// under Landlock nothing else sees it). Only for a `command` named with a slash (resolved
// against `cwd`, the command's working directory): a bare name was looked up in PATH, and which
// of its directories held it is not known here.
void add_exec_denial(Outcome& o, const SandboxExit& e, const MountPlan& plan,
                     const std::string& command, const std::string& cwd);

// The line sbxrun says after a run whose command was refused changes (empty when none):
//   refused 12 writes under ~/.cache/pip (outside every writable root)
// naming the directory with the most refusals ($HOME shown as ~), how many more were refused
// elsewhere, and where the whole list is (`status_doc`: a status document was asked for).
// Paths are as they are, bytes the command chose included: whoever prints the line escapes it,
// once (util/printable.hpp; escaping here too showed a backslash as \x5cx5cx5c).
[[nodiscard]] std::string fs_denial_summary(const Outcome& o, const std::string& home,
                                            bool status_doc);

// A refusal a wider filesystem.write could have allowed: a write outside every writable root
// (not one to a protected or denied path). Only these make a suggestion.
[[nodiscard]] bool write_root_would_allow(const Outcome::FsDenial& d);

// The directories that would have allowed the refusals outside every writable root, for the
// suggestion_policy (run/suggestion.hpp), as a policy writes them ("~/.cache/pip"). Only a
// tool's own directory below `real_home` ($HOME resolved, as the refused paths are):
// ~/.cache/<tool>,
// ~/.config/<tool>, ~/.local/share/<app>, ~/.local/state/<app>, or a dot-directory of $HOME
// itself (~/.npm). Never $HOME, ~/.cache, ~/.config or ~/.local themselves, never a visible
// directory of $HOME (~/projects), never anything outside $HOME, never a directory that does not
// exist (filesystem.write ignores those, and its parent would be wider). Never one that is,
// holds or lies inside a path of `keep_out` (the plan's protected paths, the home names of the
// policy's sets, the package tools' own caches), nor for a refused path inside one of them.
[[nodiscard]] std::vector<std::string> suggested_write_dirs(
    const Outcome& o, const std::string& real_home, const std::vector<std::string>& keep_out);

}  // namespace sbx
