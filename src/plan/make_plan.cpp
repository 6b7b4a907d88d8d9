// Policy -> MountPlan.
//
// The order of work matters and is the whole design of this file:
//   1. resolve the roots (read, write, tmpfs, deny): these decide where the sandbox may write;
//   2. resolve every protected path against those roots, remembering each symlink crossed, and
//      decide per symlink whether it must be pinned (it lives in a writable place);
//   3. normalise: one op per destination (deepest wins; at equal depth deny > protect > write >
//      read), parents before children, and drop binds that repeat what their parent already
//      gives (systemd's drop_duplicates/drop_nop).
// Resolution only reads the filesystem; nothing here creates or changes anything on the host.
#include "plan/make_plan.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string_view>
#include <unordered_map>

#include "fs/path.hpp"
#include "fs/placeholder.hpp"
#include "fs/scan.hpp"
#include "plan/gitdir.hpp"

namespace sbx {
namespace {

// Paths the plan works on are canonical (resolve() and path_join() normalise them), so their
// parent (path_parent_view) and depth are read off the string: no normalising copy per rule.
std::size_t canonical_depth(std::string_view path) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) ++n;
    }
    return n;
}

// Precedence of the lists at equal depth (spec section 3): deny > protect > write > read.
enum Rank { kRead = 0, kWrite = 1, kProtect = 2, kDeny = 3 };

// What was done with the symlinks on the way that the sandbox could rewrite.
enum class LinkAction { none, pinned, watched };

Decision existing_decision(LinkAction links) {
    switch (links) {
        case LinkAction::none:
            return Decision::read_only;
        case LinkAction::pinned:
            return Decision::pinned;
        case LinkAction::watched:
            return Decision::target_protected;
    }
    return Decision::read_only;
}

struct Candidate {
    MountOp op;
    int rank = kRead;
    std::size_t depth = 0;  // canonical_depth(op.dest), once: sorting and lookups compare it
};

class PlanBuilder {
public:
    PlanBuilder(const Policy& policy, const PlanOptions& opts) : policy_(policy), opts_(opts) {}

    Result<MountPlan> build() {
        plan_.network = policy_.network.mode.value;
        const auto& fs = policy_.filesystem;
        SBX_TRY(add_roots(fs.read, "filesystem.read", kRead, OpKind::bind_ro));
        SBX_TRY(add_roots(fs.write, "filesystem.write", kWrite, OpKind::bind_rw));
        SBX_TRY(add_tmpfs(fs.tmpfs));
        SBX_TRY(add_denied(fs.deny));
        // Writable places are known now; protected paths are judged against them.
        base_ = candidates_;
        // Most protected rules give one op, one descriptor and one decision per root (a name)
        // or in all (a path): reserved once instead of regrown.
        std::size_t expect = 0;
        for (const auto& rule : fs.protect) {
            expect += rule.relative_name ? writable_roots_.size() : 1;
        }
        candidates_.reserve(candidates_.size() + expect);
        plan_.fds.reserve(plan_.fds.size() + expect);
        plan_.protected_paths.reserve(expect);
        plan_.notes.reserve(expect);
        SBX_TRY(keep_denied_links());
        SBX_TRY(block_missing_denied());
        for (const auto& rule : fs.protect) SBX_TRY(add_protected_rule(rule));
        SBX_TRY(protect_enclosing_submodules());
        normalise();
        return std::move(plan_);
    }

private:
    static RuleRef ref(const std::string& list, const PathRule& rule, std::string why = {}) {
        return RuleRef{list, rule.text, rule.origin, std::move(why)};
    }

    int keep_fd(UniqueFd fd) {
        plan_.fds.push_back(std::move(fd));
        return static_cast<int>(plan_.fds.size()) - 1;
    }

    Result<Resolved> resolve_rule(const std::string& path, const Origin& origin,
                                  bool readable_dir = false) {
        ResolveOptions ro = opts_.resolve;
        ro.readable_dir = readable_dir;
        auto r = resolve(path, ro);
        if (!r.ok()) {
            Error e = std::move(r).error();
            if (e.origin.empty()) e.origin = origin;
            // A rule's path that cannot be resolved (a file in the middle, a directory sbxrun
            // may not search) is the policy's to fix: 125 naming the rule, not "no backend
            // can run here". A path that changed under the walk (EAGAIN) stays an os error,
            // and running out of descriptors stays ErrorKind::resource.
            if (e.kind == ErrorKind::os && e.sys_errno != EAGAIN) {
                e.kind = ErrorKind::bad_path;
                e.message = "cannot resolve '" + path +
                            "': " + (e.path.empty() || e.path == path ? "" : e.path + ": ") +
                            e.message;
            }
            if (e.path.empty()) e.path = path;
            return e;
        }
        return r;
    }

    void add(MountOp op, int rank) {
        const std::size_t depth = canonical_depth(op.dest);
        candidates_.push_back(Candidate{std::move(op), rank, depth});
    }

    Status add_roots(const std::vector<PathRule>& rules, const char* list, int rank, OpKind kind) {
        for (const auto& rule : rules) {
            auto r = resolve_rule(rule.path, rule.origin);
            if (!r.ok()) return std::move(r).error();
            if (!r->exists) {
                // Like bwrap's --bind-try: a root that does not exist grants nothing. Said once,
                // because a typo here silently narrows the sandbox.
                plan_.warnings.push_back(rule.origin.to_string() + ": '" + rule.path +
                                         "' does not exist; rule ignored");
                continue;
            }
            MountOp op;
            op.kind = kind;
            op.dest = r->real;
            op.dev = r->st.st_dev;
            op.ino = r->st.st_ino;
            op.is_dir = S_ISDIR(r->st.st_mode);
            op.rule = ref(list, rule,
                          r->chain.empty() ? ""
                                           : "given as " + rule.path + ", resolved through " +
                                                 chain_text(r->chain));
            op.fd = keep_fd(std::move(r->fd));
            add(std::move(op), rank);
            if (kind == OpKind::bind_rw) writable_roots_.push_back(r->real);
        }
        return {};
    }

    Status add_tmpfs(const std::vector<PathRule>& rules) {
        for (const auto& rule : rules) {
            auto r = resolve_rule(rule.path, rule.origin);
            if (!r.ok()) return std::move(r).error();
            if (!r->exists || !S_ISDIR(r->st.st_mode)) {
                return Error(ErrorKind::not_found, "filesystem.tmpfs needs an existing directory")
                    .with_path(rule.path)
                    .with_origin(rule.origin);
            }
            MountOp op;
            op.kind = OpKind::tmpfs;
            op.dest = r->real;
            op.rule = ref("filesystem.tmpfs", rule);
            add(std::move(op), kWrite);
        }
        return {};
    }

    Status add_denied(const std::vector<PathRule>& rules) {
        for (const auto& rule : rules) {
            std::vector<std::string> paths;
            if (rule.relative_name) {
                for (const auto& root : writable_roots_)
                    paths.push_back(path_join(root, rule.path));
            } else {
                paths.push_back(rule.path);
            }
            for (const auto& path : paths) {
                auto r = resolve_rule(path, rule.origin);
                if (!r.ok()) return std::move(r).error();
                // Nothing on the host to hide, but the sandbox must not be able to create it
                // either (blocked once the writable places are known: block_missing_denied).
                if (!r->exists || is_placeholder_result(*r)) {
                    for (const auto& hop : r->chain) {
                        denied_links_.push_back(
                            Pin{hop.link, hop.link_text, r->real, ref("filesystem.deny", rule)});
                        denied_link_parents_.push_back(hop.parent);
                    }
                    missing_denied_.push_back(
                        MissingDenied{path, ref("filesystem.deny", rule), std::move(r).value()});
                    continue;
                }
                MountOp op;
                op.kind = S_ISDIR(r->st.st_mode) ? OpKind::hide_dir : OpKind::hide_file;
                op.is_dir = S_ISDIR(r->st.st_mode);
                op.dest = r->real;  // a denied symlink hides its target (spec section 4)
                op.dev = r->st.st_dev;
                op.ino = r->st.st_ino;
                op.rule = ref("filesystem.deny", rule,
                              r->chain.empty() ? "" : "target of symlink " + r->chain.front().link);
                for (const auto& hop : r->chain) {
                    denied_links_.push_back(Pin{hop.link, hop.link_text, r->real, op.rule});
                    denied_link_parents_.push_back(hop.parent);
                }
                add(std::move(op), kDeny);
            }
        }
        return {};
    }

    // A denied path reached through a symlink that lives in a writable place: the sandbox
    // could remove that link, and the next run would find nothing to hide and show the target.
    // So such links are kept like the links of protected paths (filesystem.symlinks decides).
    Status keep_denied_links() {
        for (std::size_t i = 0; i < denied_links_.size(); ++i) {
            if (!writable_place(denied_link_parents_[i])) continue;
            Pin pin = denied_links_[i];
            pin.rule.why = "symlink on the way to denied " + pin.target;
            switch (policy_.filesystem.symlinks.value) {
                case SymlinkMode::escalate: {
                    Error e(ErrorKind::symlink_refused,
                            "sandbox cannot keep the denied path '" + pin.target +
                                "' hidden: it is reached through the writable symlink '" +
                                pin.link + "' -> '" + pin.link_text +
                                "' (filesystem.symlinks = \"escalate\")");
                    e.path = pin.rule.text;
                    e.symlink = pin.link;
                    e.target = pin.target;
                    e.origin = pin.rule.origin;
                    e.suggestion = "set filesystem.symlinks = \"pin\" or deny the target '" +
                                   pin.target + "' directly";
                    return e;
                }
                case SymlinkMode::pin:
                    SBX_TRY(anchor_ancestors(pin.link, pin.rule));
                    plan_.pins.push_back(std::move(pin));
                    break;
                case SymlinkMode::follow:
                    plan_.warnings.push_back("the sandbox can replace the symlink '" + pin.link +
                                             "' to denied '" + pin.target +
                                             "' (filesystem.symlinks = \"follow\")");
                    plan_.watched.push_back(std::move(pin));
                    break;
            }
        }
        return {};
    }

    // The op among the roots (read/write/tmpfs/deny) that decides access to `real`.
    const Candidate* deciding_root(std::string_view real) const {
        const Candidate* best = nullptr;
        std::size_t best_depth = 0;
        for (const auto& c : base_) {
            if (!path_is_within(real, c.op.dest)) continue;
            std::size_t d = c.depth;
            if (best == nullptr || d > best_depth || (d == best_depth && c.rank > best->rank)) {
                best = &c;
                best_depth = d;
            }
        }
        return best;
    }

    // Can the sandboxed process create, remove or rename entries of directory `real`?
    bool writable_place(std::string_view real) const {
        const Candidate* c = deciding_root(real);
        return c != nullptr && (c->op.kind == OpKind::bind_rw || c->op.kind == OpKind::tmpfs);
    }

    // Make every directory between the writable root and `path` a mount point (anchor), so the
    // sandbox cannot rename it away and rebuild the tree that a protected symlink or a protected
    // path's parent resolves through. The root itself is a mount already.
    Status anchor_ancestors(const std::string& path, const RuleRef& rule) {
        const Candidate* root = deciding_root(path_parent_view(path));
        if (root == nullptr ||
            (root->op.kind != OpKind::bind_rw && root->op.kind != OpKind::tmpfs)) {
            return {};
        }
        for (std::string_view up = path_parent_view(path);
             up != root->op.dest && path_is_within(up, root->op.dest); up = path_parent_view(up)) {
            auto [at, added] = anchored_.emplace(up);
            if (!added) break;  // it and everything above: done before
            const std::string& dir = *at;
            auto r = resolve_rule(dir, rule.origin);
            if (!r.ok()) return std::move(r).error();
            if (!r->exists || r->real != dir || !S_ISDIR(r->st.st_mode)) {
                // It changed since the protected path was resolved: refuse rather than guess.
                return Error(ErrorKind::os, "directory changed while the plan was made")
                    .with_path(dir)
                    .with_errno(EAGAIN)
                    .with_origin(rule.origin);
            }
            MountOp op;
            op.kind = OpKind::anchor;
            op.dest = dir;
            op.dev = r->st.st_dev;
            op.ino = r->st.st_ino;
            op.rule = rule;
            op.rule.why = "keeps " + path + " where it is";
            op.fd = keep_fd(std::move(r->fd));
            add(std::move(op), kWrite);
        }
        return {};
    }

    Status add_protected_rule(const PathRule& rule) {
        if (!rule.relative_name) return protect_path(rule.path, ref("filesystem.protect", rule), 0);
        for (const auto& root : writable_roots_) {
            protect_root_ = root;
            Status s = protect_path(path_join(root, rule.path), ref("filesystem.protect", rule), 0);
            protect_root_.clear();
            SBX_TRY(std::move(s));
        }
        return {};
    }

    // A relative protected name is looked up again by path below a root resolved earlier. If a
    // component of the root was swapped for a symlink in between (attacks/races.sh), the name
    // would resolve into another tree and the root's own entry would stay writable. So
    // the first symlink crossed must live strictly inside the root, and without one the result
    // must be inside it (a protected link pointing elsewhere is pinned, not moved).
    Status check_still_beneath_root(const std::string& path, const Resolved& r,
                                    const RuleRef& rule) const {
        if (protect_root_.empty()) return {};
        // The chain is in walk order: the first symlink met tells whether the root's own path
        // was still free of symlinks.
        const std::string& first = r.chain.empty() ? r.real : r.chain.front().link;
        bool moved =
            first == protect_root_ ? !r.chain.empty() : !path_is_within(first, protect_root_);
        if (!moved) return {};
        return Error(ErrorKind::os, "writable root changed while the plan was made")
            .with_path(path)
            .with_errno(EAGAIN)
            .with_origin(rule.origin);
    }

    static void add_reason(std::string& detail, const std::string& reason) {
        if (reason.empty()) return;
        detail += (detail.empty() ? "" : "; ") + reason;
    }

    static std::string found_by_scan(const RuleRef& rule) {
        const std::string prefix = "symlink inside protected ";
        if (rule.why.rfind(prefix, 0) != 0) return {};
        return "found by the scan of protected " + rule.why.substr(prefix.size());
    }

    // Protected because a .git file (or a gitdir's commondir) leads there (follow_gitfile).
    static std::string found_by_gitfile(const RuleRef& rule) {
        if (rule.why.rfind("gitdir of ", 0) == 0 || rule.why.rfind("commondir of ", 0) == 0)
            return rule.why;
        return {};
    }

    static std::string chain_text(const std::vector<SymlinkHop>& chain) {
        std::string s;
        for (const auto& hop : chain) {
            if (!s.empty()) s += ", ";
            s += hop.link + " -> " + hop.link_text;
        }
        return s;
    }

    Error refuse(const std::string& path, const SymlinkHop& hop, const Resolved& r,
                 const RuleRef& rule) const {
        Error e(ErrorKind::symlink_refused,
                "sandbox cannot protect '" + path + "': it crosses the writable symlink '" +
                    hop.link + "' -> '" + hop.link_text + "' (filesystem.symlinks = \"escalate\")");
        e.path = path;
        e.symlink = hop.link;
        e.target = r.real;
        e.origin = rule.origin;
        e.suggestion =
            "set filesystem.symlinks = \"pin\" or protect the target '" + r.real + "' directly";
        return e;
    }

    // A protected path whose links loop (.codex -> a -> b -> a): the policy is fine, the tree
    // is odd, and what the loop would lead to once repaired cannot be judged now. So 122 with
    // the chain, for the user to repair or approve, instead of "invalid policy".
    static Error loop_refusal(const std::string& path, Error e) {
        if (e.kind != ErrorKind::loop) return e;
        Error r(ErrorKind::symlink_refused,
                "sandbox cannot protect '" + path + "': it resolves through a " + e.message);
        r.sys_errno = e.sys_errno;
        r.path = path;
        r.symlink = e.symlink;
        r.origin = e.origin;
        r.suggestion = "repair or remove the symbolic link loop at '" +
                       (e.symlink.empty() ? path : e.symlink) + "'";
        return r;
    }

    // Protect one path: the thing it resolves to becomes read-only (or, when missing, cannot be
    // created), and every symlink on the way that the sandbox could rewrite is pinned.
    // `depth` counts how many protected-directory scans led here (bounded: no recursion loops).
    Status protect_path(const std::string& path, const RuleRef& rule, int depth) {
        // A directory protected here is scanned for links (protect_links_inside): ask for it
        // readable, so the scan reads the descriptor the plan keeps instead of opening another.
        auto r = resolve_rule(path, rule.origin, depth == 0 && scan_budget_ > 0);
        if (!r.ok()) return loop_refusal(path, std::move(r).error());
        if (depth == 0) SBX_TRY(check_still_beneath_root(path, *r, rule));

        ProtectDecision d;
        d.path = path;
        d.rule = rule;
        for (const auto& hop : r->chain) d.chain.push_back(hop.link + " -> " + hop.link_text);

        std::vector<const SymlinkHop*> rewritable;
        for (const auto& hop : r->chain) {
            if (writable_place(hop.parent)) rewritable.push_back(&hop);
        }
        LinkAction links = LinkAction::none;
        std::string link_why;  // why the links were pinned / watched, for --explain
        if (!rewritable.empty()) {
            std::string names;
            for (const auto* hop : rewritable) names += (names.empty() ? "" : ", ") + hop->link;
            link_why = names + (rewritable.size() == 1 ? " lives" : " live") +
                       " in a writable place, so the sandbox could repoint " +
                       (rewritable.size() == 1 ? "it" : "them");
            switch (policy_.filesystem.symlinks.value) {
                case SymlinkMode::escalate:
                    return refuse(path, *rewritable.front(), *r, rule);
                case SymlinkMode::pin:
                    for (const auto* hop : rewritable) {
                        RuleRef why = rule;
                        why.why = "symlink on the way to protected " + path;
                        plan_.pins.push_back(Pin{hop->link, hop->link_text, r->real, why});
                        SBX_TRY(anchor_ancestors(hop->link, rule));
                    }
                    links = LinkAction::pinned;
                    link_why += ": pinned";
                    break;
                case SymlinkMode::follow:
                    for (const auto* hop : rewritable) {
                        RuleRef why = rule;
                        why.why = "unpinned symlink on the way to protected " + path;
                        plan_.watched.push_back(Pin{hop->link, hop->link_text, r->real, why});
                    }
                    plan_.warnings.push_back(
                        "protecting only the target of '" + path + "' (filesystem.symlinks = " +
                        "\"follow\"): the sandbox can replace the symlink " + chain_text(r->chain));
                    links = LinkAction::watched;
                    link_why += ": not pinned (filesystem.symlinks = \"follow\")";
                    break;
            }
        }

        const bool placeholder = is_placeholder_result(*r);
        if (r->exists && !placeholder) {
            MountOp op;
            op.kind = OpKind::bind_ro;
            op.dest = r->real;
            op.dev = r->st.st_dev;
            op.ino = r->st.st_ino;
            op.is_dir = S_ISDIR(r->st.st_mode);
            op.rule = rule;
            if (!r->chain.empty()) op.rule.why = "target of " + chain_text(r->chain);
            bool dir = op.is_dir;
            bool readable = r->readable;
            int fd_index = keep_fd(std::move(r->fd));
            op.fd = fd_index;
            std::string real = op.dest;
            add(std::move(op), kProtect);
            SBX_TRY(anchor_ancestors(real, rule));
            d.decision = existing_decision(links);
            d.detail = r->chain.empty() ? "" : "target " + r->real + " read-only";
            add_reason(d.detail, link_why);
            add_reason(d.detail, found_by_scan(rule));
            add_reason(d.detail, found_by_gitfile(rule));
            plan_.protected_paths.push_back(std::move(d));
            if (dir) SBX_TRY(protect_links_inside(r->real, fd_index, readable, rule, depth));
            if (!dir && depth == 0 && is_git_name(path))
                SBX_TRY(follow_gitfile(real, fd_index, rule));
            if (dir && depth == 0 && is_git_name(path))
                SBX_TRY(protect_submodules(path_parent(path), real, rule));
            return {};
        }

        // Missing (or only a placeholder of an earlier, concurrent run).
        auto blocked = block_missing(
            *r, placeholder, rule, kProtect,
            r->dangling ? "dangling target of " + chain_text(r->chain) : "missing protected path");
        if (!blocked.ok()) return std::move(blocked).error();
        switch (*blocked) {
            case Blocked::ignored:
                d.decision = Decision::missing_ignored;
                d.detail = "filesystem.missing_protected = \"ignore\": it may be created";
                break;
            case Blocked::not_writable:
                d.decision =
                    links == LinkAction::none ? Decision::missing : existing_decision(links);
                d.detail = "its parent is not writable in the sandbox";
                break;
            case Blocked::blocked:
                d.decision = links == LinkAction::none ? Decision::blocked
                             : links == LinkAction::pinned
                                 ? Decision::pinned_target_blocked
                                 : Decision::target_protected_target_blocked;
                d.detail = last_blocked_ + " cannot be created";
                break;
        }
        add_reason(d.detail, link_why);
        add_reason(d.detail, found_by_scan(rule));
        add_reason(d.detail, found_by_gitfile(rule));
        plan_.protected_paths.push_back(std::move(d));
        return {};
    }

    static bool is_git_name(std::string_view path) {
        return path.size() >= 5 && path.substr(path.size() - 5) == "/.git";
    }

    static Error with_rule(Error e, const std::string& path, const RuleRef& rule) {
        if (e.path.empty()) e.path = path;
        if (e.origin.empty()) e.origin = rule.origin;
        return e;
    }

    // A protected `.git` that is a file (`gitdir: ...`: git worktree, submodules,
    // --separate-git-dir): git takes its config and hooks from the directory it names and
    // from that directory's `commondir`, so those get the protection `.git` has. The file was
    // resolved and is read-only in the sandbox; it is read through that descriptor.
    Status follow_gitfile(const std::string& gitfile, int fd_index, const RuleRef& rule) {
        auto content = read_small_file(plan_.fds[fd_index].get(), gitfile);
        if (!content.ok()) return with_rule(std::move(content).error(), gitfile, rule);
        auto text = parse_gitfile(*content);
        if (!text.ok()) return with_rule(std::move(text).error(), gitfile, rule);
        if (!text->has_value()) {
            plan_.notes.push_back("'" + gitfile +
                                  "' is not a gitdir file git would use: nothing followed");
            return {};
        }
        auto gitdir = gitdir_path(std::string(path_parent_view(gitfile)), **text);
        if (!gitdir) {
            return with_rule(Error(ErrorKind::unenforceable,
                                   "cannot follow the gitdir '" + **text +
                                       "' as git would (a '..' after a named component)"),
                             gitfile, rule);
        }
        RuleRef why = rule;
        why.why = "gitdir of " + gitfile;
        auto real = protect_git_dir(*gitdir, why);
        if (!real.ok()) return std::move(real).error();
        if (!real->has_value()) return {};
        SBX_TRY(protect_submodules(std::string(path_parent_view(gitfile)), **real, rule));

        // A worktree's gitdir names the main repository's in `commondir` (`../..`).
        auto c = resolve_rule(**real + "/commondir", rule.origin);
        if (!c.ok()) return std::move(c).error();
        if (!c->exists || !S_ISREG(c->st.st_mode)) return {};
        const std::string cpath = c->real;
        auto ccontent = read_small_file(c->fd.get(), cpath);
        if (!ccontent.ok()) return with_rule(std::move(ccontent).error(), cpath, rule);
        auto ctext = parse_commondir(*ccontent);
        if (!ctext.ok()) return with_rule(std::move(ctext).error(), cpath, rule);
        auto common = gitdir_path(**real, *ctext);
        if (!common) {
            return with_rule(Error(ErrorKind::unenforceable,
                                   "cannot follow the commondir '" + *ctext +
                                       "' as git would (a '..' after a named component)"),
                             cpath, rule);
        }
        why.why = "commondir of gitdir " + **real + " (gitdir of " + gitfile + ")";
        auto creal = protect_git_dir(*common, why);
        if (!creal.ok()) return std::move(creal).error();
        return {};
    }

    // A submodule's checkout has its own `.git` (a file: `gitdir: ../.git/modules/x`), and git
    // run at the work tree's top level recurses into it (status, diff, submodule update): a
    // sandbox that rewrote `sub/.git` to point at a gitdir it planted would have its
    // core.fsmonitor run by the host's next `git status` (found by an outside review). So the
    // `.git` of every gitlink in the repository's index gets the protection of the top one
    // (read-only, followed when a file, blocked when missing), and so on down nested
    // submodules, each through its own gitdir's index. The index, never .gitmodules: that is
    // in the work tree, and one run could empty it to switch this off for the next.
    // A writable root inside a larger work tree (a workspace in a home directory kept in git,
    // --workspace on a subdirectory of a repository): that repository's .git is outside the
    // root, so read-only already, but git at its top level recurses into the submodules that
    // lie inside the root, whose .git the sandbox could rewrite (found by an outside review).
    // The enclosing work tree is found as git finds it (the nearest parent with a .git); only
    // its gitlinks inside a writable root are protected, with the `.git` protect rule.
    Status protect_enclosing_submodules() {
        const PathRule* git_rule = nullptr;
        for (const auto& rule : policy_.filesystem.protect)
            if (rule.relative_name && rule.path == ".git") git_rule = &rule;
        if (git_rule == nullptr) return {};
        std::vector<std::string> seen;
        for (const auto& root : std::vector<std::string>(writable_roots_)) {
            for (std::string dir = path_parent(root);; dir = path_parent(dir)) {
                const std::string dot_git = path_join(dir, ".git");
                struct stat st {};
                if (::lstat(dot_git.c_str(), &st) == 0 &&
                    (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
                    if (std::find(seen.begin(), seen.end(), dir) == seen.end()) {
                        seen.push_back(dir);
                        RuleRef rule = ref("filesystem.protect", *git_rule,
                                           "the work tree " + dir + " holds " + root);
                        SBX_TRY(protect_enclosing(dir, dot_git, S_ISDIR(st.st_mode), rule));
                    }
                    break;
                }
                if (dir == "/") break;
            }
        }
        return {};
    }

    // The submodules of the work tree `dir` (whose .git is `dot_git`) inside a writable root.
    Status protect_enclosing(const std::string& dir, const std::string& dot_git, bool is_dir,
                             const RuleRef& rule) {
        auto r = resolve_rule(dot_git, rule.origin);
        if (!r.ok()) return std::move(r).error();
        if (!r->exists) return {};
        std::string gitdir = r->real;
        if (!is_dir) {
            auto content = read_small_file(r->fd.get(), dot_git);
            if (!content.ok()) return with_rule(std::move(content).error(), dot_git, rule);
            auto text = parse_gitfile(*content);
            if (!text.ok()) return with_rule(std::move(text).error(), dot_git, rule);
            if (!text->has_value()) return {};
            auto named = gitdir_path(dir, **text);
            if (!named) return {};
            auto g = resolve_rule(*named, rule.origin);
            if (!g.ok()) return std::move(g).error();
            if (!g->exists || !S_ISDIR(g->st.st_mode)) return {};
            gitdir = g->real;
        }
        return protect_submodules(dir, gitdir, rule, /*only_in_writable_roots=*/true);
    }

    Status protect_submodules(const std::string& worktree, const std::string& gitdir,
                              const RuleRef& rule, bool only_in_writable_roots = false) {
        if (submodule_depth_ >= kMaxSubmoduleDepth) {
            plan_.notes.push_back("submodules nested deeper than " +
                                  std::to_string(kMaxSubmoduleDepth) + " below '" + worktree +
                                  "' are not followed");
            return {};
        }
        const std::string index = path_join(gitdir, "index");
        auto r = resolve_rule(index, rule.origin);
        if (!r.ok()) return std::move(r).error();
        if (!r->exists || !S_ISREG(r->st.st_mode)) return {};  // nothing staged yet
        auto content = read_small_file(r->fd.get(), index, kGitIndexMax);
        if (!content.ok()) return with_rule(std::move(content).error(), index, rule);
        auto paths = gitlink_paths(*content);
        if (!paths.ok()) return with_rule(std::move(paths).error(), index, rule);
        ++submodule_depth_;
        for (const auto& sub : *paths) {
            const std::string checkout = path_join(worktree, sub);
            if (only_in_writable_roots &&
                std::none_of(writable_roots_.begin(), writable_roots_.end(),
                             [&](const std::string& w) { return path_is_within(checkout, w); }))
                continue;
            RuleRef why = rule;
            why.why = "submodule " + sub + " (a gitlink in " + index + ")";
            Status st = protect_path(path_join(checkout, ".git"), why, 0);
            if (!st.ok()) {
                --submodule_depth_;
                return st;
            }
        }
        --submodule_depth_;
        return {};
    }

    // Protect a directory a `.git` file (or a `commondir`) leads to, when the sandbox could
    // change it or the links to it. Returns its canonical path when it is an existing
    // directory (git uses nothing else).
    Result<std::optional<std::string>> protect_git_dir(const std::string& path,
                                                       const RuleRef& rule) {
        auto r = resolve_rule(path, rule.origin);
        if (!r.ok()) return std::move(r).error();
        const std::string real = r->real;
        const bool is_dir = r->exists && S_ISDIR(r->st.st_mode);
        bool changeable =
            writable_place(real) || writable_place(std::string(path_parent_view(real)));
        for (const auto& root : writable_roots_) {
            if (path_is_within(root, real)) changeable = true;  // a writable root inside it
        }
        bool links = false;
        for (const auto& hop : r->chain) links = links || writable_place(hop.parent);
        const Candidate* decider = deciding_root(real);
        const bool visible_ro = decider != nullptr && decider->op.kind == OpKind::bind_ro;
        if (changeable || (links && visible_ro)) {
            // As a protected path of its own: read-only (or blocked when missing), links on
            // the way pinned per filesystem.symlinks, scanned for links into writable places.
            // It may lie outside the root the `.git` rule was applied under.
            std::string saved = std::move(protect_root_);
            protect_root_.clear();
            Status s = protect_path(path, rule, 0);
            protect_root_ = std::move(saved);
            SBX_TRY(std::move(s));
        } else if (links) {
            return with_rule(
                Error(ErrorKind::unenforceable,
                      "cannot protect '" + real + "' (" + rule.why +
                          "): it is reached through a symlink in a writable place, and is not "
                          "visible in the sandbox"),
                path, rule);
        } else {
            ProtectDecision d;
            d.path = path;
            d.rule = rule;
            d.decision = r->exists ? Decision::read_only : Decision::missing;
            d.detail = decider == nullptr || decider->op.kind == OpKind::hide_dir ||
                               decider->op.kind == OpKind::hide_file
                           ? "outside every writable root and not visible: nothing to add"
                           : "outside every writable root: already read-only, nothing to add";
            add_reason(d.detail, rule.why);
            plan_.protected_paths.push_back(std::move(d));
        }
        if (!is_dir) return std::optional<std::string>{};
        return std::optional<std::string>{real};
    }

    // Placeholders are always empty regular files: only those need the (xattr) check. The mark
    // can be forged (fs/placeholder.hpp): only one a run holds right now is taken for one.
    static bool is_placeholder_result(const Resolved& r) {
        return r.exists && S_ISREG(r.st.st_mode) && r.st.st_size == 0 &&
               is_placeholder(r.fd.get()) && placeholder_in_use(r.fd.get());
    }

    enum class Blocked { blocked, ignored, not_writable };

    // A missing path (or another run's placeholder standing in for one): its first missing
    // component is what the sandbox could create, so it gets a block_missing op when its parent
    // is writable and missing_protected = "block". `r` must come from resolve(); its descriptor
    // (the deepest existing directory) is kept for the op. Sets last_blocked_ to the name.
    Result<Blocked> block_missing(Resolved& r, bool placeholder, const RuleRef& rule, int rank,
                                  const std::string& why) {
        std::string tail = placeholder ? std::string() : r.missing_tail;
        auto tail_parts = path_components(tail);
        std::string existing = r.real;
        for (std::size_t i = 0; i < tail_parts.size(); ++i) existing = path_parent(existing);
        std::string first_missing =
            tail_parts.empty() ? r.real : path_join(existing, tail_parts.front());
        std::string parent = tail_parts.empty() ? path_parent(r.real) : existing;

        if (policy_.filesystem.missing_protected.value == MissingProtected::ignore)
            return Blocked::ignored;
        if (!writable_place(parent)) return Blocked::not_writable;
        MountOp op;
        op.kind = OpKind::block_missing;
        op.dest = first_missing;
        op.is_dir = false;
        op.rule = rule;
        op.rule.why = why;
        if (placeholder) {
            // Another run's placeholder stands there: this run joins it, through the parent
            // directory, like any missing name.
            auto p = resolve_rule(parent, rule.origin);
            if (!p.ok()) return std::move(p).error();
            op.fd = keep_fd(std::move(p->fd));
        } else {
            op.fd = keep_fd(std::move(r.fd));
        }
        add(std::move(op), rank);
        SBX_TRY(anchor_ancestors(first_missing, rule));
        last_blocked_ = std::move(first_missing);
        return Blocked::blocked;
    }

    // A denied path that does not exist yet names something host programs will read once it
    // does (~/.ssh/config, ~/.aws/credentials, or the target of a dangling ~/.ssh link into the
    // workspace): if the sandbox could create it, it could plant a file those programs trust
    // (an ssh ProxyCommand runs outside any sandbox). So it is blocked like a missing protected
    // path, under the same missing_protected setting, wherever its parent is writable.
    Status block_missing_denied() {
        for (auto& m : missing_denied_) {
            const bool placeholder = is_placeholder_result(m.r);
            auto blocked = block_missing(
                m.r, placeholder, m.rule, kDeny,
                m.r.dangling ? "dangling target of denied " + m.path : "missing denied path");
            if (!blocked.ok()) return std::move(blocked).error();
            if (*blocked != Blocked::blocked) continue;
            ProtectDecision d;
            d.path = m.path;
            d.rule = m.rule;
            for (const auto& hop : m.r.chain) d.chain.push_back(hop.link + " -> " + hop.link_text);
            d.decision = Decision::blocked;
            d.detail = last_blocked_ + " cannot be created (denied, missing)";
            plan_.protected_paths.push_back(std::move(d));
        }
        return {};
    }

    // Symlinks inside a protected directory whose targets the harness will read through
    // (a real .codex/ whose config.toml links into the workspace): protect those targets too.
    Status protect_links_inside(const std::string& dir, int fd_index, bool readable,
                                const RuleRef& rule, int depth) {
        if (depth > 0 || scan_budget_ <= 0) return {};  // links found in links: not followed
        auto found = scan_symlinks(plan_.fds[fd_index].get(), dir, opts_.scan_max_depth,
                                   scan_budget_, readable);
        if (!found.ok()) {
            plan_.warnings.push_back("cannot scan protected directory '" + dir +
                                     "' for symlinks: " + found.error().render());
            return {};
        }
        scan_budget_ -= static_cast<int>(found->entries_seen);
        // Shown by --explain: what the scan looked at, so a link it did not reach is explained.
        std::string& note = plan_.notes.emplace_back();
        note.reserve(dir.size() + 80);
        note.append("scanned protected directory '").append(dir).append("' for symlinks: ");
        note.append(std::to_string(found->entries_seen)).append(" entries, ");
        note.append(std::to_string(found->links.size())).append(" symlinks");
        if (found->truncated) {
            // Not a warning: a large protected tree (a real .git) hits the bound on every run,
            // and the links that matter (.codex/config.toml -> ...) sit near the top.
            plan_.notes.push_back("the scan of protected directory '" + dir +
                                  "' for symlinks stopped at its bound (depth " +
                                  std::to_string(opts_.scan_max_depth) + ", " +
                                  std::to_string(opts_.scan_max_entries) + " entries)");
        }
        for (const auto& link : found->links) {
            RuleRef inner = rule;
            inner.why = "symlink inside protected " + dir;
            auto r = resolve(link.path, opts_.resolve);
            if (!r.ok()) continue;  // unresolvable links are the protected dir's own business
            if (!r->exists && r->chain.empty()) continue;
            // Only targets the sandbox could change need anything.
            if (!writable_place(r->real) && !writable_place(path_parent_view(r->real))) continue;
            SBX_TRY(protect_path(link.path, inner, depth + 1));
        }
        return {};
    }

    void normalise() {
        // One op per destination: the highest rank wins (the first of equals). Sorted as
        // indices by (depth, dest): parents before children, and the candidates of one
        // destination side by side, best first; nothing is copied or moved to sort.
        std::vector<std::size_t> order(candidates_.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
            const Candidate& x = candidates_[a];
            const Candidate& y = candidates_[b];
            if (x.depth != y.depth) return x.depth < y.depth;
            if (int c = x.op.dest.compare(y.op.dest); c != 0) return c < 0;
            if (x.rank != y.rank) return x.rank > y.rank;
            return a < b;
        });

        // Drop binds that repeat their nearest enclosing op (same kind, identity bind).
        // Keys view the destinations of plan_.ops, which never reallocates here (reserved);
        // destinations are canonical, so each parent is a prefix of the path, cut at its
        // last slash.
        plan_.ops.reserve(plan_.ops.size() + order.size());
        std::unordered_map<std::string_view, OpKind> kept;
        kept.reserve(order.size());
        // twin[n]: order[n] has the destination of the op before it, which ranks higher
        // (compared before anything is moved out).
        std::vector<bool> twin(order.size(), false);
        for (std::size_t n = 1; n < order.size(); ++n) {
            twin[n] = candidates_[order[n]].op.dest == candidates_[order[n - 1]].op.dest;
        }
        for (std::size_t n = 0; n < order.size(); ++n) {
            if (twin[n]) continue;
            Candidate& c = candidates_[order[n]];
            const std::string& dest = c.op.dest;
            bool redundant = false;
            if (c.op.kind == OpKind::bind_ro || c.op.kind == OpKind::bind_rw) {
                std::string_view up = dest;
                while (up != "/") {
                    up = path_parent_view(up);
                    auto it = kept.find(up);
                    if (it != kept.end()) {
                        redundant = it->second == c.op.kind;
                        break;
                    }
                }
                // A protected path is never dropped from the plan shown by --explain, but a
                // read-only op under a read-only parent changes nothing in the sandbox.
            }
            if (redundant) continue;
            const OpKind kind = c.op.kind;
            plan_.ops.push_back(std::move(c.op));
            kept.emplace(plan_.ops.back().dest, kind);
        }

        // One pin per link.
        std::sort(plan_.pins.begin(), plan_.pins.end(),
                  [](const Pin& a, const Pin& b) { return a.link < b.link; });
        plan_.pins.erase(std::unique(plan_.pins.begin(), plan_.pins.end(),
                                     [](const Pin& a, const Pin& b) { return a.link == b.link; }),
                         plan_.pins.end());
    }

    const Policy& policy_;
    const PlanOptions& opts_;
    MountPlan plan_;
    std::vector<Candidate> candidates_;
    std::vector<Candidate> base_;  // the roots only: what decides where the sandbox can write
    std::vector<std::string> writable_roots_;
    std::vector<Pin> denied_links_;  // symlinks crossed by deny rules, judged once roots are known
    std::vector<std::string> denied_link_parents_;
    struct MissingDenied {
        std::string path;  // as configured, expanded
        RuleRef rule;
        Resolved r;  // missing (or another run's placeholder), its deepest existing dir
    };
    std::vector<MissingDenied> missing_denied_;
    std::string last_blocked_;  // the name block_missing() blocked last, for the decision text
    std::string protect_root_;  // the root a relative protected name is being resolved under
    int submodule_depth_ = 0;   // how deep in nested submodules protect_submodules is
    static constexpr int kMaxSubmoduleDepth = 16;
    std::set<std::string> anchored_;
    int scan_budget_ = 0;

public:
    void set_scan_budget(int n) { scan_budget_ = n; }
};

}  // namespace

Result<MountPlan> make_plan(const Policy& policy, const PlanOptions& opts) {
    PlanBuilder b(policy, opts);
    b.set_scan_budget(opts.scan_max_entries);
    return b.build();
}

}  // namespace sbx
