#include "inner/landlock_apply.hpp"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// The kernel's structures (include/uapi/linux/landlock.h), declared here because Debian 12's
// header lacks the ABI 4 and ABI 6 fields.
struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;  // ABI 4
    std::uint64_t scoped;              // ABI 6
};

struct __attribute__((packed)) PathBeneathAttr {
    std::uint64_t allowed_access;
    std::int32_t parent_fd;
};

constexpr unsigned kCreateRulesetVersion = 1u << 0;
constexpr int kRulePathBeneath = 1;

struct NetPortAttr {  // struct landlock_net_port_attr (ABI 4)
    std::uint64_t allowed_access;
    std::uint64_t port;
};
constexpr int kRuleNetPort = 2;

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

}  // namespace

int landlock_kernel_abi() {
    long abi = ::syscall(__NR_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
    return abi < 0 ? 0 : static_cast<int>(abi);
}

int landlock_create_fs_ruleset(std::uint64_t handled_fs) {
    const std::uint64_t attr[1] = {handled_fs};
    return static_cast<int>(::syscall(__NR_landlock_create_ruleset, attr, sizeof attr, 0));
}

int landlock_add_path_rule(int ruleset, int fd, std::uint64_t access) {
    PathBeneathAttr pb{};
    pb.allowed_access = access;
    pb.parent_fd = fd;
    return ::syscall(__NR_landlock_add_rule, ruleset, kRulePathBeneath, &pb, 0) == 0 ? 0 : errno;
}

int landlock_restrict(int ruleset) noexcept {
    return ::syscall(__NR_landlock_restrict_self, ruleset, 0) == 0 ? 0 : errno;
}

int landlock_effective_abi() {
    int abi = landlock_kernel_abi();
    if (abi > ll::kNewestKnownAbi) abi = ll::kNewestKnownAbi;
    if (const char* knob = std::getenv("SBXRUN_LANDLOCK_ABI_MAX"); knob && *knob) {
        char* end = nullptr;
        long v = std::strtol(knob, &end, 10);
        // Only ever lowers: anything unparsable or out of range leaves the real ABI.
        if (*end == '\0' && v >= 0 && v <= ll::kNewestKnownAbi && v < abi)
            abi = static_cast<int>(v);
    }
    return abi;
}

Result<PreparedLandlock> prepare_landlock(const LandlockSpec& spec) {
    if (spec.abi < 1 || spec.abi > ll::kNewestKnownAbi) {
        return Error(ErrorKind::internal,
                     "Landlock ruleset computed for unknown ABI " + std::to_string(spec.abi));
    }
    const std::uint64_t fs_mask = ll::fs_rights_for_abi(spec.abi);
    const bool refuse_truncate = spec.abi < 3 && (spec.handled_fs & ll::kTruncate);
    const bool refuse_unix = spec.abi < 6 && (spec.scoped & ll::kScopeAbstractUnix);

    RulesetAttr attr{spec.handled_fs & fs_mask, spec.handled_net & ll::net_rights_for_abi(spec.abi),
                     spec.scoped & ll::scopes_for_abi(spec.abi)};
    // The kernel accepts a shorter struct from older callers; pass only the fields the ABI
    // knows, so an older kernel does not reject a field it has never heard of.
    std::size_t size = sizeof(std::uint64_t);
    if (spec.abi >= 4) size = 2 * sizeof(std::uint64_t);
    if (spec.abi >= 6) size = 3 * sizeof(std::uint64_t);

    long rfd = ::syscall(__NR_landlock_create_ruleset, &attr, size, 0);
    if (rfd < 0) return os_error("cannot create the Landlock ruleset", errno);
    PreparedLandlock out;
    out.ruleset.reset(static_cast<int>(rfd));

    for (const auto& rule : spec.rules) {
        PathBeneathAttr pb{};
        pb.allowed_access = rule.access & attr.handled_access_fs;
        pb.parent_fd = rule.fd;
        if (pb.allowed_access == 0) continue;  // the kernel refuses empty rules (ENOMSG)
        if (::syscall(__NR_landlock_add_rule, out.ruleset.get(), kRulePathBeneath, &pb, 0) != 0) {
            return os_error("cannot add a Landlock rule for fd " + std::to_string(rule.fd), errno);
        }
    }
    // TCP ports connect(2) may reach (network allowlist: the proxy's). Landlock matches the
    // port only, whatever the address: backend/landlock_compile.cpp lists that as approximated.
    for (auto port : spec.connect_ports) {
        NetPortAttr np{};
        np.allowed_access = ll::kNetConnectTcp & attr.handled_access_net;
        np.port = port;
        if (np.allowed_access == 0) {
            return Error(ErrorKind::internal,
                         "a Landlock TCP connect rule without handled TCP access (ABI " +
                             std::to_string(spec.abi) + ")");
        }
        if (::syscall(__NR_landlock_add_rule, out.ruleset.get(), kRuleNetPort, &np, 0) != 0)
            return os_error("cannot add a Landlock rule for TCP port " + std::to_string(port),
                            errno);
    }
    out.compensation = compensation_program(refuse_truncate, refuse_unix);
    return out;
}

int enforce_landlock(const PreparedLandlock& prepared) noexcept {
    if (::syscall(__NR_landlock_restrict_self, prepared.ruleset.get(), 0) != 0) return errno;
    return load_seccomp(prepared.compensation);
}

Status apply_landlock(const LandlockSpec& spec) {
    auto prepared = prepare_landlock(spec);
    if (!prepared) return std::move(prepared).error();
    if (::syscall(__NR_landlock_restrict_self, prepared->ruleset.get(), 0) != 0)
        return os_error("cannot enforce the Landlock ruleset", errno);
    if (int err = load_seccomp(prepared->compensation); err != 0)
        return os_error("cannot load the Landlock compensation seccomp filter", err);
    return {};
}

}  // namespace sbx
