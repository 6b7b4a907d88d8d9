// filesystem.deny (deny.hpp): hide, keep the links on the way, block what is missing.
#include "plan/deny.hpp"

#include <sys/stat.h>

#include <array>
#include <optional>
#include <vector>

#include "fs/mount_aliases.hpp"
#include "fs/path.hpp"
#include "fs/scan.hpp"
#include "plan/missing.hpp"

namespace sbx::planning {
namespace {

// The first file with other names inside a denied directory, within the scan's bounds (the
// same as for protected directories), or "" when there is none.
std::string hard_linked_inside(Draft& d, const Resolved& r) {
    const std::array<dev_t, 1> devs{r.st.st_dev};
    auto found = scan_symlinks(r.fd.get(), r.real, d.opts.scan_max_depth, d.opts.scan_max_entries,
                               r.readable, devs);
    if (!found.ok()) {
        d.plan.warnings.push_back("cannot scan denied directory '" + r.real +
                                  "' for hard links: " + found.error().render());
        return {};
    }
    return found->hard_linked.empty() ? std::string() : found->hard_linked.front();
}

// The other places the host mounts what `op` hides (fs/mount_aliases.hpp), each hidden too:
// read through them, a bind mount of ~/.ssh showed what its rule hides (thirty-ninth review).
// A candidate is taken only where it still shows the object (or, for a mount of a part of a
// denied directory, is a directory or file there), reached without a symlink.
Status hide_mount_aliases(Draft& d, const MountOp& op, const PathRule& rule,
                          const std::optional<std::vector<MountPoint>>& mounts) {
    if (!mounts) return {};
    for (const MountAlias& a : mount_aliases(op.dest, static_cast<dev_t>(op.dev), *mounts)) {
        auto r = d.resolve_rule(a.path, rule.origin);
        if (!r.ok() || !r->exists || r->real != a.path || !r->chain.empty()) continue;
        const bool same = r->st.st_dev == op.dev && r->st.st_ino == op.ino;
        if (!same && !a.inside) continue;  // something else is mounted over it now
        // A mount of a part of the denied directory that holds a writable root (the workspace
        // bound from inside a denied /home) is hidden too, and the run refused (125): under
        // Landlock a grant belongs to the inode, so the root's grant would open that part of
        // the denied directory at its own path and every mount below it (forty-second review:
        // a tmpfs inside the denied directory read and written); under bwrap the rest of the
        // mount would be shown. The workspace is denied content: deny something narrower.
        MountOp alias;
        alias.kind = S_ISDIR(r->st.st_mode) ? OpKind::hide_dir : OpKind::hide_file;
        alias.is_dir = S_ISDIR(r->st.st_mode);
        alias.dest = r->real;
        alias.dev = r->st.st_dev;
        alias.ino = r->st.st_ino;
        alias.mount_alias = true;
        alias.rule = rule_ref("filesystem.deny", rule,
                              (a.inside ? "a mount of a part of " : "another mount of ") + op.dest);
        d.add(std::move(alias), kDeny);
    }
    return {};
}

}  // namespace

Result<DenyFindings> add_denied(Draft& d, const std::vector<PathRule>& rules) {
    DenyFindings found;
    std::optional<std::optional<std::vector<MountPoint>>> mounts;  // read at the first need
    for (const auto& rule : rules) {
        std::vector<std::string> paths;
        if (rule.relative_name) {
            for (const auto& root : d.writable_roots) paths.push_back(path_join(root, rule.path));
        } else {
            paths.push_back(rule.path);
        }
        for (const auto& path : paths) {
            auto r = d.resolve_rule(path, rule.origin);
            if (!r.ok()) return std::move(r).error();
            // Nothing on the host to hide, but the sandbox must not be able to create it
            // either (blocked once the writable places are known: block_missing_denied).
            if (!r->exists || is_placeholder_result(*r)) {
                for (const auto& hop : r->chain) {
                    found.links.push_back(DeniedLink{
                        Pin{hop.link, hop.link_text, r->real, rule_ref("filesystem.deny", rule)},
                        hop.parent});
                }
                found.missing.push_back(
                    MissingDenied{path, rule_ref("filesystem.deny", rule), std::move(r).value()});
                continue;
            }
            const RuleRef ref = rule_ref("filesystem.deny", rule);
            if (S_ISREG(r->st.st_mode) && r->st.st_nlink > 1)
                return hard_link_refusal(KeptAs::hidden, path, r->real, r->st.st_nlink, ref);
            if (S_ISDIR(r->st.st_mode)) {
                if (std::string f = hard_linked_inside(d, *r); !f.empty()) {
                    struct stat st {};
                    if (::lstat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1)
                        return hard_link_refusal(KeptAs::hidden, path, f, st.st_nlink, ref);
                }
            }
            MountOp op;
            op.kind = S_ISDIR(r->st.st_mode) ? OpKind::hide_dir : OpKind::hide_file;
            op.is_dir = S_ISDIR(r->st.st_mode);
            op.dest = r->real;  // a denied symlink hides its target (spec section 4)
            op.dev = r->st.st_dev;
            op.ino = r->st.st_ino;
            op.rule =
                rule_ref("filesystem.deny", rule,
                         r->chain.empty() ? "" : "target of symlink " + r->chain.front().link);
            for (const auto& hop : r->chain) {
                found.links.push_back(
                    DeniedLink{Pin{hop.link, hop.link_text, r->real, op.rule}, hop.parent});
            }
            if (!mounts) mounts = read_mount_table();
            SBX_TRY(hide_mount_aliases(d, op, rule, *mounts));
            d.add(std::move(op), kDeny);
        }
    }
    return found;
}

// The sandbox could remove such a link, and the next run would find nothing to hide and show
// the target.
Status keep_crossed_links(Draft& d, const std::vector<CrossedLink>& links,
                          const std::string& what) {
    for (const auto& link : links) {
        if (!d.writable_place(link.parent)) continue;
        Pin pin = link.pin;
        pin.rule.why = "symlink on the way to " + what + " " + pin.target;
        switch (d.policy.filesystem.symlinks.value) {
            case SymlinkMode::escalate: {
                Error e(ErrorKind::symlink_refused,
                        "sandbox cannot keep the " + what + " '" + pin.target +
                            "' where it is: it is reached through the writable symlink '" +
                            pin.link + "' -> '" + pin.link_text +
                            "' (filesystem.symlinks = \"escalate\")");
                e.path = pin.rule.text();
                e.symlink = pin.link;
                e.target = pin.target;
                e.origin = pin.rule.origin();
                e.suggestion = "set filesystem.symlinks = \"pin\" or name the target '" +
                               pin.target + "' directly";
                return e;
            }
            case SymlinkMode::pin:
                SBX_TRY(d.anchor_ancestors(pin.link, pin.rule));
                d.plan.pins.push_back(std::move(pin));
                break;
            case SymlinkMode::follow:
                d.plan.warnings.push_back("the sandbox can replace the symlink '" + pin.link +
                                          "' to " + what + " '" + pin.target +
                                          "' (filesystem.symlinks = \"follow\")");
                d.plan.watched.push_back(std::move(pin));
                break;
        }
    }
    return {};
}

// A denied path that does not exist yet names something host programs will read once it
// does (~/.ssh/config, ~/.aws/credentials, or the target of a dangling ~/.ssh link into the
// workspace): if the sandbox could create it, it could plant a file those programs trust
// (an ssh ProxyCommand runs outside any sandbox). So it is blocked like a missing protected
// path, under the same missing_protected setting, wherever its parent is writable.
Status block_missing_denied(Draft& d, std::vector<MissingDenied>& missing) {
    for (auto& m : missing) {
        const bool placeholder = is_placeholder_result(m.r);
        auto blocked = block_missing(
            d, m.r, placeholder, m.rule, kDeny,
            m.r.dangling ? "dangling target of denied " + m.path : "missing denied path");
        if (!blocked.ok()) return std::move(blocked).error();
        if (blocked->outcome != MissingBlock::Outcome::blocked) {
            if (!placeholder) d.plan.denied_missing.push_back(m.r.real);
            continue;
        }
        ProtectDecision pd;
        pd.path = m.path;
        pd.rule = m.rule;
        for (const auto& hop : m.r.chain) pd.chain.push_back(hop.link + " -> " + hop.link_text);
        pd.decision = Decision::blocked;
        pd.detail = blocked->name + " cannot be created (denied, missing)";
        d.plan.protected_paths.push_back(std::move(pd));
    }
    return {};
}

Status refuse_hidden_workspace(const Draft& d) {
    if (d.workspace_real.empty()) return {};
    for (const auto& c : d.candidates) {
        const MountOp& op = c.op;
        if ((op.kind != OpKind::hide_dir && op.kind != OpKind::hide_file) ||
            (op.dest != d.workspace_real && op.dest != "/"))
            continue;
        Error e(ErrorKind::bad_path,
                "filesystem.deny \"" + op.rule.text() + "\" hides " +
                    (op.dest == "/" ? std::string("everything") : "the workspace " + op.dest));
        e.origin = op.rule.origin();
        e.path = op.dest;
        e.suggestion = "deny the paths inside it that the command must not read";
        return e;
    }
    return {};
}

}  // namespace sbx::planning
