// The mount plan: what the sandbox will look like, as data.
//
// make_plan() turns a Policy into a MountPlan against the real filesystem: every path resolved
// once to a checked descriptor (O_PATH, or a read-only directory descriptor where the plan
// also scans the directory: fs/resolve.hpp, ResolveOptions::readable_dir), every operation
// tagged with the policy rule that caused it. Backends only *compile* a plan (bwrap argv, Landlock ruleset); they never look at the
// policy or at path strings on the host again.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// A rule of the policy as the plan names it: written once per rule, shared by every record it
// makes (a rule can make dozens: ops, pins, decisions, the Landlock constraints), so that 10,000
// rules do not carry 50,000 copies of their text (issue 16).
struct RuleSource {
    std::string list;  // "filesystem.read", "filesystem.protect", ... or "sbxrun" (built in)
    std::string text;  // the rule as written, e.g. ".codex"
    Origin origin;     // where it was written
};

// Why an operation exists: the policy rule and, in words, the decision taken for it.
class RuleRef {
public:
    RuleRef() = default;
    RuleRef(std::string list, std::string text, Origin origin, std::string why = {});

    [[nodiscard]] const std::string& list() const { return source().list; }
    [[nodiscard]] const std::string& text() const { return source().text; }
    [[nodiscard]] const Origin& origin() const { return source().origin; }
    // e.g. "target of protected symlink /w/.codex". A copy shares the rule's text and may
    // change this.
    std::string why;

private:
    [[nodiscard]] const RuleSource& source() const;
    std::shared_ptr<const RuleSource> source_;  // null: no rule (a default-made record)
};

enum class OpKind {
    bind_ro,        // the checked source mounted read-only at dest (dest == source's real path)
    bind_rw,        // the checked source mounted writable at dest
    hide_dir,       // an empty, inaccessible directory at dest (deny of a directory)
    hide_file,      // an empty, unreadable file at dest (deny of anything else)
    tmpfs,          // a fresh empty writable tmpfs at dest
    block_missing,  // dest does not exist and must not be created inside the sandbox
    anchor,         // an existing directory between a writable root and a protected path,
                    // bound writable onto itself: a mount point cannot be renamed or removed,
                    // so the sandbox cannot move it away and build a fake tree in its place
                    // for a protected symlink (or a protected path's parent) to lead into
};

[[nodiscard]] const char* to_string(OpKind k);

struct MountOp {
    OpKind kind = OpKind::bind_ro;
    std::string dest;    // canonical absolute path; no component of it is a symlink on the host
    int fd = -1;         // index into MountPlan::fds: the checked source (bind_*), the existing
                         // parent directory (block_missing), or -1
    dev_t dev = 0;       // identity of what was checked (for the post-setup verification)
    ino_t ino = 0;
    bool is_dir = true;  // the source (or, for block_missing, the thing to stand in) is a dir
    // block_missing only: a name bwrap cannot block, because its placeholder (an empty file)
    // would break what reads it (an empty `commondir` stops every git command): bwrap leaves
    // it creatable, and the check after the run reports one that appeared and moves it aside
    // (run/git_integrity.hpp). Landlock blocks it as any other.
    bool after_run_under_bwrap = false;
    // hide_* only: another place the host's mount table shows a denied object at
    // (plan/deny.cpp). The same inodes are then reached by two paths, which the Landlock
    // compile must know (landlock_compile.cpp, note_hole_directories).
    bool mount_alias = false;
    RuleRef rule;
};

// A symlink that the sandboxed process must not be able to remove, rename or replace.
struct Pin {
    std::string link;       // absolute path of the symlink (its parent has no symlinks)
    std::string link_text;  // what it points to, as readlink says
    std::string target;     // canonical path it resolves to (may not exist)
    RuleRef rule;
};

// What was decided for a protected path (or a missing denied one). Code compares these; the
// words are to_string()'s alone, for --explain's text and JSON.
enum class Decision {
    read_only,                        // it exists and is read-only in the sandbox
    missing,                          // missing, and the sandbox cannot create it anyway
    pinned,                           // the writable symlinks on the way are pinned
    target_protected,                 // only the target is protected (symlinks = "follow")
    blocked,                          // missing: its first missing name cannot be created
    pinned_target_blocked,            // pinned, and the missing target blocked
    target_protected_target_blocked,  // symlinks = "follow", and the missing target blocked
    missing_ignored,                  // missing, and missing_protected = "ignore"
    missing_unread,  // missing in a root where no host program looks for it (MissingScope)
    git_commit,      // a git directory writable for commits (filesystem.git =
                     // "commit"); what makes git run code is protected inside
    hidden,          // denied, or inside a denied directory: hidden with it
};

[[nodiscard]] const char* to_string(Decision d);

// A protected path and the decision taken for it (what --explain shows).
struct ProtectDecision {
    std::string path;                // as configured, expanded
    std::vector<std::string> chain;  // "link -> text" for every symlink crossed
    Decision decision = Decision::read_only;
    std::string detail;
    RuleRef rule;
};

struct MountPlan {
    std::vector<MountOp> ops;     // application order: by depth of dest, parents first
    std::vector<Pin> pins;        // applied inside the sandbox after all mounts
    std::vector<Pin> watched;     // protected-path symlinks left unpinned (symlinks = "follow"):
                                  // checked, and restored, after the run
    std::vector<ProtectDecision> protected_paths;
    std::vector<UniqueFd> fds;    // the checked descriptors ops refer to by index
    // filesystem.deny paths missing at the start that no op keeps from being made (outside
    // the writable roots), canonical: one the host makes during the run is readable from then
    // on, which the run says afterwards (run/integrity.hpp, host_changes_during_run).
    std::vector<std::string> denied_missing;
    std::vector<std::string> warnings;  // said once on stderr (e.g. symlinks = "follow")
    std::vector<std::string> notes;     // shown by --explain only (e.g. a scan that was bounded)
    NetworkMode network = NetworkMode::none;
    // network.unix_sockets (effective_unix_sockets) lets the command make unix sockets.
    bool unix_sockets = false;
    // filesystem.git = "commit": the git directories made writable (canonical), and the work
    // trees (writable roots holding such a `.git`) searched after the run for a git directory
    // the sandbox planted (run/git_integrity.hpp). Both empty under "protect".
    std::vector<std::string> git_dirs;
    std::vector<std::string> git_worktrees;
    // What the host's own git configuration names relative to a work tree (its core.hooksPath,
    // a command's program or script: plan/host_git_config.hpp). git takes it in every
    // repository, nested ones too: the after-run check judges it in each one it finds.
    std::vector<std::string> host_worktree_code;
    // $HOME as the command gets it: a remote's "~/x.git" URL is git's $HOME/x.git.
    std::string home_dir;
    // Files a command of a protected git config names (plan/command_words.hpp's mentioned
    // words, with a slash) that do not exist when the run starts, and the patterns among those
    // words with what they matched then: one the run makes ends it 120 (run/git_integrity.hpp).
    // Not kept from being made: most such words are no program, and blocking them all would
    // refuse what commands make.
    struct NamedByCommand {
        std::string path;                  // absolute; for a pattern, the pattern
        std::string why;                   // "core.fsmonitor in /w/.git/config names tools/fsmon"
        std::vector<std::string> matched;  // a pattern's matches at the start
        bool dir_too = false;  // a directory made there counts (a directory a command runs)
    };
    std::vector<NamedByCommand> command_missing, command_patterns;
    // The same names from the protected repositories' own configs (a relative core.hooksPath,
    // a command's program): protected in their work trees by the plan, and judged after the
    // run in the linked worktrees the run added (`git worktree add` in commit mode).
    std::vector<std::string> protected_worktree_code;
    // The linked worktrees (`git worktree add`) of the protected repositories when the plan was
    // made, as their gitdir files name them: those names are protected there by the plan; the
    // check judges the worktrees added during the run.
    std::vector<std::string> linked_worktrees;
    // Where the host's git init and clone take hooks from (plan/host_git_config.hpp): a hook
    // copied from there into a repository the run made is the host's, not the run's.
    std::vector<std::string> git_template_dirs;
    // A writable HOME (or passwd home) at whose top no new dot-entry may be made
    // (util/home_dot_names.hpp): kept by sbxrun-inner's entry broker under bwrap and
    // by sbxrun's answers to the entry calls under Landlock (plan/home_dotfiles.hpp).
    struct DotBlock {
        std::string dir;  // canonical
        dev_t dev = 0;
        ino_t ino = 0;
    };
    std::vector<DotBlock> dot_blocks;
};

}  // namespace sbx
