#include "inner/entry_broker.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "inner/entry_perform.hpp"
#include "inner/landlock_apply.hpp"
#include "inner/metadata_calls.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/metadata_perform.hpp"
#include "inner/mount_table.hpp"
#include "inner/net_observe.hpp"
#include "inner/notify_request.hpp"
#include "util/home_dot_names.hpp"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef FS_CASEFOLD_FL
#define FS_CASEFOLD_FL 0x40000000
#endif

namespace sbx {
namespace {

// Deeper than any real tree: a bound so a bizarre loop cannot keep the broker busy.
constexpr int kMaxDepth = 4096;

// What the command sees for a blocked name, a move or removal of a directory of P, and a
// device node: what Landlock answers for the calls that do not come here (link, bind).
constexpr int kRefused = EACCES;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool fstat_id(int fd, FileId& out, struct stat* st_out = nullptr) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    out = id_of(st);
    if (st_out) *st_out = st;
    return true;
}

// Walk ".." from the directory `dir` until the rules place it.
EntryBrokerRules::Reach reach_of(int dir, const EntryBrokerRules& rules) {
    UniqueFd cur(::fcntl(dir, F_DUPFD_CLOEXEC, 0));
    FileId last{};
    for (int depth = 0; cur && depth < kMaxDepth; ++depth) {
        FileId here;
        if (!fstat_id(cur.get(), here)) break;
        if (rules.is_granted(here)) return EntryBrokerRules::Reach::native;
        if (rules.is_protected(here)) return EntryBrokerRules::Reach::broker;
        if (depth > 0 && here == last) break;  // ".." of "/" is "/"
        last = here;
        cur.reset(::openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    }
    return EntryBrokerRules::Reach::unknown;
}

using Reply = NotifyReply;
using entry_calls::Call;
using entry_calls::Op;

// The identity of the directory behind e.dir.
FileId dir_id(const EntryRef& e) {
    FileId id;
    if (!fstat_id(e.dir.get(), id)) return {};
    return id;
}

// Whether open(O_CREAT) of the dangling symbolic link `e` would make a name the broker keeps
// from being made: the kernel refuses that create itself (Landlock in a directory of P),
// unseen, so the broker notes it (forty-third review).
bool creates_blocked_through_link(const EntryRef& e, const EntryBrokerRules& rules) {
    const auto target = dangling_link_target(e);
    return target && rules.blocked(dir_id(*target), target->name);
}

// Whether e names an existing directory of P (never removed or moved by the broker).
bool names_protected_dir(const EntryRef& e, const EntryBrokerRules& rules) {
    struct stat st {};
    if (::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    return S_ISDIR(st.st_mode) && rules.is_protected(id_of(st));
}

// Whether the kernel will refuse to remove or rename the entry because it is a mount point
// (EBUSY: a pinned link, an anchor, a protected file in a writable directory).
bool moves_mount_point(RefusedOp op, const EntryRef& e) {
    return (op == RefusedOp::remove || op == RefusedOp::rename) && is_mount_point(e);
}

// The kernel goes on; if the entry's mount is read-only and the call would change it, the kernel
// answers EROFS: noted as a refusal (a tool's cache outside the writable roots, say); so is a
// removal or rename of a mount point (EBUSY). A write to an existing file is judged by the
// file's own mount (a protected file is one).
Reply go_on_noting(DenialLog* log, RefusedOp op, const EntryRef& e, bool changes) {
    if (changes && (op == RefusedOp::write ? opens_read_only_mount(e)
                                           : on_read_only_mount(e) || moves_mount_point(op, e)))
        note_refusal(log, op, e);
    return Reply::go_on();
}

// What the broker did itself, noted when a read-only mount refused it (a directory of P, or
// one below it without a rule of its own, outside the writable roots), or a mount point in it
// could not be removed or moved (EBUSY).
Reply noting_erofs(DenialLog* log, RefusedOp op, const EntryRef& e, Reply r) {
    if (r.kind == Reply::Kind::error && (r.err == EROFS || r.err == EBUSY))
        note_refusal(log, op, e);
    return r;
}

Reply on_open(NotifyRequest& rq, const Call& c, const EntryBrokerRules& rules, DenialLog* log) {
    const OpenArgs a = open_args(rq, c);
    if ((a.flags & O_PATH) || (a.flags & O_TMPFILE) == O_TMPFILE) return Reply::go_on();
    const bool writes = (a.flags & O_ACCMODE) != O_RDONLY || (a.flags & O_TRUNC);
    if (!(a.flags & O_CREAT)) {
        // An existing file opened for writing: the kernel's to decide, noted when its mount
        // is read-only (EROFS).
        EntryRef e;
        int err = 0;
        if (!writes || locate_entry(rq, c.dirfd, c.path, e, err) != Located::yes)
            return Reply::go_on();
        return go_on_noting(log, RefusedOp::write, e, entry_exists(e));
    }
    EntryRef e;
    if (Reply r; !locate_or_answer(rq, c.dirfd, c.path, e, r)) return r;
    struct stat st {};
    const bool exists = ::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    const int err = errno;
    // A dangling link, opened to create: the kernel would make its target, which in a
    // directory of P it cannot (a read-only mount under bwrap, no make right under Landlock).
    // The broker makes it there when the rules allow that name, as if it had been named
    // (`ln -s notes.txt n; echo x >n` at the workspace's top was refused on both backends).
    // Only one link deep, never through a magic link; a blocked name is noted and left to the
    // kernel to refuse, as before.
    if (exists && S_ISLNK(st.st_mode) && !(a.flags & (O_EXCL | O_NOFOLLOW))) {
        if (auto target = dangling_link_target(e);
            target && reach_of(target->dir.get(), rules) == EntryBrokerRules::Reach::broker) {
            if (rules.blocked(dir_id(*target), target->name)) {
                note_refusal(log, RefusedOp::create, e);
                return Reply::go_on();
            }
            return noting_erofs(log, RefusedOp::create, *target, create_file(rq, *target, a));
        }
    }
    if (reach_of(e.dir.get(), rules) != EntryBrokerRules::Reach::broker) {
        if (exists) return go_on_noting(log, RefusedOp::write, e, writes && !(a.flags & O_EXCL));
        return go_on_noting(log, RefusedOp::create, e, err == ENOENT);
    }
    if (rules.blocked(dir_id(e), e.name)) {
        note_refusal(log, RefusedOp::create, e);
        return Reply::result(kRefused);
    }
    // An existing entry is the kernel's to open (and, through a symlink, Landlock's to refuse
    // creating at its target in P); noted when that open meets a read-only mount (a protected
    // file at the root's top), or when it would make a blocked name through a dangling link.
    if (exists && S_ISLNK(st.st_mode) && !(a.flags & O_EXCL) && log != nullptr &&
        creates_blocked_through_link(e, rules)) {
        note_refusal(log, RefusedOp::create, e);
        return Reply::go_on();
    }
    if (exists) return go_on_noting(log, RefusedOp::write, e, writes && !(a.flags & O_EXCL));
    if (err != ENOENT) return Reply::go_on();
    return noting_erofs(log, RefusedOp::create, e, create_file(rq, e, a));
}

Reply on_make(NotifyRequest& rq, const Call& c, const EntryBrokerRules& rules, DenialLog* log) {
    const mode_t mode = c.mode >= 0 ? static_cast<mode_t>(rq.arg(c.mode)) : 0;
    std::string target;
    if (c.op == Op::symlink &&
        read_cstr(rq.pid(), rq.arg(c.path2), PATH_MAX - 1, ENAMETOOLONG, target) != 0)
        return Reply::go_on();
    EntryRef e;
    if (Reply r; !locate_or_answer(rq, c.dirfd, c.path, e, r)) return r;
    if (reach_of(e.dir.get(), rules) != EntryBrokerRules::Reach::broker)
        return go_on_noting(log, RefusedOp::create, e, !entry_exists(e));
    if (rules.blocked(dir_id(e), e.name)) {
        note_refusal(log, RefusedOp::create, e);
        return Reply::result(kRefused);
    }
    const mode_t type = c.op == Op::mkdir ? S_IFDIR : (c.op == Op::symlink ? S_IFLNK : mode);
    if (make_right(type) == 0) return Reply::result(EPERM);  // devices: never made
    return noting_erofs(log, RefusedOp::create, e,
                        make_entry(rq, c.op, e, c.op == Op::mkdir ? (mode & 07777) : mode, target));
}

Reply on_unlink(NotifyRequest& rq, const Call& c, const EntryBrokerRules& rules, DenialLog* log) {
    int flags = c.op == Op::rmdir ? AT_REMOVEDIR : 0;
    if (c.flags >= 0) flags = static_cast<int>(rq.arg(c.flags));
    if (flags & ~AT_REMOVEDIR) return Reply::go_on();
    EntryRef e;
    if (Reply r; !locate_or_answer(rq, c.dirfd, c.path, e, r)) return r;
    const bool exists = entry_exists(e);
    if (reach_of(e.dir.get(), rules) != EntryBrokerRules::Reach::broker)
        return go_on_noting(log, RefusedOp::remove, e, exists);
    if (!exists) return Reply::result(ENOENT);  // a blocked name is missing: nothing refused
    if (rules.blocked(dir_id(e), e.name) || names_protected_dir(e, rules)) {
        note_refusal(log, RefusedOp::remove, e);
        return Reply::result(kRefused);
    }
    return noting_erofs(log, RefusedOp::remove, e, remove_entry(rq, e, flags));
}

Reply on_rename(NotifyRequest& rq, const Call& c, const EntryBrokerRules& rules, DenialLog* log) {
    const unsigned flags = c.flags >= 0 ? static_cast<unsigned>(rq.arg(c.flags)) : 0;
    if (flags & ~unsigned(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Reply::go_on();
    EntryRef from, to;
    if (Reply r; !locate_or_answer(rq, c.dirfd, c.path, from, r) ||
                 !locate_or_answer(rq, c.dirfd2, c.path2, to, r))
        return r;
    const auto rf = reach_of(from.dir.get(), rules);
    const auto rt = reach_of(to.dir.get(), rules);
    if (rf == EntryBrokerRules::Reach::unknown || rt == EntryBrokerRules::Reach::unknown)
        return Reply::go_on();
    if (rf == EntryBrokerRules::Reach::native && rt == EntryBrokerRules::Reach::native) {
        // The kernel answers EROFS if either side is on a read-only mount: note one side.
        if (!entry_exists(from)) return Reply::go_on();
        if (on_read_only_mount(from) || is_mount_point(from)) {
            note_refusal(log, RefusedOp::rename, from);
            return Reply::go_on();
        }
        return go_on_noting(log, RefusedOp::rename, to, true);
    }
    // One side at least is in P: the broker does the whole rename, having decided both sides.
    const bool from_refused =
        rules.blocked(dir_id(from), from.name) || names_protected_dir(from, rules);
    const bool to_refused = rules.blocked(dir_id(to), to.name) || names_protected_dir(to, rules);
    if (from_refused || to_refused) {
        note_refusal(log, RefusedOp::rename, from_refused ? from : to);
        return Reply::result(kRefused);
    }
    Reply r = rename_entry(rq, from, to, flags);
    // A mount point moved to another mount: EXDEV, which for anything else is only a move
    // across file systems (mv copies instead), but a mount point cannot be moved at all
    // (thirty-sixth review: a pinned link's target renamed out of its directory was unlisted).
    if (r.kind == Reply::Kind::error && r.err == EXDEV && is_mount_point(from)) {
        note_refusal(log, RefusedOp::rename, from);
        return r;
    }
    // A mount point on either side: noted where it is (ln -sfn renames a new link over one).
    if (r.kind == Reply::Kind::error && r.err == EBUSY) {
        note_refusal(log, RefusedOp::rename,
                     is_mount_point(from) ? std::cref(from) : std::cref(to));
        return r;
    }
    return noting_erofs(log, RefusedOp::rename, from, std::move(r));
}

// The file a hard link of `from` into the directory of `to` would name (O_PATH, as the call
// takes it), when the link fails with EXDEV because that file is
// on a read-only mount of the sandbox's on the same file system (a protected file, a file
// outside every writable root): the host would have made it, so it is the sandbox's refusal
// (RefusedOp::link). Between two writable mounts (the workspace and ${tmpdir}) the same EXDEV
// is a bind mount's limit, not a rule's: empty then, and when nothing is refused.
UniqueFd links_out_of_read_only_mount(const EntryRef& from, const EntryRef& to, bool follow) {
    struct statx src {
    }, dst{};
    const int how = AT_NO_AUTOMOUNT | (follow ? 0 : AT_SYMLINK_NOFOLLOW);
    if (::statx(from.dir.get(), from.name.c_str(), how, STATX_MNT_ID, &src) != 0 ||
        ::statx(to.dir.get(), "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_MNT_ID, &dst) != 0 ||
        !(src.stx_mask & dst.stx_mask & STATX_MNT_ID) || S_ISDIR(src.stx_mode))
        return {};
    if (src.stx_mnt_id == dst.stx_mnt_id || src.stx_dev_major != dst.stx_dev_major ||
        src.stx_dev_minor != dst.stx_dev_minor)
        return {};
    struct statvfs sv {};
    UniqueFd obj(::openat(from.dir.get(), from.name.c_str(),
                          O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
    if (!obj || ::fstatvfs(obj.get(), &sv) != 0 || (sv.f_flag & ST_RDONLY) == 0) return {};
    return obj;
}

// A hard link. Where either side is in P the broker makes it (Landlock would refuse it: no
// entry is made natively in P, and a link out of P lacks the REFER right, EXDEV); a blocked
// name is refused. Elsewhere the kernel goes on, noted when a read-only mount refuses the new
// name.
Reply on_link(NotifyRequest& rq, const entry_calls::LinkCall& c, const EntryBrokerRules& rules,
              DenialLog* log) {
    const int flags = c.flags >= 0 ? static_cast<int>(rq.arg(c.flags)) : 0;
    if (flags & ~AT_SYMLINK_FOLLOW) return Reply::go_on();  // AT_EMPTY_PATH: the kernel's
    EntryRef from, to;
    if (Reply r; !locate_or_answer(rq, c.olddirfd, c.oldpath, from, r) ||
                 !locate_or_answer(rq, c.newdirfd, c.newpath, to, r))
        return r;
    const bool exists = entry_exists(to);
    const auto rf = reach_of(from.dir.get(), rules);
    const auto rt = reach_of(to.dir.get(), rules);
    if (rf == EntryBrokerRules::Reach::unknown || rt == EntryBrokerRules::Reach::unknown)
        return Reply::go_on();
    const bool follow = (flags & AT_SYMLINK_FOLLOW) != 0;
    if (rf == EntryBrokerRules::Reach::native && rt == EntryBrokerRules::Reach::native) {
        // Noted at the file itself, through a final link too (ln -L; review 54).
        if (UniqueFd obj; !exists && !on_read_only_mount(to) &&
                          (obj = links_out_of_read_only_mount(from, to, follow))) {
            note_refusal_at(log, RefusedOp::link, obj.get());
            return Reply::go_on();
        }
        return go_on_noting(log, RefusedOp::create, to, !exists);
    }
    if (exists) return Reply::result(EEXIST);
    if (rules.blocked(dir_id(to), to.name)) {
        note_refusal(log, RefusedOp::create, to);
        return Reply::result(kRefused);
    }
    Reply r = link_entry(rq, from, to, follow);
    if (r.kind == Reply::Kind::error && r.err == EXDEV)
        if (UniqueFd obj = links_out_of_read_only_mount(from, to, follow); obj) {
            note_refusal_at(log, RefusedOp::link, obj.get());
            return r;
        }
    return noting_erofs(log, RefusedOp::create, to, std::move(r));
}

// The object of a metadata call or truncate(2), opened O_PATH as the call reaches it (through
// a final symbolic link unless `nofollow`, never through a magic link): to see its mount and
// its path. Empty when it cannot be reached.
UniqueFd object_of(const EntryRef& e, bool nofollow) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    return UniqueFd(
        static_cast<int>(::syscall(SYS_openat2, e.dir.get(), e.name.c_str(), &how, sizeof how)));
}

// truncate(2) of a path, for the denial report only: the kernel goes on (the write layer
// refuses a file outside the writable mounts, inner/write_layer.hpp), and the call is noted
// when its object is a regular file on a read-only mount (EROFS).
Reply on_truncate(NotifyRequest& rq, DenialLog* log) {
    if (log == nullptr) return Reply::go_on();
    EntryRef e;
    int err = 0;
    if (locate_entry(rq, -1, 0, e, err) != Located::yes) return Reply::go_on();
    UniqueFd obj = object_of(e, false);
    struct stat st {};
    struct statvfs sv {};
    if (!obj || ::fstat(obj.get(), &st) != 0 || ::fstatvfs(obj.get(), &sv) != 0 ||
        (sv.f_flag & ST_RDONLY) == 0)
        return Reply::go_on();
    // truncate(2) of anything but a regular file fails for itself (EINVAL, EISDIR).
    if (!S_ISREG(st.st_mode)) return Reply::go_on();
    note_refusal_at(log, RefusedOp::write, obj.get());
    return Reply::go_on();
}

// chmod, chown, utimes and xattrs, on a path or a descriptor: resolved once to a descriptor,
// decided by its mount (EntryBrokerRules::metadata_verdict) and performed on that descriptor
// (inner/metadata_perform.hpp). Never SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel would take
// the descriptor number or the path again, after another thread of the command had swapped it.
Reply on_metadata(NotifyRequest& rq, const metadata_calls::Call& m, const EntryBrokerRules& rules,
                  DenialLog* log) {
    UniqueFd obj;
    MetadataArgs args;
    int err = resolve_metadata_object(rq, m, obj);
    if (err == 0) err = read_metadata_args(rq, m, args);
    // What was read was the caller's, not a process's that reused its pid.
    if (!rq.still_valid()) return Reply::result(EPERM);
    if (err != 0) return Reply::result(err);
    struct statx sx {};
    if (::statx(obj.get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) != 0 ||
        !(sx.stx_mask & STATX_MNT_ID))
        return Reply::result(EPERM);  // the mount cannot be told: refused, never allowed
    const bool mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
                            (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    const RefusedOp op = metadata_report_op(m.op);
    switch (rules.metadata_verdict(sx.stx_mnt_id, mount_root)) {
        case EntryBrokerRules::MetadataVerdict::allowed:
            break;
        case EntryBrokerRules::MetadataVerdict::top_of_writable_mount: {
            struct stat st {};
            const TopChange t =
                ::fstat(obj.get(), &st) == 0 ? top_change(m, args, st) : TopChange::refuse;
            if (t == TopChange::nothing_to_do) return Reply::result(0);
            if (t == TopChange::perform) break;
            note_refusal_at(log, op, obj.get());
            return Reply::result(EPERM);
        }
        case EntryBrokerRules::MetadataVerdict::not_a_sandbox_mount:
            note_refusal_at(log, op, obj.get());
            return Reply::result(EPERM);
    }
    // sbxrun-inner holds no capabilities already; this keeps the call as the command's
    // should that ever change.
    CapsCleared caps;
    if (!caps.ok()) return Reply::result(EPERM);
    const int r = perform_metadata_call(m, obj.get(), args);
    if (r == EROFS) note_refusal_at(log, op, obj.get());
    return Reply::result(r);
}

Reply decide(NotifyRequest& rq, const Call& c, const EntryBrokerRules& rules, DenialLog* log) {
    switch (c.op) {
        case Op::open:
            return on_open(rq, c, rules, log);
        case Op::mkdir:
        case Op::mknod:
        case Op::symlink:
            return on_make(rq, c, rules, log);
        case Op::unlink:
        case Op::rmdir:
            return on_unlink(rq, c, rules, log);
        case Op::rename:
            return on_rename(rq, c, rules, log);
    }
    return Reply::go_on();
}

// The parent of a canonical absolute path, as text; "" for "/" and for what is not one (the
// caller then knows no path for that directory).
std::string lexical_parent(const std::string& path) {
    if (path.size() < 2 || path.front() != '/' || path.back() == '/') return {};
    if (path.find("//") != std::string::npos || path.find("/./") != std::string::npos ||
        path.find("/../") != std::string::npos || path.ends_with("/.") || path.ends_with("/.."))
        return {};
    const std::size_t slash = path.rfind('/');
    return slash == 0 ? std::string("/") : path.substr(0, slash);
}

// Every directory entry of `dir` that is a directory, as an O_PATH descriptor.
void list_subdirs(int dir, std::vector<UniqueFd>& out) {
    UniqueFd rd(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!rd) return;  // unreadable: its subdirectories get no rule (the broker decides there)
    DIR* d = ::fdopendir(rd.get());
    if (d == nullptr) return;
    (void)rd.release();
    while (dirent* ent = ::readdir(d)) {
        const char* n = ent->d_name;
        if (std::strcmp(n, ".") == 0 || std::strcmp(n, "..") == 0) continue;
        if (ent->d_type != DT_DIR && ent->d_type != DT_UNKNOWN) continue;
        UniqueFd sub(::openat(::dirfd(d), n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub) out.push_back(std::move(sub));
    }
    ::closedir(d);
}

}  // namespace

void EntryBrokerRules::add_blocked(FileId dir, const std::vector<std::string>& names, bool casefold,
                                   bool dot_names) {
    Blocked& b = blocked_[dir];
    for (const auto& n : names) b.names.push_back(lower(n));
    b.casefold = b.casefold || casefold;
    b.dot_names = b.dot_names || dot_names;
}

EntryBrokerRules::Reach EntryBrokerRules::reach(const std::vector<FileId>& chain) const {
    for (const FileId& id : chain) {
        if (is_granted(id)) return Reach::native;
        if (is_protected(id)) return Reach::broker;
    }
    return Reach::unknown;
}

EntryBrokerRules::MetadataVerdict EntryBrokerRules::metadata_verdict(std::uint64_t mount_id,
                                                                     bool mount_root) const {
    const auto it = mounts_.find(mount_id);
    if (it == mounts_.end()) return MetadataVerdict::not_a_sandbox_mount;
    if (mount_root && it->second) return MetadataVerdict::top_of_writable_mount;
    return MetadataVerdict::allowed;
}

bool EntryBrokerRules::blocked(FileId dir, std::string_view name) const {
    auto it = blocked_.find(dir);
    if (it == blocked_.end()) return false;
    if (it->second.casefold &&
        std::any_of(name.begin(), name.end(), [](char c) { return (c & 0x80) != 0; }))
        return true;
    const std::string key = lower(name);
    if (it->second.dot_names && home_dot_name_blocked(key)) return true;
    return std::find(it->second.names.begin(), it->second.names.end(), key) !=
           it->second.names.end();
}

Result<PreparedBroker> prepare_entry_broker(const std::vector<EntryBlock>& blocks,
                                            const std::optional<std::vector<MountPoint>>& mounts,
                                            bool observe_network) {
    PreparedBroker b;
    if (mounts)
        for (const MountPoint& m : *mounts) b.rules.add_mount(m.id, m.writable);
    const int abi = blocks.empty() ? 0 : landlock_effective_abi();
    if (!blocks.empty() && abi < 2)
        return Error(ErrorKind::unsupported,
                     "the entry broker needs Landlock ABI 2 or newer (this kernel offers " +
                         std::to_string(abi) + ")");
    // P: the blocked directories, checked, and their ancestors (by "..", in the sandbox's view),
    // each with its path ("" where the walk and the text disagree: treated as writable).
    struct PDir {
        UniqueFd fd;
        std::string path;
    };
    std::vector<PDir> p_dirs;
    for (const auto& blk : blocks) {
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        UniqueFd dir(
            static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, blk.path.c_str(), &how, sizeof how)));
        if (!dir)
            return os_error("cannot open " + blk.path + " for the entry broker", errno, blk.path);
        FileId id;
        if (!fstat_id(dir.get(), id)) return os_error("cannot stat " + blk.path, errno, blk.path);
        if (id.dev != blk.dev || id.ino != blk.ino)
            return Error(ErrorKind::os, blk.path + " is not the directory the plan checked")
                .with_path(blk.path);
        bool casefold = false;
        if (UniqueFd rd(::openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)); rd) {
            unsigned long flags = 0;
            if (::ioctl(rd.get(), FS_IOC_GETFLAGS, &flags) == 0)
                casefold = (flags & FS_CASEFOLD_FL) != 0;
        }
        b.rules.add_blocked(id, blk.names, casefold, blk.dot_names);
        FileId last{};
        // Canonical (the plan's, opened above with every link refused); "" if it is not text
        // whose parents are what ".." reaches.
        std::string path = lexical_parent(blk.path).empty() ? std::string() : blk.path;
        for (int depth = 0; dir && depth < kMaxDepth; ++depth) {
            FileId here;
            if (!fstat_id(dir.get(), here))
                return os_error("cannot stat a parent of " + blk.path, errno);
            if (depth > 0 && here == last) break;
            last = here;
            UniqueFd up(::openat(dir.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (!b.rules.is_protected(here)) {
                b.rules.add_protected(here);
                p_dirs.push_back(PDir{std::move(dir), path});
            }
            dir = std::move(up);
            path = lexical_parent(path);
        }
    }
    const std::uint64_t handled = ll::kEntry & ll::fs_rights_for_abi(abi);
    if (!blocks.empty()) {
        b.ruleset.reset(landlock_create_fs_ruleset(handled));
        if (!b.ruleset) return os_error("cannot create the entry broker's Landlock ruleset", errno);
    }
    // Where the kernel refuses every entry change (a read-only mount), a rule would only change
    // EROFS into the broker's trip that ends in EROFS: such subdirectories get none, except those
    // leading to a writable mount further down. Most of "/" and of a read-only HOME is skipped
    // unlisted (issue 16: a rule and three calls to find it, for each of hundreds of entries).
    for (const auto& pd : p_dirs) {
        std::vector<UniqueFd> subs;
        const WritableBelow below =
            mounts && !pd.path.empty() ? writable_below(pd.path, *mounts) : WritableBelow{true, {}};
        if (below.writable) {
            list_subdirs(pd.fd.get(), subs);
        } else {
            for (const auto& name : below.toward)
                if (UniqueFd sub(::openat(pd.fd.get(), name.c_str(),
                                          O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                    sub)
                    subs.push_back(std::move(sub));
        }
        for (const auto& sub : subs) {
            FileId id;
            if (!fstat_id(sub.get(), id) || b.rules.is_protected(id) || b.rules.is_granted(id))
                continue;
            if (const int err = landlock_add_path_rule(b.ruleset.get(), sub.get(), handled); err)
                return os_error("cannot add an entry broker Landlock rule", err);
            b.rules.add_granted(id);
        }
    }
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return os_error("socketpair for the entry broker", errno);
    b.parent_sock.reset(sv[0]);
    b.child_sock.reset(sv[1]);
    // The child's own sendmsg of the listener on child_sock must not wait for the listener.
    auto filter = build_entry_filter(observe_network, b.child_sock.get());
    if (!filter) return std::move(filter).error();
    b.filter = std::move(filter).value();
    return b;
}

int enter_entry_broker(const PreparedBroker& b) noexcept {
    if (b.ruleset)
        if (const int err = landlock_restrict(b.ruleset.get()); err != 0) return err;
    const int listener = load_metadata_filter(b.filter);
    if (listener < 0) return -listener;
    const int err = send_fd(b.child_sock.get(), listener);
    ::close(listener);
    return err;
}

void answer_entry_broker_call(int listener, const EntryBrokerRules& rules,
                              DenialLog* log) noexcept {
    seccomp_notif n;
    std::memset(&n, 0, sizeof n);
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) return;  // its process is gone
    const bool native = n.data.arch == metadata_calls::kNativeArch;
    const long nr = static_cast<long>(n.data.nr);
    Reply r = Reply::go_on();
    if (native) {
        try {
            NotifyRequest rq{n, listener, {}};
            if (const Call* call = entry_calls::find(nr))
                r = decide(rq, *call, rules, log);
            else if (const entry_calls::LinkCall* link = entry_calls::find_link(nr))
                r = on_link(rq, *link, rules, log);
            else if (const metadata_calls::Call* m = metadata_calls::find(nr))
                r = on_metadata(rq, *m, rules, log);
            else if (nr == SYS_truncate)
                r = on_truncate(rq, log);
            else if (is_observed_network_call(nr) && log != nullptr)
                observe_network_call(rq, *log);  // the kernel goes on and decides
        } catch (...) {
            // An allocation failed: Landlock alone decides an entry call (refuses in P); a
            // metadata call is refused.
            r = metadata_calls::find(nr) ? Reply::result(ENOMEM) : Reply::go_on();
        }
    }
    send_reply(listener, n.id, r);
}

}  // namespace sbx
