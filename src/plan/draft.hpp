// The plan while it is being made, shared by the files of src/plan that build it (roots.cpp,
// deny.cpp, missing.cpp, protect.cpp, protect_git.cpp, finalise.cpp; make_plan.cpp says in
// which order): the candidate ops (several may name one destination until finalise_plan picks
// one), the descriptors they refer to, and the roots that decide where the sandbox can write.
// Internal to src/plan.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fs/resolve.hpp"
#include "plan/make_plan.hpp"
#include "plan/mount_plan.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx::planning {

// Precedence of the lists at equal depth (spec section 3): deny > protect > write > read.
enum Rank { kRead = 0, kWrite = 1, kProtect = 2, kDeny = 3 };

// Paths the plan works on are canonical (resolve() and path_join() normalise them), so their
// parent (path_parent_view) and depth are read off the string: no normalising copy per rule.
[[nodiscard]] std::size_t canonical_depth(std::string_view path);

struct Candidate {
    MountOp op;
    int rank = kRead;
    std::size_t depth = 0;  // canonical_depth(op.dest), once: sorting and lookups compare it
};

// A symlink crossed on the way to a root or a denied path, judged once the roots are known:
// one that lives in a writable place is kept per filesystem.symlinks (crossed_links.cpp).
struct CrossedLink {
    Pin pin;
    std::string parent;  // canonical path of the directory holding the link
};

struct Draft {
    Draft(const Policy& p, const PlanOptions& o) : policy(p), opts(o) {}

    const Policy& policy;
    const PlanOptions& opts;
    MountPlan plan;
    std::vector<Candidate> candidates;
    // The roots only (read, write, tmpfs, deny), copied from candidates once they are all in:
    // what decides where the sandbox can write. Protected paths are judged against these.
    std::vector<Candidate> roots;
    std::vector<std::string> writable_roots;  // canonical paths of the bind_rw roots
    std::string workspace_real;               // canonical opts.workspace_dir, if it exists
    std::string home_real;                    // canonical opts.home_dir, if it exists
    std::string passwd_home_real;  // canonical opts.passwd_home_dir, if it exists and is not HOME
    std::vector<CrossedLink> root_links;      // crossed on the way to the writable roots
    std::set<std::string> anchored;           // directories made anchors already
    // Each destination's best candidate (index into candidates): what deciding_op() reads.
    std::unordered_map<std::string, std::size_t> by_dest;
    // Borrowed descriptor -> its index in plan.fds (keep_fd(Resolved&)).
    std::unordered_map<int, int> kept_borrowed;

    // The descriptor's index in plan.fds, for MountOp::fd.
    int keep_fd(UniqueFd fd);
    // The same for a resolution's descriptor, owned or borrowed (Resolved::borrowed_fd): a
    // borrowed one is duplicated once and its index shared, so the dozens of missing names
    // of one top cost one descriptor, not a dup and a close each.
    [[nodiscard]] Result<int> keep_fd(Resolved& r);
    void add(MountOp op, int rank);

    // resolve() through the seam (PlanOptions::resolver), with opts.resolve.
    [[nodiscard]] Result<Resolved> resolve_path(const std::string& path) const;
    // The same for a rule's path: a failure becomes the policy's to fix, naming the rule.
    [[nodiscard]] Result<Resolved> resolve_rule(const std::string& path, const Origin& origin,
                                                bool readable_dir = false) const;

    // The op among the roots that decides access to `real`.
    [[nodiscard]] const Candidate* deciding_root(std::string_view real) const;
    // Can the sandboxed process create, remove or rename entries of directory `real`?
    [[nodiscard]] bool writable_place(std::string_view real) const;
    // Is a writable root (a host directory, bind_rw) on filesystem `dev`? A file there can have
    // a hard link inside it.
    [[nodiscard]] bool writable_root_on(dev_t dev) const;

    // The candidate that decides what the sandbox may do in directory `real`: the one at the
    // deepest destination containing it (the highest rank there). Protected and denied paths
    // count, not only the roots: inside a read-only .git nothing can be renamed.
    [[nodiscard]] const Candidate* deciding_op(std::string_view real) const;

    // Make every directory above `path` that the sandbox could rename a mount point (anchor):
    // a directory whose parent is a writable bind of the host and that is not a mount already.
    // Renaming a directory moves every mount beneath it along, so without this the sandbox
    // could move a protected path (or a writable root holding one, or the tree a protected
    // symlink resolves through) away and build a fake one in its place, which the host would
    // then trust (found by an outside review: renaming a workspace nested in a writable /tmp).
    // Directories inside a read-only place or a tmpfs are left alone: nothing of the host can
    // be renamed there, and a writable anchor would make them writable (also found by outside
    // reviews: inside a read-only .git, and the host's directories below a tmpfs).
    [[nodiscard]] Status anchor_ancestors(const std::string& path, const RuleRef& rule);
    // anchor_ancestors() for every candidate: every mount of the plan stays where it was
    // planned (a writable root nested in another, a protected or denied path deeper in one).
    [[nodiscard]] Status anchor_every_mount();

    // True when `path` certainly does not exist: it lies beneath a top (a writable root, HOME,
    // the passwd home) whose own entries, read once per plan, do not include its first
    // component there. False when unsure. The set's 130 names, absent from most tops, each
    // cost an open, a stat and a readlink per top otherwise (about 2,000 system calls a run).
    // Nothing the plan does creates entries in a top, so one reading serves the whole plan.
    [[nodiscard]] bool surely_missing(std::string_view path) const;
    // The entries of `top` (a writable root or one of the homes, canonical), as that reading
    // found them; null when it could not be read (or with a resolver seam, which a listing
    // could not agree with).
    [[nodiscard]] const std::unordered_set<std::string>* top_names(const std::string& top) const;

private:
    [[nodiscard]] Result<Resolved> resolve_with(const std::string& path,
                                                const ResolveOptions& ro) const;

    struct TopEntries {
        std::string top;  // canonical, reached without a symbolic link
        bool listed = false;
        std::unordered_set<std::string> names;
        UniqueFd fd;  // O_PATH: what a missing path's Resolved borrows
        struct stat st {};
    };
    // The top whose entries decide for `path` (the deepest containing it), listed on first use;
    // null when there is none or it could not be read. Found by walking `path`'s ancestors
    // through a set of the tops: a plan may have thousands of writable roots.
    [[nodiscard]] const TopEntries* top_entries(std::string_view path) const;
    // The top of `path` when its entries lack the path's first component below it, else null.
    [[nodiscard]] const TopEntries* top_lacking(std::string_view path) const;
    // A missing path's resolution, as resolve() gives it, from its top's entries.
    [[nodiscard]] Result<Resolved> missing_below(const TopEntries& t,
                                                 const std::string& path) const;
    mutable std::unordered_map<std::string, TopEntries> tops_;  // by top, once looked at
    mutable std::unordered_set<std::string> top_names_;         // the tops
    // What top_names_ was made from: the number of writable roots and the three homes' paths.
    mutable std::size_t top_names_roots_ = 0;
    mutable std::string top_names_homes_;
};

// Where a rename changes the host: a writable bind of a host directory (a root, an anchor).
// Not a tmpfs: what is renamed there is the sandbox's own.
[[nodiscard]] bool host_writable_kind(OpKind k);

[[nodiscard]] RuleRef rule_ref(const std::string& list, const PathRule& rule, std::string why = {});

// "link -> text, link -> text" for --explain.
[[nodiscard]] std::string chain_text(const std::vector<SymlinkHop>& chain);

// Append `reason` to a decision's detail, "; "-separated.
void add_reason(std::string& detail, const std::string& reason);

// An error met while following a rule: it names the path and the rule unless it does already.
[[nodiscard]] Error with_rule(Error e, const std::string& path, const RuleRef& rule);

// A protected or denied file with more than one name (hard links): another name may lie in a
// writable root (a dotfiles repository installed with ln: fourteenth review) or anywhere
// readable (a denied token read by its workspace name: seventeenth). No mount keeps an inode
// read-only or hidden under every name, and the other names cannot be found without searching
// every filesystem: 122, for the user to repair (a symbolic link is followed to where it
// leads) or to approve by taking the path out of the list.
enum class KeptAs { read_only, hidden };
[[nodiscard]] Error hard_link_refusal(KeptAs how, const std::string& path, const std::string& file,
                                      nlink_t links, const RuleRef& rule);

// Is `r` another run's placeholder, standing in for a missing path? Placeholders are always
// empty regular files: only those need the (xattr) check. The mark can be forged
// (fs/placeholder.hpp): only one a run holds right now is taken for one.
[[nodiscard]] bool is_placeholder_result(const Resolved& r);

}  // namespace sbx::planning
