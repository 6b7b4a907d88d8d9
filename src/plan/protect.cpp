// filesystem.protect (protect.hpp): one protected path at a time, the symlinks crossed on the
// way to it, and the symlinks inside it. What git reads through a protected .git is
// protect_git.cpp's.
#include "plan/protect.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "fs/path.hpp"
#include "fs/scan.hpp"
#include "plan/missing.hpp"

namespace sbx::planning {
namespace {

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

Decision missing_decision(LinkAction links, MissingBlock::Outcome outcome) {
    switch (outcome) {
        case MissingBlock::Outcome::ignored:
            return Decision::missing_ignored;
        case MissingBlock::Outcome::not_writable:
            return links == LinkAction::none ? Decision::missing : existing_decision(links);
        case MissingBlock::Outcome::blocked:
            break;
    }
    switch (links) {
        case LinkAction::none:
            return Decision::blocked;
        case LinkAction::pinned:
            return Decision::pinned_target_blocked;
        case LinkAction::watched:
            return Decision::target_protected_target_blocked;
    }
    return Decision::blocked;
}

// A relative protected name is looked up again by path below a root resolved earlier. If a
// component of the root was swapped for a symlink in between (attacks/races.sh), the name
// would resolve into another tree and the root's own entry would stay writable. So
// the first symlink crossed must live strictly inside the root, and without one the result
// must be inside it (a protected link pointing elsewhere is pinned, not moved).
Status check_still_beneath_root(std::string_view root, const std::string& path, const Resolved& r,
                                const RuleRef& rule) {
    if (root.empty()) return {};
    // The chain is in walk order: the first symlink met tells whether the root's own path
    // was still free of symlinks.
    const std::string& first = r.chain.empty() ? r.real : r.chain.front().link;
    bool moved = first == root ? !r.chain.empty() : !path_is_within(first, root);
    if (!moved) return {};
    return Error(ErrorKind::os, "writable root changed while the plan was made")
        .with_path(path)
        .with_errno(EAGAIN)
        .with_origin(rule.origin());
}

Error refuse(const std::string& path, const SymlinkHop& hop, const Resolved& r,
             const RuleRef& rule) {
    Error e(ErrorKind::symlink_refused,
            "sandbox cannot protect '" + path + "': it crosses the writable symlink '" + hop.link +
                "' -> '" + hop.link_text + "' (filesystem.symlinks = \"escalate\")");
    e.path = path;
    e.symlink = hop.link;
    e.target = r.real;
    e.origin = rule.origin();
    e.suggestion =
        "set filesystem.symlinks = \"pin\" or protect the target '" + r.real + "' directly";
    return e;
}

// A protected path whose links loop (.codex -> a -> b -> a): the policy is fine, the tree
// is odd, and what the loop would lead to once repaired cannot be judged now. So 122 with
// the chain, for the user to repair or approve, instead of "invalid policy".
std::string octal_mode(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

Error loop_refusal(const std::string& path, Error e) {
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

}  // namespace

bool is_git_name(std::string_view path) {
    return path.size() >= 5 && path.substr(path.size() - 5) == "/.git";
}

// Whether a proper ancestor of top/name below `top` is a symbolic link. lstat'ed once per
// ancestor and plan: the set's names share a few (.config, .local, .local/share).
bool Protector::link_above(const std::string& top, std::string_view name) {
    for (std::size_t slash = name.find('/'); slash != std::string_view::npos;
         slash = name.find('/', slash + 1)) {
        const std::string dir = path_join(top, name.substr(0, slash));
        auto [it, fresh] = ancestor_is_link_.try_emplace(dir, false);
        if (fresh) {
            struct stat st {};
            it->second = ::lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
        }
        if (it->second) return true;
    }
    return false;
}

// Whether `dir` is HOME or the passwd home (canonical).
bool Protector::is_home(std::string_view dir) const {
    return (!d_.home_real.empty() && dir == d_.home_real) ||
           (!d_.passwd_home_real.empty() && dir == d_.passwd_home_real);
}

// Whether a missing name of `scope` is kept from being created in writable root `root`.
bool Protector::missing_blocked_in(MissingScope scope, std::string_view root) const {
    const bool home = is_home(root);
    const bool workspace = !d_.workspace_real.empty() && root == d_.workspace_real;
    switch (scope) {
        case MissingScope::every_root:
            return true;
        case MissingScope::project:
            return workspace || home;
        case MissingScope::home:
        case MissingScope::home_only:
            return home;
        case MissingScope::parents:
            return false;
    }
    return true;
}

Status Protector::protect_rule(const PathRule& rule) {
    // Kept in the workspace's parents only, by the absolute rules app/own_files.cpp adds.
    if (rule.relative_name && rule.missing == MissingScope::parents) return {};
    // One RuleRef for all the records the rule makes in every root: they share its text.
    const RuleRef ref = rule_ref("filesystem.protect", rule);
    if (!rule.relative_name) return protect_path(rule.path, ref, {});
    for (const auto& root : d_.writable_roots) {
        if (rule.missing == MissingScope::home_only && !is_home(root)) continue;
        Via via{0, root, {}};
        via.block_missing = missing_blocked_in(rule.missing, root);
        SBX_TRY(protect_path(path_join(root, rule.path), ref, via));
    }
    // The names of a set are read at the top of the workspace and of $HOME: where one of them
    // lies inside a writable root that is not that top (HOME below a writable /tmp; a root of
    // ~/.local or ~/.ssh itself), it is protected there too (found by the fifth outside
    // review: ~/.bashrc and ~/.gitconfig were writable with HOME in ${tmpdir}; by the twelfth:
    // ~/.local/bin and ~/.ssh with a root of ~/.local or ~/.ssh, which the denial report's
    // suggestion had proposed).
    // A name that is a symbolic link counts where it leads, too: ~/.ssh -> .dots/ssh with
    // ~/.dots writable (a dotfiles repository) is as writable as the target (thirteenth
    // review). Resolved only when the name exists, to keep the cost of absent names nil.
    if (rule.set.empty()) return {};
    for (const std::string* top : {&d_.workspace_real, &d_.home_real, &d_.passwd_home_real}) {
        if (top->empty() || std::find(d_.writable_roots.begin(), d_.writable_roots.end(), *top) !=
                                d_.writable_roots.end())
            continue;
        if (rule.missing == MissingScope::home_only && !is_home(*top)) continue;
        SBX_TRY(protect_set_name_at(rule, *top, top == &d_.workspace_real));
    }
    return {};
}

Status Protector::protect_at_home(const PathRule& rule, const std::string& home) {
    const auto root = std::find(d_.writable_roots.begin(), d_.writable_roots.end(), home);
    if (root == d_.writable_roots.end()) return protect_set_name_at(rule, home, false);
    Via via{0, *root, {}};  // views the root in Draft::writable_roots, as Via::root must
    via.block_missing = missing_blocked_in(rule.missing, *root);
    return protect_path(path_join(home, rule.path), rule_ref("filesystem.protect", rule), via);
}

// One name of a set at one top (the workspace, HOME or the passwd home) that no writable root
// is: protected there when a writable root holds it, or holds where it leads (protect_rule).
Status Protector::protect_set_name_at(const PathRule& rule, const std::string& top,
                                      bool at_workspace) {
    const std::string at_top = path_join(top, rule.path);
    bool held = d_.writable_place(at_top);
    struct stat st {};
    int absent = ENOENT;  // why it does not exist, when it does not
    bool exists = false;
    if (!d_.surely_missing(at_top)) {
        exists = ::lstat(at_top.c_str(), &st) == 0;
        if (!exists) absent = errno;
    }
    if (!held && !exists && absent == ENOENT && link_above(top, rule.path)) {
        // Missing below a directory that is a link (GNU stow's folding: ~/.config ->
        // dotfiles/config with the repository writable): the name would be created where
        // the link leads (fourteenth review: ~/.config/git/config, ~/.local/bin/git).
        auto r = d_.resolve_path(at_top);
        if (r.ok() && !r->exists) {
            std::string existing = r->real;  // where its first missing part would be made
            for (std::size_t i = path_components(r->missing_tail).size(); i > 0; --i)
                existing = path_parent(existing);
            held = d_.writable_place(existing);
        }
    }
    if (!held && exists) {
        auto r = d_.resolve_rule(at_top, rule.origin, scan_budget() > 0);
        held = r.ok() && d_.writable_place(r->real);
        // A read-only directory of the set can still hold links into writable places:
        // ~/.ssh/config -> ../dotfiles/ssh_config with the dotfiles repository as the
        // workspace (GNU stow) lets the command rewrite what the host's ssh reads (found by
        // the thirteenth review). Only those links' targets are protected: the directory
        // itself is read-only already, so it costs no mount, only the bounded scan.
        if (r.ok() && !held && r->exists && S_ISDIR(r->st.st_mode)) {
            RuleRef inside = rule_ref("filesystem.protect", rule);
            inside.why = "symlink inside " + at_top;
            SBX_TRY(protect_links_inside(r->real, r->fd.get(), r->readable, inside, Via{0, {}, {}},
                                         true));
        }
        // A file of the set with another name, which may be in a writable root (dotfiles
        // installed with ln: ~/.bashrc and the workspace's dotfiles/bashrc; fourteenth
        // review): read-only here is not read-only there.
        if (r.ok() && !held && r->exists && S_ISREG(r->st.st_mode) && r->st.st_nlink > 1 &&
            d_.writable_root_on(r->st.st_dev))
            return hard_link_refusal(KeptAs::read_only, at_top, r->real, r->st.st_nlink,
                                     rule_ref("filesystem.protect", rule));
    }
    if (!held) return {};
    Via via{0, top, {}};
    via.block_missing = !at_workspace || rule.missing != MissingScope::home;
    return protect_path(path_join(top, rule.path), rule_ref("filesystem.protect", rule), via);
}

// A protected path sbxrun cannot resolve because a directory above it may not be searched
// (found running with HOME=/tmp beside root's /tmp/.config, mode 0700: every run failed with
// "cannot resolve '/tmp/.config/fish': Permission denied"; and the sixth outside review made
// every later run fail the same way from inside: mkdir $TMPDIR/.config; chmod 0 it). The
// command runs with sbxrun's uid and no capabilities, so it cannot enter that directory
// either. Where the name is read (a root that blocks it), the directory is made read-only for
// the run: then the command cannot chmod it open (even its own) nor rename it away and build
// another, on both backends (a mount point under bwrap, a protected entry under Landlock), and
// it loses nothing it had. Where no host program looks for the name, nothing is needed.
Result<bool> Protector::beneath_closed_dir(const std::string& path, const std::string& failed,
                                           const RuleRef& rule, const Via& via) {
    const std::string dir = path_parent(failed);
    if (dir == failed || !path_is_within(path, dir)) return false;
    auto r = d_.resolve_path(dir);
    if (!r.ok() || !r->exists || r->real != dir || !S_ISDIR(r->st.st_mode)) return false;
    ProtectDecision pd;
    pd.path = path;
    pd.rule = rule;
    pd.detail = "beneath " + dir + " (uid " + std::to_string(r->st.st_uid) + ", mode " +
                octal_mode(r->st.st_mode) + "), which this user and so the sandbox cannot enter";
    if (!via.block_missing) {
        pd.decision = Decision::missing_unread;
        add_reason(pd.detail, "not blocked: the programs that read it do not look for it here");
        d_.plan.protected_paths.push_back(std::move(pd));
        return true;
    }
    MountOp op;
    op.kind = OpKind::bind_ro;
    op.dest = dir;
    op.dev = r->st.st_dev;
    op.ino = r->st.st_ino;
    op.is_dir = true;
    op.rule = rule;
    op.rule.why = "a directory this user cannot enter, above " + path;
    auto kept = d_.keep_fd(*r);
    if (!kept.ok()) return std::move(kept).error();
    op.fd = *kept;
    d_.add(std::move(op), kProtect);
    SBX_TRY(d_.anchor_ancestors(dir, rule));
    pd.decision = Decision::missing;
    add_reason(pd.detail, "read-only, so that it stays closed");
    d_.plan.protected_paths.push_back(std::move(pd));
    return true;
}

// Protect one path: the thing it resolves to becomes read-only (or, when missing, cannot be
// created), and every symlink on the way that the sandbox could rewrite is pinned.
Status Protector::protect_path(const std::string& path, const RuleRef& rule, const Via& via) {
    // A directory protected here is scanned for links (protect_links_inside): ask for it
    // readable, so the scan reads the descriptor the plan keeps instead of opening another.
    auto r = d_.resolve_rule(path, rule.origin(), via.depth == 0 && scan_budget() > 0);
    if (!r.ok()) {
        Error e = std::move(r).error();
        if (e.sys_errno == EACCES && e.kind == ErrorKind::bad_path) {
            auto closed = beneath_closed_dir(path, e.path.empty() ? path : e.path, rule, via);
            if (!closed.ok()) return std::move(closed).error();
            if (*closed) return {};
        }
        return loop_refusal(path, std::move(e));
    }
    if (via.depth == 0) SBX_TRY(check_still_beneath_root(via.root, path, *r, rule));
    // A ".." on the way, in the path or in a link's text, climbs out of a directory that,
    // renamed and replaced by a link, sends the same path elsewhere (twenty-third review:
    // ~/.gitconfig -> ws/d/../gitconfig; the command moved ws/d away and made it a link, and
    // the host's git read its file). Those the sandbox could rename are kept from it.
    for (const std::string& dir : r->climbed) SBX_TRY(d_.anchor_ancestors(dir + "/.", rule));

    ProtectDecision pd;
    pd.path = path;
    pd.rule = rule;
    for (const auto& hop : r->chain) pd.chain.push_back(hop.link + " -> " + hop.link_text);

    std::vector<const SymlinkHop*> rewritable;
    for (const auto& hop : r->chain) {
        if (d_.writable_place(hop.parent)) rewritable.push_back(&hop);
    }
    LinkAction links = LinkAction::none;
    std::string link_why;  // why the links were pinned / watched, for --explain
    if (!rewritable.empty()) {
        std::string names;
        for (const auto* hop : rewritable) names += (names.empty() ? "" : ", ") + hop->link;
        link_why = names + (rewritable.size() == 1 ? " lives" : " live") +
                   " in a writable place, so the sandbox could repoint " +
                   (rewritable.size() == 1 ? "it" : "them");
        switch (d_.policy.filesystem.symlinks.value) {
            case SymlinkMode::escalate:
                return refuse(path, *rewritable.front(), *r, rule);
            case SymlinkMode::pin:
                for (const auto* hop : rewritable) {
                    RuleRef why = rule;
                    why.why = "symlink on the way to protected " + path;
                    d_.plan.pins.push_back(Pin{hop->link, hop->link_text, r->real, why});
                    SBX_TRY(d_.anchor_ancestors(hop->link, rule));
                }
                links = LinkAction::pinned;
                link_why += ": pinned";
                break;
            case SymlinkMode::follow:
                for (const auto* hop : rewritable) {
                    RuleRef why = rule;
                    why.why = "unpinned symlink on the way to protected " + path;
                    d_.plan.watched.push_back(Pin{hop->link, hop->link_text, r->real, why});
                }
                d_.plan.warnings.push_back(
                    "protecting only the target of '" + path + "' (filesystem.symlinks = " +
                    "\"follow\"): the sandbox can replace the symlink " + chain_text(r->chain));
                links = LinkAction::watched;
                link_why += ": not pinned (filesystem.symlinks = \"follow\")";
                break;
        }
    }

    const bool placeholder = is_placeholder_result(*r);
    if (r->exists && !placeholder && via.depth == 0 && is_git_name(path) &&
        S_ISDIR(r->st.st_mode) && commit_mode() && may_commit_into(*r, GitDirFrom::gitfile)) {
        // filesystem.git = "commit": a .git directory is writable, what runs code is not.
        const std::string real = r->real;
        SBX_TRY(commit_git_dir(path, *r, rule, via.found_by));
        ProtectDecision& done = d_.plan.protected_paths.back();
        done.chain = std::move(pd.chain);
        add_reason(done.detail, link_why);
        if (!via.root.empty()) d_.plan.git_worktrees.emplace_back(via.root);
        SBX_TRY(protect_config_targets(real, path_parent(path), rule));
        return protect_submodules(path_parent(path), real, rule, via.root);
    }
    if (r->exists && !placeholder && S_ISREG(r->st.st_mode) && r->st.st_nlink > 1 &&
        d_.writable_root_on(r->st.st_dev))
        return hard_link_refusal(KeptAs::read_only, path, r->real, r->st.st_nlink, rule);
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
        auto kept = d_.keep_fd(*r);
        if (!kept.ok()) return std::move(kept).error();
        int fd_index = *kept;
        op.fd = fd_index;
        std::string real = op.dest;
        d_.add(std::move(op), kProtect);
        SBX_TRY(d_.anchor_ancestors(real, rule));
        pd.decision = existing_decision(links);
        pd.detail = r->chain.empty() ? "" : "target " + r->real + " read-only";
        add_reason(pd.detail, link_why);
        add_reason(pd.detail, via.found_by);
        d_.plan.protected_paths.push_back(std::move(pd));
        if (dir)
            SBX_TRY(protect_links_inside(r->real, d_.plan.fds[fd_index].get(), readable, rule, via,
                                         true));
        if (!dir && via.depth == 0 && is_git_name(path)) {
            if (commit_mode() && !via.root.empty() && submodule_depth_ == 0)
                d_.plan.git_worktrees.emplace_back(via.root);
            SBX_TRY(follow_gitfile(real, fd_index, rule, via.root));
        }
        if (dir && via.depth == 0 && is_git_name(path)) {
            SBX_TRY(protect_config_targets(real, path_parent(path), rule));
            SBX_TRY(protect_submodules(path_parent(path), real, rule, via.root));
        }
        return {};
    }

    // Missing, where no host program looks for it: nothing to keep from being created. A name
    // reached through a link is not this case (the link says the name is used).
    if (!via.block_missing && r->chain.empty() && !placeholder) {
        pd.decision = Decision::missing_unread;
        pd.detail = "not blocked: the programs that read it do not look for it here";
        d_.plan.protected_paths.push_back(std::move(pd));
        return {};
    }

    // Missing (or only a placeholder of an earlier, concurrent run).
    auto blocked = block_missing(
        d_, *r, placeholder, rule, kProtect,
        r->dangling ? "dangling target of " + chain_text(r->chain) : "missing protected path");
    if (!blocked.ok()) return std::move(blocked).error();
    pd.decision = missing_decision(links, blocked->outcome);
    switch (blocked->outcome) {
        case MissingBlock::Outcome::ignored:
            pd.detail = "filesystem.missing_protected = \"ignore\": it may be created";
            break;
        case MissingBlock::Outcome::not_writable:
            pd.detail = "its parent is not writable in the sandbox";
            break;
        case MissingBlock::Outcome::blocked:
            pd.detail = blocked->name + " cannot be created";
            break;
    }
    add_reason(pd.detail, link_why);
    add_reason(pd.detail, via.found_by);
    d_.plan.protected_paths.push_back(std::move(pd));
    return {};
}

// Symlinks inside a protected directory whose targets the harness will read through
// (a real .codex/ whose config.toml links into the workspace): protect those targets too.
Status Protector::protect_links_inside(const std::string& dir, int dirfd, bool readable,
                                       const RuleRef& rule, const Via& via, bool hard_links) {
    const int budget = scan_budget();
    if (via.depth > 0 || budget <= 0) return {};  // links found in links: not followed
    std::vector<dev_t> devs;
    if (hard_links)
        for (const auto& c : d_.roots)
            if (c.op.kind == OpKind::bind_rw) devs.push_back(c.op.dev);
    auto found = scan_symlinks(dirfd, dir, d_.opts.scan_max_depth, budget, readable, devs);
    if (!found.ok()) {
        d_.plan.warnings.push_back("cannot scan protected directory '" + dir +
                                   "' for symlinks: " + found.error().render());
        return {};
    }
    if (shared_budget_ >= 0) shared_budget_ -= static_cast<int>(found->entries_seen);
    if (!found->hard_linked.empty()) {
        const std::string& f = found->hard_linked.front();
        struct stat st {};
        if (::lstat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1)
            return hard_link_refusal(KeptAs::read_only, f, f, st.st_nlink, rule);
    }
    // Shown by --explain: what the scan looked at, so a link it did not reach is explained.
    std::string& note = d_.plan.notes.emplace_back();
    note.reserve(dir.size() + 80);
    note.append("scanned protected directory '").append(dir).append("' for symlinks: ");
    note.append(std::to_string(found->entries_seen)).append(" entries, ");
    note.append(std::to_string(found->links.size())).append(" symlinks");
    if (found->truncated) {
        // Not a warning: a large protected tree (a real .git) hits the bound on every run,
        // and the links that matter (.codex/config.toml -> ...) sit near the top.
        d_.plan.notes.push_back("the scan of protected directory '" + dir +
                                "' for symlinks stopped at its bound (depth " +
                                std::to_string(d_.opts.scan_max_depth) + ", " +
                                std::to_string(d_.opts.scan_max_entries) + " entries)");
    }
    for (const auto& link : found->links) {
        RuleRef inner = rule;
        inner.why = "symlink inside protected " + dir;
        auto r = d_.resolve_path(link.path);
        if (!r.ok()) continue;  // unresolvable links are the protected dir's own business
        if (!r->exists && r->chain.empty()) continue;
        // Only what the sandbox could change needs anything: the target, or a link on the way
        // to it (a hook linked through a writable link to a read-only target could be
        // retargeted; found by an outside review).
        bool changeable =
            d_.writable_place(r->real) || d_.writable_place(path_parent_view(r->real));
        for (const auto& hop : r->chain) {
            // Judged by every op, so the link found in the read-only .git itself is not.
            const Candidate* c = d_.deciding_op(hop.parent);
            changeable = changeable || (c != nullptr && host_writable_kind(c->op.kind));
        }
        if (!changeable) continue;
        SBX_TRY(
            protect_path(link.path, inner,
                         Via{via.depth + 1, via.root, "found by the scan of protected " + dir}));
    }
    return {};
}

}  // namespace sbx::planning
