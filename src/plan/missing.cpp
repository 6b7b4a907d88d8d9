// block_missing (missing.hpp): a missing protected or denied path that cannot be created.
#include "plan/missing.hpp"

#include "fs/path.hpp"

namespace sbx::planning {

Result<MissingBlock> block_missing(Draft& d, Resolved& r, bool placeholder, const RuleRef& rule,
                                   int rank, const std::string& why) {
    std::string tail = placeholder ? std::string() : r.missing_tail;
    auto tail_parts = path_components(tail);
    std::string existing = r.real;
    for (std::size_t i = 0; i < tail_parts.size(); ++i) existing = path_parent(existing);
    std::string first_missing =
        tail_parts.empty() ? r.real : path_join(existing, tail_parts.front());
    std::string parent = tail_parts.empty() ? path_parent(r.real) : existing;

    if (d.policy.filesystem.missing_protected.value == MissingProtected::ignore)
        return MissingBlock{MissingBlock::Outcome::ignored, {}};
    if (!d.writable_place(parent)) return MissingBlock{MissingBlock::Outcome::not_writable, {}};
    MountOp op;
    op.kind = OpKind::block_missing;
    op.dest = first_missing;
    op.is_dir = false;
    op.rule = rule;
    op.rule.why = why;
    if (placeholder) {
        // Another run's placeholder stands there: this run joins it, through the parent
        // directory, like any missing name.
        auto p = d.resolve_rule(parent, rule.origin());
        if (!p.ok()) return std::move(p).error();
        auto kept = d.keep_fd(*p);
        if (!kept.ok()) return std::move(kept).error();
        op.fd = *kept;
    } else {
        auto kept = d.keep_fd(r);
        if (!kept.ok()) return std::move(kept).error();
        op.fd = *kept;
    }
    d.add(std::move(op), rank);
    SBX_TRY(d.anchor_ancestors(first_missing, rule));
    return MissingBlock{MissingBlock::Outcome::blocked, std::move(first_missing)};
}

}  // namespace sbx::planning
