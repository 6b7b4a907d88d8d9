// The entry broker: how sbxrun-inner keeps missing protected names from being created under
// bwrap, without placeholders on the host.
//
// The command's forked child (never sbxrun-inner itself) gets, before exec:
//   - a Landlock ruleset that handles only the entry rights (every MAKE_*, REMOVE_DIR,
//     REMOVE_FILE, REFER; never read, write, execute, truncate or ioctl, so nothing else about
//     the sandbox changes). Let P be the directories that hold blocked names (InnerSpec's
//     entry_blocks) and all their ancestors up to "/", as the sandbox sees them. Every entry of a
//     directory of P that is a directory and not itself in P gets a rule with all those rights
//     (on a read-only mount only those that lead to a writable mount: elsewhere EROFS comes
//     first, inner/mount_table.hpp); P gets none. So entries beneath an existing subdirectory are
//     made natively, and the kernel refuses every entry change in P itself: bind(2) of a socket
//     and anything else this broker does not see included (EACCES).
//   - a seccomp filter (inner/metadata_filter.hpp's build_entry_filter) that sends the entry
//     calls (open/openat/creat with O_CREAT or for writing, mkdir, mknod, symlink, link,
//     unlink, rmdir, rename*; an open for writing without O_CREAT and truncate(2) only for the
//     denial report), and every metadata call (chmod, chown, utimes, xattrs: the broker
//     performs them, see metadata_verdict) to sbxrun-inner through a listener passed back over
//     a socketpair.
// sbxrun-inner, the command's parent in the same root, mounts and pid namespace, answers each
// one in the sandbox's own view: read-only mounts and mount points stay enforced by the kernel
// for its own calls, and paths resolve as the command's do. The entry is resolved once to a
// directory descriptor and a name (inner/entry_perform.hpp); the directory's ancestry by ".."
// reaches either a granted directory first (the kernel goes on: Landlock allows it natively and
// still enforces underneath) or a directory of P (the broker acts): it refuses a blocked name of
// a blocked directory (EACCES; compared without case, and on a case-folding directory any name
// that is not ASCII), refuses to remove or move a directory of P, and otherwise performs the
// call itself on the descriptor (the command's umask, O_EXCL | O_NOFOLLOW for a new file,
// handed over with SECCOMP_IOCTL_NOTIF_ADDFD). What it cannot resolve goes on to the kernel,
// where Landlock refuses every change in P: undecided never means allowed there.
//
// sbxrun-inner is not dumpable, holds no capabilities and is not under this ruleset or filter.
// If it dies the pid namespace ends; a call pending on a closed listener fails (ENOSYS).
//
// Cost: one trip through sbxrun-inner for each entry call in P and beneath a directory made in
// P during the run (a new top-level directory of a workspace has no rule of its own); the rest
// costs a seccomp notification and a walk up its ancestry before the kernel goes on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "inner/ancestry.hpp"
#include "inner/denial_log.hpp"
#include "inner/inner_spec.hpp"
#include "inner/mount_table.hpp"
#include "inner/seccomp_filter.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// The broker's decisions, on identities only (unit-tested without processes).
class EntryBrokerRules {
public:
    enum class Reach {
        native,   // a granted directory comes first: Landlock allows it, the kernel goes on
        broker,   // a directory of P comes first: the broker decides and acts
        unknown,  // neither (the walk failed): the kernel goes on, Landlock refuses in P
    };

    void add_protected(FileId id) { protected_.insert(id); }
    void add_granted(FileId id) { granted_.insert(id); }
    // The blocked names of directory `dir`; `casefold`: the directory folds case (ext4 +F);
    // `dot_names`: every name starting with a dot is blocked too (util/home_dot_names.hpp).
    void add_blocked(FileId dir, const std::vector<std::string>& names, bool casefold,
                     bool dot_names = false);

    [[nodiscard]] bool is_protected(FileId id) const { return protected_.count(id) != 0; }
    [[nodiscard]] bool is_granted(FileId id) const { return granted_.count(id) != 0; }
    // `chain`: a directory first, then its ancestors up to "/".
    [[nodiscard]] Reach reach(const std::vector<FileId>& chain) const;
    // Whether `name` in `dir` is one of its blocked names (ASCII case folded; on a case-folding
    // directory every name with a byte above 0x7f too).
    [[nodiscard]] bool blocked(FileId dir, std::string_view name) const;

    // The sandbox's own mounts (inner/mount_table.hpp), by mount ID. A metadata call (chmod,
    // chown, utimes, xattrs) is performed only on an object of one of them that is not the top
    // of a writable one:
    //   - a descriptor the caller handed over (`sort < /etc/shadow`, a `--tty never` terminal)
    //     is of a mount of the host's, writable there whatever the sandbox's view says
    //     (the twenty-seventh review: root's command made /etc/shadow mode 0666 through it);
    //     so are pipes, sockets and memfds, which the kernel keeps on internal mounts;
    //   - the top of a writable root is also an entry of the directory it sits in, outside the
    //     roots (${tmpdir} = /tmp as root: chmod 0777 /tmp took the host's sticky bit away,
    //     the twenty-sixth review): what may be done to it is inner/metadata_perform.hpp's
    //     top_change, as under the Landlock backend.
    enum class MetadataVerdict { allowed, not_a_sandbox_mount, top_of_writable_mount };
    void add_mount(std::uint64_t id, bool writable) { mounts_[id] = writable; }
    [[nodiscard]] MetadataVerdict metadata_verdict(std::uint64_t mount_id, bool mount_root) const;

    [[nodiscard]] std::size_t granted_count() const { return granted_.size(); }
    [[nodiscard]] std::size_t protected_count() const { return protected_.size(); }

private:
    struct Blocked {
        std::vector<std::string> names;  // lower-cased
        bool casefold = false;
        bool dot_names = false;  // every dot-name (EntryBlock::dot_names)
    };
    std::unordered_set<FileId, FileIdHash> protected_;
    std::unordered_set<FileId, FileIdHash> granted_;
    std::unordered_map<FileId, Blocked, FileIdHash> blocked_;
    std::unordered_map<std::uint64_t, bool> mounts_;  // mount ID -> writable
};

// Everything the broker needs, made before the fork (nothing is allocated after it).
struct PreparedBroker {
    EntryBrokerRules rules;
    UniqueFd ruleset;       // Landlock, entry rights only; enforced by the child (none: no block)
    SeccompProgram filter;  // build_entry_filter(observe_network)
    UniqueFd parent_sock;   // the listener arrives here
    UniqueFd child_sock;    // the child sends it from here
};

// Check each block's directory (found without symlinks, the inode the plan checked), walk P,
// list it, build the ruleset and the filter. Blocks need Landlock ABI >= 2 (REFER): without it
// every rename across directories would be refused. With no block there is no ruleset, and the
// broker serves the metadata calls and the denial report only. Errors refuse the run.
// `mounts`: the sandbox's mount table (inner/mount_table.hpp), read once by the caller;
// nullopt: unknown, every directory of P has all its subdirectories granted, and every
// metadata call is refused (no object is known to be the sandbox's). `observe_network`: the
// network namespace has no way out but loopback, and the broker also notes the command's
// connections and datagrams to unroutable addresses (inner/net_observe.hpp).
[[nodiscard]] Result<PreparedBroker> prepare_entry_broker(
    const std::vector<EntryBlock>& blocks,
    const std::optional<std::vector<MountPoint>>& mounts = std::nullopt,
    bool observe_network = false);

// In the forked child, before exec: enforce the ruleset, load the filter with a listener and
// send the listener to the parent. Async-signal-safe: 0 or an errno value.
[[nodiscard]] int enter_entry_broker(const PreparedBroker& b) noexcept;

// In the parent: read one notification from `listener` and answer it, adding to `log` (may be
// null) what the broker refused or saw the kernel about to refuse. Never fails.
void answer_entry_broker_call(int listener, const EntryBrokerRules& rules, DenialLog* log) noexcept;

}  // namespace sbx
