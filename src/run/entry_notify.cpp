#include "run/entry_notify.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "inner/entry_perform.hpp"
#include "inner/landlock_apply.hpp"
#include "inner/notify_request.hpp"
#include "util/unique_fd.hpp"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

namespace sbx {
namespace {

using entry_calls::Call;
using entry_calls::Op;

using Reply = NotifyReply;

// An entry a call names: its directory and name (inner/entry_perform.hpp), and the directory's
// ancestry.
struct Entry : EntryRef {
    std::vector<FileId> chain;
    std::vector<std::string> names;  // of chain's directories (ancestry())
};

// Locate e and its ancestry: true, or false with the answer (locate_or_answer).
bool locate(NotifyRequest& rq, int dirfd_arg, int path_arg, Entry& e, Reply& answer) {
    if (!locate_or_answer(rq, dirfd_arg, path_arg, e, answer)) return false;
    answer = Reply::go_on();
    auto chain = ancestry(e.dir.get(), nullptr, &e.names);
    if (!chain) return false;
    e.chain = std::move(chain).value();
    return true;
}

bool has(std::uint64_t granted, std::uint64_t need) {
    return need != 0 && (granted & need) == need;
}

// What happens to a call needing `need` on (dir, name).
enum class Verdict {
    native,   // Landlock allows it natively (the compiled rules): the kernel goes on
    sbxrun,   // the policy allows it and Landlock would not: sbxrun performs it
    refused,  // neither: the kernel goes on and Landlock refuses it
};

Verdict verdict(const MetadataGuard& g, const Entry& e, std::uint64_t need) {
    if (has(g.native_rights(e.chain), need)) return Verdict::native;
    return has(g.entry_rights(e.chain, e.name, &e.names), need) ? Verdict::sbxrun
                                                                : Verdict::refused;
}

// `t` with its ancestry, for a verdict on it; nullopt when that cannot be known.
std::optional<Entry> with_ancestry(EntryRef t) {
    Entry target;
    target.dir = std::move(t.dir);
    target.name = std::move(t.name);
    auto chain = ancestry(target.dir.get(), nullptr, &target.names);
    if (!chain) return std::nullopt;
    target.chain = std::move(chain).value();
    return target;
}

// The kernel goes on to refuse the call: note it for the report.
Reply refused(DenialLog* log, RefusedOp op, const EntryRef& e) {
    note_refusal(log, op, e);
    return Reply::go_on();
}

// The regular file `e` names (through a final symlink unless `nofollow`, never through a magic
// link), when it has one name: opened O_PATH, with its ancestry, for an open for writing or a
// truncation to be decided on. Anything else is the kernel's to decide (nullopt): a file with
// other names could be reached through a path with other rights.
struct CheckedFile {
    UniqueFd obj;
    std::vector<FileId> chain;
    std::vector<std::string> names;
};

std::optional<CheckedFile> single_named_file(const Entry& e, bool nofollow) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    CheckedFile f;
    f.obj.reset(
        static_cast<int>(::syscall(SYS_openat2, e.dir.get(), e.name.c_str(), &how, sizeof how)));
    if (!f.obj) return std::nullopt;
    struct stat st {};
    if (::fstat(f.obj.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
        return std::nullopt;
    auto chain = ancestry(f.obj.get(), nullptr, &f.names);
    if (!chain) return std::nullopt;
    f.chain = std::move(chain).value();
    return f;
}

// An existing object opened for writing or truncation: Landlock decides what it has a rule
// for; what is new beneath a restricted directory has only that directory's reduced rights,
// so sbxrun reopens it for the command through the very descriptor it checked.
Reply open_existing(const MetadataGuard& g, const Entry& e, const OpenArgs& a, DenialLog* log) {
    const int acc = static_cast<int>(a.flags & O_ACCMODE);
    if (acc == O_RDONLY && !(a.flags & O_TRUNC)) return Reply::go_on();
    auto file = single_named_file(e, (a.flags & O_NOFOLLOW) != 0);
    if (!file) return Reply::go_on();
    const UniqueFd& obj = file->obj;
    const std::uint64_t need = ll::kWriteFile;
    if (has(g.native_rights(file->chain), need)) return Reply::go_on();
    const std::uint64_t rights = g.policy_rights(file->chain, &file->names);
    if (!has(rights, need)) {
        // The file's own mode is checked before Landlock: a file this user may not write is
        // refused by it (EACCES) whatever the sandbox says, and is no refusal of the sandbox's.
        CapsCleared caps;
        if (caps.ok() && ::faccessat(obj.get(), "", W_OK, AT_EACCESS | AT_EMPTY_PATH) != 0 &&
            (errno == EACCES || errno == EPERM))
            return Reply::go_on();
        return refused(log, RefusedOp::write, e);
    }
    // sbxrun's reopening is not Landlocked: it must not give the command a read it would be
    // refused (O_RDWR of a file the policy lets it write but not read).
    if (acc == O_RDWR && !has(rights, ll::kReadFile)) return Reply::go_on();
    const std::string self = "/proc/self/fd/" + std::to_string(obj.get());
    const int flags = static_cast<int>(a.flags & ~std::uint64_t(O_CREAT | O_EXCL | O_NOFOLLOW));
    UniqueFd f(::open(self.c_str(), flags | O_CLOEXEC));
    if (!f) return Reply::result(errno);
    return Reply::descriptor(std::move(f), (a.flags & O_CLOEXEC) != 0);
}

Reply on_open(NotifyRequest& rq, const Call& c, const MetadataGuard& g, DenialLog* log) {
    const OpenArgs a = open_args(rq, c);
    if ((a.flags & O_PATH) || (a.flags & O_TMPFILE) == O_TMPFILE) return Reply::go_on();
    Entry e;
    if (Reply r; !locate(rq, c.dirfd, c.path, e, r)) return r;
    struct stat st {};
    if (::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if ((a.flags & O_CREAT) && (a.flags & O_EXCL)) return Reply::go_on();  // EEXIST
        if (!rq.still_valid()) return Reply::go_on();
        // A dangling link: the kernel makes the file where it leads. Landlock refuses that
        // unseen when the policy does not allow it there (`ln -s .envrc x; echo >x`, forty-third
        // review): noted at the link, for the report. Where sbxrun makes the entries (a
        // writable root's top), it makes this one too, as if it had been named: the kernel
        // would refuse it (`ln -s notes.txt n; echo x >n` was refused).
        if (S_ISLNK(st.st_mode) && (a.flags & O_CREAT) && !(a.flags & O_NOFOLLOW))
            if (auto t = dangling_link_target(e))
                if (auto target = with_ancestry(std::move(*t))) {
                    switch (verdict(g, *target, ll::kMakeReg)) {
                        case Verdict::refused:
                            return refused(log, RefusedOp::create, e);
                        case Verdict::sbxrun:
                            return create_file(rq, *target, a);
                        case Verdict::native:
                            break;
                    }
                }
        return open_existing(g, e, a, log);
    }
    if (errno != ENOENT || !(a.flags & O_CREAT)) return Reply::go_on();
    switch (verdict(g, e, ll::kMakeReg)) {
        case Verdict::native:
            return Reply::go_on();
        case Verdict::refused:
            return refused(log, RefusedOp::create, e);
        case Verdict::sbxrun:
            break;
    }
    return create_file(rq, e, a);
}

Reply on_make(NotifyRequest& rq, const Call& c, const MetadataGuard& g, DenialLog* log) {
    mode_t mode = c.mode >= 0 ? static_cast<mode_t>(rq.arg(c.mode)) : 0;
    std::string target;
    if (c.op == Op::symlink &&
        read_cstr(rq.pid(), rq.arg(c.path2), PATH_MAX - 1, ENAMETOOLONG, target) != 0)
        return Reply::go_on();
    Entry e;
    if (Reply r; !locate(rq, c.dirfd, c.path, e, r)) return r;
    std::uint64_t need = 0;
    switch (c.op) {
        case Op::mkdir:
            need = ll::kMakeDir;
            break;
        case Op::symlink:
            need = ll::kMakeSym;
            break;
        default:
            need = make_right(mode);
            break;  // mknod: devices are never made
    }
    if (need == 0) return Reply::go_on();
    switch (verdict(g, e, need)) {
        case Verdict::native:
            return Reply::go_on();
        case Verdict::refused:
            // An existing entry gets EEXIST before any Landlock check: nothing refused.
            return entry_exists(e) ? Reply::go_on() : refused(log, RefusedOp::create, e);
        case Verdict::sbxrun:
            break;
    }
    return make_entry(rq, c.op, e, mode, target);
}

Reply on_unlink(NotifyRequest& rq, const Call& c, const MetadataGuard& g, DenialLog* log) {
    int flags = c.op == Op::rmdir ? AT_REMOVEDIR : 0;
    if (c.flags >= 0) flags = static_cast<int>(rq.arg(c.flags));
    if (flags & ~AT_REMOVEDIR) return Reply::go_on();
    Entry e;
    if (Reply r; !locate(rq, c.dirfd, c.path, e, r)) return r;
    struct stat st {};
    if (::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? Reply::result(ENOENT) : Reply::go_on();
    if (S_ISDIR(st.st_mode) != ((flags & AT_REMOVEDIR) != 0)) return Reply::go_on();
    switch (verdict(g, e, remove_right(st.st_mode))) {
        case Verdict::native:
            return Reply::go_on();
        case Verdict::refused:
            return refused(log, RefusedOp::remove, e);
        case Verdict::sbxrun:
            break;
    }
    return remove_entry(rq, e, flags);
}

Reply on_rename(NotifyRequest& rq, const Call& c, const MetadataGuard& g, DenialLog* log) {
    const unsigned flags = c.flags >= 0 ? static_cast<unsigned>(rq.arg(c.flags)) : 0;
    if (flags & ~unsigned(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Reply::go_on();
    Entry from, to;
    if (Reply r; !locate(rq, c.dirfd, c.path, from, r) || !locate(rq, c.dirfd2, c.path2, to, r))
        return r;
    struct stat src {
    }, dst{};
    if (::fstatat(from.dir.get(), from.name.c_str(), &src, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? Reply::result(ENOENT) : Reply::go_on();
    const bool replaces = ::fstatat(to.dir.get(), to.name.c_str(), &dst, AT_SYMLINK_NOFOLLOW) == 0;
    const std::uint64_t make_src = make_right(src.st_mode);
    if (make_src == 0) return Reply::go_on();
    std::uint64_t need_from = remove_right(src.st_mode);
    std::uint64_t need_to = make_src;
    if (replaces) {
        const std::uint64_t make_dst = make_right(dst.st_mode);
        if (make_dst == 0) return Reply::go_on();
        need_to |= remove_right(dst.st_mode);
        if (flags & RENAME_EXCHANGE) need_from |= make_dst;
    } else if (flags & RENAME_EXCHANGE) {
        return Reply::result(ENOENT);  // nothing to exchange with
    }
    const bool native =
        has(g.native_rights(from.chain), need_from) && has(g.native_rights(to.chain), need_to);
    if (native) return Reply::go_on();
    if (!has(g.entry_rights(from.chain, from.name, &from.names), need_from))
        return refused(log, RefusedOp::rename, from);
    if (!has(g.entry_rights(to.chain, to.name, &to.names), need_to))
        return refused(log, RefusedOp::rename, to);
    return rename_entry(rq, from, to, flags);
}

Reply decide(NotifyRequest& rq, const Call& c, const MetadataGuard& g, DenialLog* log) {
    // Resolution and action run without capabilities: root's CAP_DAC_OVERRIDE would create
    // where the command cannot (metadata_notify.cpp does the same).
    CapsCleared caps;
    if (!caps.ok()) return Reply::go_on();
    switch (c.op) {
        case Op::open:
            return on_open(rq, c, g, log);
        case Op::mkdir:
        case Op::mknod:
        case Op::symlink:
            return on_make(rq, c, g, log);
        case Op::unlink:
        case Op::rmdir:
            return on_unlink(rq, c, g, log);
        case Op::rename:
            return on_rename(rq, c, g, log);
    }
    return Reply::go_on();
}

// A hard link, for the report: the kernel goes on (Landlock decides, as before the call was
// trapped), and a new name the policy refuses (outside the writable roots, a protected name)
// is noted. A link the policy would allow but Landlock refuses (at the top of a root that holds
// a protected name: sbxrun(1), BACKENDS) is Landlock's limit, not the policy's refusal: not
// noted, not made.
Reply on_link(NotifyRequest& rq, const entry_calls::LinkCall& c, const MetadataGuard& g,
              DenialLog* log) {
    const int flags = c.flags >= 0 ? static_cast<int>(rq.arg(c.flags)) : 0;
    if (flags & ~AT_SYMLINK_FOLLOW) return Reply::go_on();  // AT_EMPTY_PATH: the kernel's
    Entry from, to;
    if (Reply r;
        !locate(rq, c.olddirfd, c.oldpath, from, r) || !locate(rq, c.newdirfd, c.newpath, to, r))
        return r;
    struct stat src {};
    if (::fstatat(from.dir.get(), from.name.c_str(), &src,
                  (flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) != 0 ||
        S_ISDIR(src.st_mode) || entry_exists(to))
        return Reply::go_on();  // ENOENT, EPERM, EEXIST: the kernel's own answers
    const std::uint64_t need = make_right(src.st_mode);
    if (need == 0) return Reply::go_on();
    if (!has(g.native_rights(to.chain), need) &&
        !has(g.entry_rights(to.chain, to.name, &to.names), need))
        return refused(log, RefusedOp::create, to);
    // The new name is allowed; a file the command may not remove (protected, outside every
    // writable root) would gain rights there, which Landlock's REFER refuses (EXDEV): listed
    // at the file, as the bwrap backend lists it (RefusedOp::link). Through a final symbolic
    // link (ln -L), the file it leads to is judged (review 54: it went unlisted).
    struct stat own {};
    if ((flags & AT_SYMLINK_FOLLOW) &&
        ::fstatat(from.dir.get(), from.name.c_str(), &own, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(own.st_mode)) {
        if (auto file = single_named_file(from, false);
            file && !has(g.policy_rights(file->chain, &file->names), ll::kWriteFile))
            note_refusal_at(log, RefusedOp::link, file->obj.get());
        return Reply::go_on();
    }
    if (!has(g.entry_rights(from.chain, from.name, &from.names), remove_right(src.st_mode)))
        return refused(log, RefusedOp::link, from);
    return Reply::go_on();
}

// truncate(2) of a path. Landlock grants truncation by the rules on the file's ancestors; a
// file new beneath a restricted directory has only that directory's reduced rights, so, as for
// an open for writing (open_existing), sbxrun truncates it through the descriptor it checked
// when the policy allows it. Neither allowing it: the kernel goes on to refuse it, noted.
Reply on_truncate(NotifyRequest& rq, const MetadataGuard& g, DenialLog* log) {
    Entry e;
    if (Reply r; !locate(rq, -1, 0, e, r)) return r;
    // Anything but a regular file fails for itself (EINVAL, EISDIR).
    auto file = single_named_file(e, false);
    if (!file) return Reply::go_on();
    const UniqueFd& obj = file->obj;
    const std::uint64_t need = ll::kTruncate | ll::kWriteFile;
    if (has(g.native_rights(file->chain), ll::kTruncate)) return Reply::go_on();
    // The file's own mode comes before Landlock (EACCES whatever the sandbox says).
    if (::faccessat(obj.get(), "", W_OK, AT_EACCESS | AT_EMPTY_PATH) != 0 &&
        (errno == EACCES || errno == EPERM))
        return Reply::go_on();
    if (!has(g.policy_rights(file->chain, &file->names), need)) {
        note_refusal_at(log, RefusedOp::write, obj.get());
        return Reply::go_on();
    }
    if (!rq.still_valid()) return Reply::go_on();
    const std::string self = "/proc/self/fd/" + std::to_string(obj.get());
    UniqueFd f(::open(self.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!f) return Reply::result(errno);
    const auto length = static_cast<off_t>(rq.arg(1));
    // The command's own file-size limit, which the kernel would apply to its truncate(2) and
    // not to sbxrun's (thirty-sixth review: `ulimit -f 1` then a 1 GB truncate went through):
    // EFBIG and SIGXFSZ, as the kernel answers.
    rlimit fsize{};
    if (::prlimit(rq.pid(), RLIMIT_FSIZE, nullptr, &fsize) != 0) return Reply::go_on();
    if (fsize.rlim_cur != RLIM_INFINITY && length > 0 &&
        static_cast<rlim_t>(length) > fsize.rlim_cur) {
        ::kill(rq.pid(), SIGXFSZ);
        return Reply::result(EFBIG);
    }
    return Reply::result(::ftruncate(f.get(), length) == 0 ? 0 : errno);
}

}  // namespace

void answer_link_call(int listener, const seccomp_notif& n, const entry_calls::LinkCall& call,
                      const MetadataGuard& guard, DenialLog* log) noexcept {
    Reply r;
    try {
        NotifyRequest rq{n, listener, {}};
        CapsCleared caps;
        r = caps.ok() ? on_link(rq, call, guard, log) : Reply::go_on();
    } catch (...) {
        r = Reply::go_on();  // an allocation failed: Landlock alone decides
    }
    send_reply(listener, n.id, r);
}

void answer_truncate_call(int listener, const seccomp_notif& n, const MetadataGuard& guard,
                          DenialLog* log) noexcept {
    Reply r;
    try {
        NotifyRequest rq{n, listener, {}};
        CapsCleared caps;
        r = caps.ok() ? on_truncate(rq, guard, log) : Reply::go_on();
    } catch (...) {
        r = Reply::go_on();
    }
    send_reply(listener, n.id, r);
}

void answer_entry_call(int listener, const seccomp_notif& n, const Call& call,
                       const MetadataGuard& guard, DenialLog* log) noexcept {
    Reply r;
    try {
        NotifyRequest rq{n, listener, {}};
        r = decide(rq, call, guard, log);
    } catch (...) {
        r = Reply::go_on();  // an allocation failed: Landlock alone decides
    }
    send_reply(listener, n.id, r);
}

}  // namespace sbx
