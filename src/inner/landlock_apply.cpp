#include "inner/landlock_apply.hpp"

#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// Debian 12's <linux/landlock.h> stops at ABI 2: the structures we need beyond it are declared
// here with the kernel's layout (include/uapi/linux/landlock.h).
struct RulesetAttr {
    __u64 handled_access_fs;
    __u64 handled_access_net;  // ABI 4
    __u64 scoped;              // ABI 6
};

struct NetPortAttr {
    __u64 allowed_access;
    __u64 port;
};

}  // namespace

int landlock_kernel_abi() {
    long abi = ::syscall(__NR_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : static_cast<int>(abi);
}

Status apply_landlock(const LandlockSpec& spec) {
    RulesetAttr attr{spec.handled_fs, spec.handled_net, spec.scoped};
    // The kernel accepts a shorter struct from older callers; pass only the fields the ABI the
    // masks were computed for knows, so an older kernel does not reject unknown fields.
    std::size_t size = sizeof(__u64);
    if (spec.abi >= 4) size = 2 * sizeof(__u64);
    if (spec.abi >= 6) size = 3 * sizeof(__u64);

    long rfd = ::syscall(__NR_landlock_create_ruleset, &attr, size, 0);
    if (rfd < 0) return os_error("cannot create the Landlock ruleset", errno);
    UniqueFd ruleset(static_cast<int>(rfd));

    for (const auto& rule : spec.rules) {
        landlock_path_beneath_attr pb{};
        pb.allowed_access = rule.access;
        pb.parent_fd = rule.fd;
        if (::syscall(__NR_landlock_add_rule, ruleset.get(), LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
            return os_error("cannot add a Landlock rule for fd " + std::to_string(rule.fd), errno);
        }
    }
    if (::syscall(__NR_landlock_restrict_self, ruleset.get(), 0) != 0) {
        return os_error("cannot enforce the Landlock ruleset", errno);
    }
    return {};
}

}  // namespace sbx
