#include "backend/landlock_compile.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "backend/network_support.hpp"
#include "inner/ancestry.hpp"
#include "inner/landlock_apply.hpp"

namespace sbx {
namespace {

// A directory above a protected or denied path has each of its entries granted on its own, each
// by an open descriptor until the ruleset is made: one with more entries than sbxrun may hold
// open (a /tmp of 100,000 files above a workspace inside it) cannot be expressed. Say which
// directory and what to do, not just "Too many open files".
Error too_many_entries(const std::string& dir, std::size_t entries) {
    Error e = os_error("cannot open an entry for the Landlock rules", EMFILE);
    rlimit rl{};
    const std::string limit = ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY
                                  ? std::to_string(rl.rlim_max)
                                  : "unknown";
    e.details.push_back(dir + " has " + std::to_string(entries) +
                        " entries, each granted with a descriptor of its own (a protected or "
                        "denied path lies inside it), past the hard limit of open files (" +
                        limit + ", ulimit -Hn)");
    e.details.push_back(
        "raise that limit (as root), or run with the bwrap backend, which needs no such rules");
    return e;
}

// A place below which an ancestor's rule may carry only `allowed` (a protect, deny, pin...).
// A path beneath which less is allowed than around it. It views the plan's strings (an op's
// destination, a pin's link) or a constant, never a copy: 10,000 protected paths are 10,000
// constraints, and the description is only wanted for the few a message names.
struct Constraint {
    enum class Source { op, op_missing, pin, kept, other_terminals };
    std::string_view path;
    std::uint64_t allowed = 0;
    Source source = Source::op;
    const MountOp* op = nullptr;  // Source::op and op_missing: the operation (its rule)
    std::size_t order = 0;        // position in plan order: messages list holes in that order
    bool builtin = false;  // sbxrun's own (other terminals): always carved out, in every mode

    // "filesystem.protect /w/.git", for the messages.
    [[nodiscard]] std::string what() const {
        const std::string p(path);
        switch (source) {
            case Source::op:
            case Source::op_missing: {
                std::string w = op->rule.list().empty() ? p : op->rule.list() + " " + p;
                return source == Source::op ? w : w + " (must not be created)";
            }
            case Source::pin:
                return "pinned symlink " + p;
            case Source::kept:
                return "kept where it is: " + p;
            case Source::other_terminals:
                return "other terminals in " + p;
        }
        return p;
    }
};

bool is_under(std::string_view path, std::string_view dir) {
    if (dir == "/") return path.size() > 1 && path[0] == '/';
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
           path[dir.size()] == '/';
}

std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string describe_loss(std::uint64_t lost) {
    std::vector<std::string> parts;
    if (lost & ll::kReadDir) parts.emplace_back("cannot be listed");
    if (lost & ll::kMake) parts.emplace_back("new entries cannot be created in it");
    if (lost & ll::kRemove)
        parts.emplace_back("its entries cannot be removed or renamed");
    else if (lost & ll::kRefer)
        parts.emplace_back("its entries cannot be moved to other directories");
    if (parts.empty()) parts.emplace_back("some rights are withheld on the directory itself");
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
    return s;
}

// A directory whose creations, removals and renames sbxrun performs (LandlockRestrictedDir):
// what is still given up there.
std::string describe_mediated(std::uint64_t lost) {
    std::string s =
        "new entries, removals and renames at its top are made by sbxrun on the command's "
        "behalf; hard links and unix sockets cannot be made in what is new there";
    if (lost & (ll::kReadFile | ll::kReadDir | ll::kExecute))
        s += ", and what is new there cannot be read, listed or executed";
    if (lost & ll::kTruncate) s += ", nor truncated by path (truncate(2))";
    return s;
}

constexpr const char* kPts = "/dev/pts";

class Compiler {
public:
    Compiler(const MountPlan& plan, int abi, OnUnenforceable mode, DirLister& lister)
        : plan_(plan),
          abi_(abi),
          mode_(mode),
          lister_(lister),
          handled_(ll::fs_rights_for_abi(abi)) {}

    Result<LandlockCompiled> run() {
        out_.spec.abi = abi_;
        out_.spec.handled_fs = handled_;
        SBX_TRY(collect_constraints());
        index_constraints();
        for (const MountOp& op : plan_.ops) {
            if (op.kind != OpKind::bind_ro && op.kind != OpKind::bind_rw) continue;
            if (op.fd < 0 || static_cast<std::size_t>(op.fd) >= plan_.fds.size()) {
                return Error(ErrorKind::internal, "mount plan operation without a descriptor")
                    .with_path(op.dest);
            }
            const int fd = plan_.fds[static_cast<std::size_t>(op.fd)].get();
            const std::uint64_t want = grant_of(op);
            if (!op.is_dir) {
                add_rule(fd, want & ll::kFileOnly);
                continue;
            }
            SBX_TRY(
                walk(fd, op.dest, want, op.kind == OpKind::bind_rw ? "write root " : "read root "));
        }
        SBX_TRY(add_devices());
        SBX_TRY(abi_gaps());
        // A writable HOME's new dot-entries are refused by sbxrun's answers to the entry calls
        // in a restricted directory: one that is not restricted keeps only the set's names.
        for (const auto& b : plan_.dot_blocks) {
            const bool kept = std::any_of(
                out_.restricted.begin(), out_.restricted.end(),
                [&](const LandlockRestrictedDir& r) { return r.dot_names && r.path == b.dir; });
            if (!kept)
                out_.approximated.push_back(b.dir +
                                            ": new dot-entries at its top can be made (only the "
                                            "set's names are blocked there)");
        }
        if (!refusals_.empty()) {
            std::string msg =
                "the Landlock sandbox cannot enforce this policy here: " + refusals_[0];
            if (refusals_.size() > 1) {
                msg += " (and " + std::to_string(refusals_.size() - 1) + " more)";
            }
            Error e(ErrorKind::unenforceable, msg);
            e.suggestion =
                "use the bwrap backend, or set backend.on_unenforceable = \"approximate\"";
            return e;
        }
        return std::move(out_);
    }

private:
    std::uint64_t read_rights() const {
        return (ll::kReadFile | ll::kReadDir | ll::kExecute | ll::kIoctlDev) & handled_;
    }
    std::uint64_t grant_of(const MountOp& op) const {
        return op.kind == OpKind::bind_rw ? handled_ : read_rights();
    }

    // A gap between the policy and what Landlock can express: approximated (handled by the
    // caller), refused (escalate) or dropped (weaken).
    void gap(const std::string& what, const std::string& approximation) {
        switch (mode_) {
            case OnUnenforceable::approximate:
                out_.approximated.push_back(approximation);
                break;
            case OnUnenforceable::escalate:
                refusals_.push_back(what);
                break;
            case OnUnenforceable::weaken:
                out_.weakened.push_back(what + ": not enforced");
                break;
        }
    }

    // An operation of the plan is a constraint on its destination, and decides that path itself.
    void constrain_op(const MountOp& op, std::uint64_t grant,
                      Constraint::Source source = Constraint::Source::op) {
        constraints_.push_back({op.dest, grant, source, &op});
        op_dests_.push_back(op.dest);
    }

    Status collect_constraints() {
        const std::uint64_t no_entry_changes = handled_ & ~ll::kEntry;
        // At most one per op and pin, and sbxrun's own: no doubling of 10,000 on the way.
        constraints_.reserve(plan_.ops.size() + plan_.pins.size() + 1);
        op_dests_.reserve(plan_.ops.size());
        for (const MountOp& op : plan_.ops) {
            switch (op.kind) {
                case OpKind::bind_ro:
                case OpKind::bind_rw:
                    constrain_op(op, grant_of(op));
                    break;
                case OpKind::hide_dir:
                case OpKind::hide_file:
                    constrain_op(op, 0);
                    // Landlock refuses access to content; it cannot remove a name from its
                    // directory, so stat() still sees it. Content is what deny protects.
                    out_.approximated.push_back(
                        op.dest +
                        ": denied content is unreadable, but its name and "
                        "metadata stay visible (Landlock hides no entries)");
                    break;
                case OpKind::tmpfs:
                    // No Landlock equivalent of a fresh tmpfs: keep the host content out of
                    // reach (no rights at all) and give up the scratch space.
                    if (mode_ == OnUnenforceable::approximate) {
                        constrain_op(op, 0);
                        out_.approximated.push_back(
                            op.dest +
                            ": no fresh tmpfs under Landlock; the directory is made "
                            "inaccessible instead");
                    } else if (mode_ == OnUnenforceable::escalate) {
                        refusals_.push_back("tmpfs " + op.dest + " has no Landlock equivalent");
                    } else {
                        out_.weakened.push_back(op.dest +
                                                ": no tmpfs; the host directory is left with the "
                                                "rights of its surroundings");
                    }
                    break;
                case OpKind::anchor:
                    // Nothing to add: the protected path below it is a constraint whose
                    // ancestors (this directory and its parent included) already lose the
                    // right to change entries, so it cannot be renamed or removed.
                    break;
                case OpKind::block_missing:
                    constrain_op(op, no_entry_changes, Constraint::Source::op_missing);
                    break;
            }
        }
        for (const Pin& pin : plan_.pins) {
            constraints_.push_back({pin.link, no_entry_changes, Constraint::Source::pin});
        }
        // An anchor with nothing of the plan at or beneath it (the directory a home's ".."
        // climbs out of: plan/homes.cpp) is kept where it is by a constraint of its own: its
        // parent then loses the right to rename or remove it, as for any constraint. A
        // constraint is a hole only when it takes a right away, so it takes the two that no
        // command without CAP_MKNOD has (making device nodes).
        for (const MountOp& op : plan_.ops) {
            if (op.kind != OpKind::anchor) continue;
            const bool covers_one =
                std::any_of(constraints_.begin(), constraints_.end(), [&](const Constraint& c) {
                    return c.path == op.dest || is_under(c.path, op.dest);
                });
            if (!covers_one)
                constrain_op(op, handled_ & ~(ll::kMakeBlock | ll::kMakeChar),
                             Constraint::Source::kept);
        }
        // Other terminals of the host (issue 11, escape 4): a readable "/" would let the command
        // read what is typed into another login's pty. Only the command's own terminals
        // (add_devices) are reachable; /dev/pts itself can still be listed.
        const MountOp* pts = covering_op(kPts);
        if (pts && (pts->kind == OpKind::bind_ro || pts->kind == OpKind::bind_rw)) {
            auto fd = lister_.open_builtin(kPts);
            if (fd) {
                constraints_.push_back({kPts, ll::kReadDir & handled_,
                                        Constraint::Source::other_terminals, nullptr, 0, true});
            } else if (fd.error().kind != ErrorKind::not_found) {
                return std::move(fd).error();
            }
        }
        return {};
    }

    // Sorted by path, the constraints strictly beneath a directory are one contiguous range
    // (every path starting with "dir/"), so each walk finds its holes without looking at the
    // others: with thousands of protected entries, a scan of all of them per walk was quadratic.
    void index_constraints() {
        for (std::size_t i = 0; i < constraints_.size(); ++i) constraints_[i].order = i;
        std::stable_sort(constraints_.begin(), constraints_.end(),
                         [](const Constraint& a, const Constraint& b) { return a.path < b.path; });
        op_dest_set_.reserve(op_dests_.size());
        for (const auto& d : op_dests_) op_dest_set_.insert(d);
        note_hole_directories();
    }

    // A hole the plan found through another mount of the same directory (plan/deny.cpp's
    // mount aliases: `/` mounted again at /sysroot) lies under a directory that is also reached
    // by another path. Landlock's rules belong to inodes: a walk that grants that directory
    // whole as an ordinary sibling (walking /sysroot/tmp, "m" is no entry towards its holes)
    // grants everything beneath it on every path, the other hole included (forty-first review:
    // the denied directory read through the alias of an ancestor). So, only when the plan has
    // such a hole, the identities of every directory above a hole are kept, and a walk grants
    // none of them whole: each is walked on its own path.
    void note_hole_directories() {
        const bool aliased = std::any_of(plan_.ops.begin(), plan_.ops.end(),
                                         [](const MountOp& op) { return op.mount_alias; });
        if (!aliased) return;
        std::unordered_set<std::string> seen;
        for (const Constraint& c : constraints_) {
            for (std::string dir(c.path); dir != "/" && !dir.empty();) {
                const auto slash = dir.rfind('/');
                dir = slash == 0 ? "/" : dir.substr(0, slash);
                if (!seen.insert(dir).second) break;  // its ancestors are in already
                struct stat st {};
                if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
                    hole_dirs_.insert(id_of(st));
            }
        }
    }

    bool leads_to_a_hole(int fd) const {
        if (hole_dirs_.empty()) return false;
        struct stat st {};
        return ::fstat(fd, &st) == 0 && hole_dirs_.count(id_of(st)) != 0;
    }

    // The constraints strictly beneath `dir`, in plan order.
    std::vector<const Constraint*> constraints_under(const std::string& dir) const {
        const std::string prefix = dir == "/" ? "/" : dir + "/";
        std::vector<const Constraint*> found;
        auto it =
            std::lower_bound(constraints_.begin(), constraints_.end(), prefix,
                             [](const Constraint& c, std::string_view p) { return c.path < p; });
        for (; it != constraints_.end() && it->path.compare(0, prefix.size(), prefix) == 0; ++it) {
            if (is_under(it->path, dir)) found.push_back(&*it);
        }
        std::sort(found.begin(), found.end(),
                  [](const Constraint* a, const Constraint* b) { return a->order < b->order; });
        return found;
    }

    void add_rule(int fd, std::uint64_t access) {
        access &= handled_;
        if (access != 0) out_.spec.rules.push_back({fd, access});
    }

    bool is_op_dest(const std::string& p) const { return op_dest_set_.count(p) != 0; }

    // The entry of `dir` that leads to `below` (a path strictly beneath `dir`): "/w/a/b" under
    // "/w" is "a".
    static std::string_view entry_towards(std::string_view below, const std::string& dir) {
        std::string_view rest(below);
        rest.remove_prefix(dir == "/" ? 1 : dir.size() + 1);
        return rest.substr(0, rest.find('/'));
    }

    // Grant `want` beneath the directory `fd` (at `path`), except below the constraints that
    // allow less: see the file comment of landlock_compile.hpp.
    Status walk(int fd, const std::string& path, std::uint64_t want, const std::string& role) {
        std::vector<const Constraint*> holes;
        bool policy_holes = false;
        for (const Constraint* c : constraints_under(path)) {
            if ((c->allowed & want) == want) continue;
            holes.push_back(c);
            policy_holes |= !c->builtin;
        }
        if (policy_holes && mode_ != OnUnenforceable::approximate) {
            for (const Constraint* h : holes) {
                // Only report the holes directly owned by this walk (not those under a deeper
                // op that is itself a hole: that op's own walk reports them).
                if (!h->builtin) gap(role + path + " contains " + h->what(), "");
            }
            if (mode_ == OnUnenforceable::escalate) return {};
            // weaken drops the policy's holes; sbxrun's own are carved out all the same.
            std::erase_if(holes, [](const Constraint* h) { return !h->builtin; });
        }
        if (holes.empty()) {
            add_rule(fd, want);
            return {};
        }
        std::uint64_t self = want;
        for (const Constraint* h : holes) self &= h->allowed;
        add_rule(fd, self);
        std::string first = holes[0]->what();
        if (holes.size() > 1) first += " and " + std::to_string(holes.size() - 1) + " more";

        // The entries a hole lies in (or is): a set, so each entry is checked at once.
        std::unordered_set<std::string_view> towards_holes;
        towards_holes.reserve(holes.size());
        for (const Constraint* h : holes) towards_holes.insert(entry_towards(h->path, path));

        // What the rule on the directory itself gave up, sbxrun gives back where it can: it
        // performs the entry changes the policy allows here on the command's behalf, and the
        // writes to what is new in it (run/entry_notify.hpp), keeping the entries below.
        const std::uint64_t lost = want & ~self;
        if (lost & ll::kMake) {
            LandlockRestrictedDir r{fd, path, want, self, {}};
            for (std::string_view t : towards_holes) r.towards.emplace_back(t);
            r.dot_names = std::any_of(plan_.dot_blocks.begin(), plan_.dot_blocks.end(),
                                      [&](const MountPlan::DotBlock& b) { return b.dir == path; });
            std::sort(r.towards.begin(), r.towards.end());
            out_.restricted.push_back(std::move(r));
        }
        out_.approximated.push_back(path + ": " +
                                    ((lost & ll::kMake) ? describe_mediated(lost)
                                                        : describe_loss(lost)) +
                                    " (to keep " + first + ")");

        auto entries = lister_.list(fd);
        if (!entries) return std::move(entries).error().with_path(path);
        for (const DirEntryInfo& e : *entries) {
            const std::string child = join(path, e.name);
            if (e.is_symlink) continue;       // never follow: no rule, parent's rights only
            if (is_op_dest(child)) continue;  // its own operation decides
            const bool on_path = towards_holes.count(e.name) != 0;
            if (on_path && !e.is_dir) continue;  // a constrained non-directory: no rule
            auto cfd = lister_.open_child(fd, e.name, e.is_dir);
            if (!cfd) {
                // Gone or replaced since the listing (another program's temp file in /tmp): a
                // sibling needs no rule; if it comes back it has this directory's reduced
                // rights only. An entry leading to a hole must be there: refuse.
                if (cfd.error().sys_errno == ENOENT && !on_path) continue;
                if (cfd.error().sys_errno == EMFILE)
                    return too_many_entries(path, entries->size()).with_path(child);
                return std::move(cfd).error().with_path(child);
            }
            const int raw = cfd->get();
            out_.fds.push_back(std::move(*cfd));
            const auto own_hole = std::find_if(holes.begin(), holes.end(), [&](const auto* h) {
                return h->builtin && h->path == child;
            });
            if (own_hole != holes.end()) {
                // sbxrun's own hole is no operation of the plan: it gets what it allows here.
                add_rule(raw, (*own_hole)->allowed & want);
            } else if (on_path) {
                SBX_TRY(walk(raw, child, want, role));
            } else if (e.is_dir && leads_to_a_hole(raw)) {
                continue;  // the same directory, walked on its own path (note_hole_directories)
            } else {
                add_rule(raw, e.is_dir ? want : (want & ll::kFileOnly));
            }
        }
        return {};
    }

    // The rights a path would get from the deepest operation covering it.
    const MountOp* covering_op(const std::string& p) const {
        const MountOp* best = nullptr;
        for (const MountOp& op : plan_.ops) {
            if (op.dest == p || is_under(p, op.dest)) {
                if (!best || op.dest.size() >= best->dest.size()) best = &op;
            }
        }
        return best;
    }

    Status add_devices() {
        const std::uint64_t dev_rights =
            (ll::kReadFile | ll::kWriteFile | ll::kTruncate | ll::kIoctlDev) & handled_;
        for (const std::string& dev : landlock_builtin_devices()) {
            const MountOp* op = covering_op(dev);
            if (!op || (op->kind != OpKind::bind_ro && op->kind != OpKind::bind_rw)) continue;
            auto fd = lister_.open_builtin(dev);
            if (!fd) {
                if (fd.error().kind == ErrorKind::not_found) continue;
                return std::move(fd).error();
            }
            const int raw = fd->get();
            out_.fds.push_back(std::move(*fd));
            add_rule(raw, dev_rights);
        }
        // The files the caller gave the command to write on fds 0-2 (a log outside the roots):
        // reopened by name (/dev/stderr) as the bwrap backend's write layer allows.
        for (UniqueFd& f : lister_.std_write_files()) {
            const int raw = f.get();
            out_.fds.push_back(std::move(f));
            add_rule(raw, ll::kWriteFile | ll::kTruncate);
            out_.handed_over.push_back(raw);
        }
        // The terminals the command was given on fds 0-2, as file rules: it may reopen its own
        // terminal (/dev/pts/N by name) but no other one.
        const MountOp* pts = covering_op(kPts);
        if (!pts || (pts->kind != OpKind::bind_ro && pts->kind != OpKind::bind_rw)) return {};
        for (UniqueFd& t : lister_.std_terminals()) {
            const int raw = t.get();
            out_.fds.push_back(std::move(t));
            add_rule(raw, dev_rights & ll::kFileOnly);
        }
        return {};
    }

    Status abi_gaps() {
        if (abi_ < 2) {
            out_.approximated.push_back(
                "Landlock ABI 1: renaming or hard-linking files between directories is always "
                "refused (EXDEV)");
        }
        if (abi_ < 3) {
            gap("Landlock ABI " + std::to_string(abi_) +
                    " cannot refuse truncate(2) of read-only files",
                "Landlock ABI " + std::to_string(abi_) +
                    ": truncate(2) by path is refused everywhere (seccomp), ftruncate still works");
            if (mode_ == OnUnenforceable::approximate) out_.spec.handled_fs |= ll::kTruncate;
        }
        if (plan_.network == NetworkMode::full) return {};
        out_.spec.handled_net = ll::net_rights_for_abi(abi_);
        out_.spec.scoped = ll::scopes_for_abi(abi_);
        // network.mode = "allowlist" (ABI >= 4, checked before): the seccomp filter lets only
        // TCP sockets through and Landlock lets connect(2) reach only the proxy's port, which
        // run_landlock adds (connect_ports) once the proxy listens. Landlock matches ports,
        // not addresses, so sbxrun makes every TCP connection itself, to the proxy only
        // (run/connect_guard.hpp); a connect(2) on a unix socket goes on to the kernel, and
        // with unix sockets allowed the descriptor can be swapped for a TCP socket meanwhile.
        if (plan_.network == NetworkMode::allowlist && plan_.unix_sockets) {
            gap("network.mode = \"allowlist\" with network.unix_sockets = \"allow\": Landlock "
                "filters TCP connections by port, not address, and a command that swaps a unix "
                "socket's descriptor for a TCP socket during its connect(2) could reach the "
                "proxy's port at another address (another host's, or another local one)",
                "network allowlist with unix sockets: Landlock filters TCP connections by port, "
                "not address: a command that swaps a unix socket's descriptor for a TCP socket "
                "during connect(2) may reach the proxy's (random, high) port at another "
                "address; every other port, UDP and DNS are refused");
        }
        if (abi_ < 4) {
            out_.approximated.push_back("Landlock ABI " + std::to_string(abi_) +
                                        ": no TCP rules; the network is refused by the seccomp "
                                        "filter alone (every socket family but AF_UNIX)");
        }
        if (abi_ < 6) {
            gap("Landlock ABI " + std::to_string(abi_) +
                    " cannot keep abstract unix sockets of the host out of reach",
                "Landlock ABI " + std::to_string(abi_) +
                    ": socket(AF_UNIX) is refused (seccomp) to keep the host's abstract unix "
                    "sockets out of reach; socketpair() still works");
            if (mode_ == OnUnenforceable::approximate) out_.spec.scoped |= ll::kScopeAbstractUnix;
            // Nothing can stand in for the signal scope: no permission to give up restores it.
            std::string sig = "Landlock ABI " + std::to_string(abi_) +
                              " cannot stop signals to processes outside the sandbox";
            if (mode_ == OnUnenforceable::escalate) {
                refusals_.push_back(sig);
            } else {
                out_.weakened.push_back(sig + ": not enforced");
            }
        }
        return {};
    }

    const MountPlan& plan_;
    int abi_;
    OnUnenforceable mode_;
    DirLister& lister_;
    std::uint64_t handled_;
    std::vector<Constraint> constraints_;
    std::vector<std::string_view> op_dests_;  // view the plan's ops
    std::unordered_set<std::string_view> op_dest_set_;
    std::unordered_set<FileId, FileIdHash> hole_dirs_;  // note_hole_directories
    std::vector<std::string> refusals_;
    LandlockCompiled out_;
};

}  // namespace

const std::vector<std::string>& landlock_builtin_devices() {
    static const std::vector<std::string> devs = {"/dev/null",   "/dev/zero",    "/dev/full",
                                                  "/dev/random", "/dev/urandom", "/dev/tty",
                                                  "/dev/ptmx"};
    return devs;
}

Result<LandlockCompiled> compile_landlock(const MountPlan& plan, int abi,
                                          OnUnenforceable on_unenforceable, DirLister& lister) {
    SBX_TRY(check_network_supported(plan.network, BackendKind::landlock,
                                    abi > ll::kNewestKnownAbi ? ll::kNewestKnownAbi : abi));
    if (abi < 1) return Error(ErrorKind::unsupported, "Landlock is not available on this kernel");
    if (abi > ll::kNewestKnownAbi) abi = ll::kNewestKnownAbi;
    return Compiler(plan, abi, on_unenforceable, lister).run();
}

}  // namespace sbx
