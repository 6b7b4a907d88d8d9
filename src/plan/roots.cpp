// filesystem.read, filesystem.write and filesystem.tmpfs: the roots, resolved to ops.
#include "plan/roots.hpp"

#include <sys/stat.h>

namespace sbx::planning {

Status add_roots(Draft& d, const std::vector<PathRule>& rules, const char* list, int rank,
                 OpKind kind, RootNames names) {
    for (const auto& rule : rules) {
        auto r = d.resolve_rule(rule.path, rule.origin);
        if (!r.ok()) return std::move(r).error();
        if (!r->exists) {
            // Like bwrap's --bind-try: a root that does not exist grants nothing. Said once,
            // because a typo here silently narrows the sandbox.
            d.plan.warnings.push_back(rule.origin.to_string() + ": '" + rule.path +
                                      "' does not exist; rule ignored");
            continue;
        }
        MountOp op;
        op.kind = kind;
        op.dest = r->real;
        op.dev = r->st.st_dev;
        op.ino = r->st.st_ino;
        op.is_dir = S_ISDIR(r->st.st_mode);
        op.rule = rule_ref(list, rule,
                           r->chain.empty() ? ""
                                            : "given as " + rule.path + ", resolved through " +
                                                  chain_text(r->chain));
        auto kept = d.keep_fd(*r);
        if (!kept.ok()) return std::move(kept).error();
        op.fd = *kept;
        const RuleRef op_rule = op.rule;
        d.add(std::move(op), rank);
        if (kind == OpKind::bind_rw) {
            // A file made writable holds no names: the protected names apply inside the
            // directories only (a writable hook file ended 125, "cannot resolve
            // '.../pre-commit/.git': not a directory").
            if (names == RootNames::apply && S_ISDIR(r->st.st_mode))
                d.writable_roots.push_back(r->real);
            for (const auto& hop : r->chain)
                d.root_links.push_back(
                    CrossedLink{Pin{hop.link, hop.link_text, r->real, op_rule}, hop.parent});
        }
    }
    return {};
}

Status add_tmpfs(Draft& d, const std::vector<PathRule>& rules) {
    for (const auto& rule : rules) {
        auto r = d.resolve_rule(rule.path, rule.origin);
        if (!r.ok()) return std::move(r).error();
        if (!r->exists || !S_ISDIR(r->st.st_mode)) {
            return Error(ErrorKind::not_found, "filesystem.tmpfs needs an existing directory")
                .with_path(rule.path)
                .with_origin(rule.origin);
        }
        MountOp op;
        op.kind = OpKind::tmpfs;
        op.dest = r->real;
        op.rule = rule_ref("filesystem.tmpfs", rule);
        d.add(std::move(op), kWrite);
    }
    return {};
}

}  // namespace sbx::planning
