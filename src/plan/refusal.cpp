#include "plan/refusal.hpp"

#include "util/home_dot_names.hpp"

namespace sbx {
namespace {

// Whether `dest` is `path` or one of its ancestors.
bool covers(std::string_view dest, std::string_view path) {
    if (dest == "/") return true;
    if (path.substr(0, dest.size()) != dest) return false;
    return path.size() == dest.size() || path[dest.size()] == '/';
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether `path` is `dest` or beneath it, the last name of `dest` compared without ASCII case:
// the brokers refuse a blocked name in any case (a case-folding directory would open it).
bool covers_any_case(std::string_view dest, std::string_view path) {
    const auto slash = dest.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return covers(dest, path);
    const std::string_view parent = dest.substr(0, slash + 1);  // with its '/'
    if (path.substr(0, parent.size()) != parent) return false;
    const std::string_view name = dest.substr(slash + 1);
    const std::string_view rest = path.substr(parent.size());
    if (rest.size() < name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (lower(rest[i]) != lower(name[i])) return false;
    return rest.size() == name.size() || rest[name.size()] == '/';
}

// A protected path of the plan's decisions at or above `path` (one that was kept).
const ProtectDecision* protected_at(const MountPlan& plan, std::string_view path) {
    for (const auto& d : plan.protected_paths) {
        if (d.decision == Decision::missing_ignored || d.decision == Decision::missing_unread)
            continue;  // nothing was kept there
        if (covers(d.path, path)) return &d;
    }
    return nullptr;
}

bool writable(OpKind k) {
    return k == OpKind::bind_rw || k == OpKind::tmpfs || k == OpKind::anchor;
}

// A rule's own cause: what a filesystem.deny rule keeps (its missing path, the directories
// above it, a link to it) is denied, not protected (thirty-ninth review: "protected" and
// "outside every writable root" for those told a harness the wrong thing to ask about).
RefusalCause cause_of(const RuleRef& rule) {
    return {rule.list() == "filesystem.deny" ? RefusalCause::Kind::denied
                                             : RefusalCause::Kind::protected_path,
            &rule};
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

bool sandbox_may_change(const MountPlan& plan, std::string_view path) {
    const MountOp* deepest = nullptr;
    for (const auto& op : plan.ops)
        if (covers(op.dest, path) && (deepest == nullptr || op.dest.size() >= deepest->dest.size()))
            deepest = &op;
    return deepest != nullptr && deepest->kind == OpKind::bind_rw;
}

RefusalCause refusal_cause(const MountPlan& plan, std::string_view path) {
    // The deepest operation at or above the path; ties go to the later one (applied last).
    const MountOp* deepest = nullptr;
    for (const auto& op : plan.ops) {
        if (!covers(op.dest, path)) continue;
        // A missing protected name: the path is it, or beneath it (a tree made in its place).
        if (op.kind == OpKind::block_missing) return cause_of(op.rule);
        // An anchored directory itself: a mount point, which cannot be renamed or removed.
        if (op.kind == OpKind::anchor && op.dest == path) return cause_of(op.rule);
        if (deepest == nullptr || op.dest.size() >= deepest->dest.size()) deepest = &op;
    }
    // The same name in another case (.ENVRC for .envrc).
    for (const auto& op : plan.ops)
        if (op.kind == OpKind::block_missing && covers_any_case(op.dest, path))
            return cause_of(op.rule);
    // A pinned link itself (removed, renamed, replaced): the rule that pinned it.
    for (const Pin& pin : plan.pins)
        if (pin.link == path) return cause_of(pin.rule);
    if (deepest == nullptr) return {};
    // A writable root's own top keeps its mode, owner and xattrs, and cannot be moved: what the
    // sandbox may not change there is the root's to keep, not outside it (fortieth review: a
    // chmod of the workspace itself read "outside every writable root").
    if (writable(deepest->kind) && deepest->dest == path)
        return {RefusalCause::Kind::protected_path, &deepest->rule};
    switch (deepest->kind) {
        case OpKind::hide_dir:
        case OpKind::hide_file:
            return {RefusalCause::Kind::denied, &deepest->rule};
        case OpKind::bind_ro:
            // A read-only bind inside a writable root is a protection; the read-only roots
            // themselves (filesystem.read, the built-in system directories) are "outside",
            // unless the policy protects the path there too (~/.docker in filesystem.protect).
            for (const auto& op : plan.ops)
                if (writable(op.kind) && op.dest.size() < deepest->dest.size() &&
                    covers(op.dest, deepest->dest))
                    return {RefusalCause::Kind::protected_path, &deepest->rule};
            break;
        default:
            break;
    }
    // A new dot-entry at the top of a writable HOME, or beneath one (plan/home_dotfiles.hpp):
    // the plan's decision for "HOME/.*" names the rule.
    for (const auto& b : plan.dot_blocks) {
        if (path.size() <= b.dir.size() + 1 || !covers(b.dir, path)) continue;
        std::string_view rest = path.substr(b.dir == "/" ? 1 : b.dir.size() + 1);
        std::string name(rest.substr(0, rest.find('/')));
        for (char& c : name) c = lower(c);
        if (!home_dot_name_blocked(name)) continue;
        const std::string all = b.dir + (b.dir == "/" ? ".*" : "/.*");
        for (const auto& d : plan.protected_paths)
            if (d.path == all) return {RefusalCause::Kind::protected_path, &d.rule};
    }
    // A protected path at or above it that the plan kept otherwise (a pinned symlink, a git
    // directory's hooks, a protected path outside every writable root).
    if (const ProtectDecision* d = protected_at(plan, path))
        return {RefusalCause::Kind::protected_path, &d->rule};
    return {};
}

std::string rule_name(const RuleRef& r) {
    std::string s = r.list();
    if (!r.text().empty()) s += " \"" + r.text() + "\"";
    const std::string where = r.origin().to_string();
    s += where.empty() ? " (built-in default)" : " (" + where + ")";
    return s;
}

}  // namespace sbx
