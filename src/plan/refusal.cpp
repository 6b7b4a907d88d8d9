#include "plan/refusal.hpp"

namespace sbx {
namespace {

// Whether `dest` is `path` or one of its ancestors.
bool covers(std::string_view dest, std::string_view path) {
    if (dest == "/") return true;
    if (path.substr(0, dest.size()) != dest) return false;
    return path.size() == dest.size() || path[dest.size()] == '/';
}

bool writable(OpKind k) {
    return k == OpKind::bind_rw || k == OpKind::tmpfs || k == OpKind::anchor;
}

}  // namespace

const char* to_string(RefusalCause::Kind k) {
    switch (k) {
        case RefusalCause::Kind::protected_path:
            return "protected";
        case RefusalCause::Kind::denied:
            return "denied";
        case RefusalCause::Kind::outside:
            return "outside every writable root";
    }
    return "?";
}

RefusalCause refusal_cause(const MountPlan& plan, std::string_view path) {
    // The deepest operation at or above the path; ties go to the later one (applied last).
    const MountOp* deepest = nullptr;
    for (const auto& op : plan.ops) {
        if (!covers(op.dest, path)) continue;
        // A missing protected name: the path is it, or beneath it (a tree made in its place).
        if (op.kind == OpKind::block_missing) return {RefusalCause::Kind::protected_path, &op.rule};
        if (deepest == nullptr || op.dest.size() >= deepest->dest.size()) deepest = &op;
    }
    if (deepest == nullptr) return {};
    switch (deepest->kind) {
        case OpKind::hide_dir:
        case OpKind::hide_file:
            return {RefusalCause::Kind::denied, &deepest->rule};
        case OpKind::bind_ro:
            // A read-only bind inside a writable root is a protection; the read-only roots
            // themselves (filesystem.read, the built-in system directories) are "outside".
            for (const auto& op : plan.ops)
                if (writable(op.kind) && op.dest.size() < deepest->dest.size() &&
                    covers(op.dest, deepest->dest))
                    return {RefusalCause::Kind::protected_path, &deepest->rule};
            return {};
        default:
            break;
    }
    // In a writable root: a protected path at or above it that the plan kept otherwise (a
    // pinned symlink, a git directory's hooks).
    for (const auto& d : plan.protected_paths) {
        if (d.decision == Decision::missing_ignored || d.decision == Decision::missing_unread)
            continue;  // nothing was kept there
        if (covers(d.path, path)) return {RefusalCause::Kind::protected_path, &d.rule};
    }
    return {};
}

std::string rule_name(const RuleRef& r) {
    std::string s = r.list;
    if (!r.text.empty()) s += " \"" + r.text + "\"";
    const std::string where = r.origin.to_string();
    s += where.empty() ? " (built-in default)" : " (" + where + ")";
    return s;
}

}  // namespace sbx
