#include "plan/mount_plan.hpp"

namespace sbx {

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

}  // namespace sbx
