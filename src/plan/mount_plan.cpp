#include "plan/mount_plan.hpp"

namespace sbx {

RuleRef::RuleRef(std::string list, std::string text, Origin origin, std::string why)
    : why(std::move(why)),
      source_(std::make_shared<const RuleSource>(
          RuleSource{std::move(list), std::move(text), std::move(origin)})) {}

const RuleSource& RuleRef::source() const {
    static const RuleSource none;
    return source_ ? *source_ : none;
}

const char* to_string(OpKind k) {
    switch (k) {
        case OpKind::bind_ro: return "read-only";
        case OpKind::bind_rw: return "writable";
        case OpKind::hide_dir: return "hidden (empty directory)";
        case OpKind::hide_file: return "hidden (empty file)";
        case OpKind::tmpfs: return "tmpfs";
        case OpKind::block_missing: return "blocked (missing)";
        case OpKind::anchor: return "anchored (cannot be renamed)";
    }
    return "?";
}

const char* to_string(Decision d) {
    switch (d) {
        case Decision::read_only:
            return "read-only";
        case Decision::missing:
            return "missing";
        case Decision::pinned:
            return "pinned";
        case Decision::target_protected:
            return "target protected";
        case Decision::blocked:
            return "blocked";
        case Decision::pinned_target_blocked:
            return "pinned, target blocked";
        case Decision::target_protected_target_blocked:
            return "target protected, target blocked";
        case Decision::missing_ignored:
            return "missing (ignored)";
        case Decision::missing_unread:
            return "missing (not read here)";
        case Decision::git_commit:
            return "writable for commits";
        case Decision::hidden:
            return "hidden by filesystem.deny";
    }
    return "?";
}

}  // namespace sbx
