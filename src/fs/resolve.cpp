// Symlink-aware resolution: one O_PATH descriptor per component, symlinks spliced by hand.
//
// Both implementations share one walk; they differ in the call that opens a single component
// (openat vs openat2) and in how the result is re-checked. The kernel never follows a link for
// us: every step opens with O_NOFOLLOW, so each link crossed is seen, read and recorded, and
// ".." is taken against the directory actually reached (a stack of descriptors), never
// lexically through a link.
//
// Magic links (procfs "cwd", "root", "exe", "fd/N", "ns/…", "map_files/…") are refused in both
// implementations: a symlink that lives on procfs is followed only when its text is a plain
// relative path without ':' (the kernel's ordinary procfs links: "self", "thread-self",
// "mounts" -> "self/mounts", …). Magic links say "/some/path", "pipe:[…]", "anon_inode:[…]" or
// "mnt:[…]". We follow link *text*, never the kernel's jump, but a magic link's text does not
// name what the link refers to, so following it would resolve to something else.
#include "fs/resolve.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string_view>

#include "fs/path.hpp"

namespace sbx {
namespace {

constexpr int kStepRetries = 16;     // openat2 may report EAGAIN while a rename is in flight
constexpr int kResolveAttempts = 4;  // the first try and 3 retries when the tree changed
constexpr std::uint64_t kOpenFlags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
constexpr std::uint64_t kResolveFlags = RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
// ResolveOptions::readable_dir: a directory opened for reading (O_NONBLOCK: never wait).
constexpr std::uint64_t kReadDirFlags =
    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

// A component still to walk. `name` points into the requested path or into a link's text kept
// by the walk (a deque: its strings never move while the walk runs).
struct Comp {
    std::string_view name;
    bool from_link;  // came from a symlink's text (a missing one means a dangling link)
    bool must_dir;   // followed by a slash: must end as a directory (and a final link is followed)
};

// One directory on the way down; the stack of them is the canonical path reached so far.
// With openat2 one level may span several components opened in one call (a "jump"): none of
// them can be a link there, so one lookup is as good as one per component.
struct Level {
    UniqueFd fd;            // the root's stays closed until something needs it (ensure_root)
    std::size_t path_len;   // length of the canonical path string at this level ("/" is 0)
    struct stat st;         // fstat of fd, kept: a directory result needs no second fstat
    std::size_t spans = 1;  // components this level adds to the one below it
    // Opened by one absolute openat2 lookup refusing every link (from "/" before it was
    // opened): a re-check of its path would repeat exactly that lookup.
    bool one_lookup = false;
};

// The root level is opened only when its descriptor or identity is needed (a symlink that
// lives in "/", a missing name in "/", "/" as the result). Until then a lookup from it is an
// absolute lookup from AT_FDCWD: that starts at this process's root directory, which is what
// open("/") returns (sbxrun never changes its root), so "/name" from AT_FDCWD and "name" from
// a descriptor of "/" are the same lookup of the same directory.
Status ensure_root(Level& root) {
    if (root.fd.valid()) return {};
    int fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("cannot open the root directory", errno, "/");
    root.fd.reset(fd);
    if (::fstat(fd, &root.st) != 0) return os_error("cannot stat the root directory", errno, "/");
    return {};
}

int sys_openat2(int dirfd, const char* path, std::uint64_t flags, std::uint64_t resolve) {
    open_how how{};
    how.flags = flags;
    how.resolve = resolve;
    for (int i = 0; i < kStepRetries; ++i) {
        long fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);
    }
    return -1;  // errno is EAGAIN
}

int open_step(bool use_openat2, int dirfd, const char* name) {
    if (use_openat2) return sys_openat2(dirfd, name, kOpenFlags, kResolveFlags);
    return ::openat(dirfd, name, static_cast<int>(kOpenFlags));
}

// Push the components of `text` onto `pending` so that the first component is at the back.
// "." is dropped; a trailing slash (or trailing ".") marks the last component must_dir.
void push_components(std::vector<Comp>& pending, std::string_view text, bool from_link,
                     bool last_must_dir) {
    bool must_dir = last_must_dir || (!text.empty() && text.back() == '/');
    std::size_t end = text.size();
    while (end > 0) {
        while (end > 0 && text[end - 1] == '/') --end;
        if (end == 0) break;
        std::size_t start = end;
        while (start > 0 && text[start - 1] != '/') --start;
        std::string_view name = text.substr(start, end - start);
        if (name == ".") {
            must_dir = true;
        } else {
            pending.push_back({name, from_link, must_dir});
            must_dir = false;
        }
        end = start;
    }
}

// True when normalize_path(path) would return `path` itself: absolute, no empty, "." or ".."
// component, no trailing slash. The fast path then copies it instead of normalising it.
bool is_normal(std::string_view path) {
    if (path.empty() || path.front() != '/') return false;
    if (path.size() == 1) return true;
    if (path.back() == '/') return false;
    for (std::size_t i = 0; i < path.size();) {
        std::size_t j = path.find('/', i + 1);
        if (j == std::string_view::npos) j = path.size();
        std::string_view part = path.substr(i + 1, j - i - 1);  // between two slashes
        if (part.empty() || part == "." || part == "..") return false;
        i = j;
    }
    return true;
}

std::string child_path(const std::string& cur, std::string_view name) {
    std::string p;
    p.reserve(cur.size() + 1 + name.size());
    p = cur;
    p += '/';
    p += name;
    return p;
}

std::string render_links(const std::vector<SymlinkHop>& chain, std::size_t from,
                         const std::string& last) {
    std::string out;
    for (std::size_t i = from; i < chain.size(); ++i) {
        out += chain[i].link;
        out += " -> ";
    }
    out += last;
    return out;
}

// Magic links say "/some/path", "pipe:[…]", "anon_inode:[…]" or "mnt:[…]": any other text
// (plain relative, without ':') is followed wherever the link lives, with no look at it.
bool needs_magic_check(std::string_view text) {
    return text.empty() || text.front() == '/' || text.find(':') != std::string_view::npos;
}

bool is_procfs_magic(int link_fd, std::string_view text) {
    if (!needs_magic_check(text)) return false;  // skip the fstatfs
    struct statfs sfs {};
    if (::fstatfs(link_fd, &sfs) != 0) return false;
    return static_cast<unsigned long>(sfs.f_type) == PROC_SUPER_MAGIC;
}

enum class Jump { failed, level, leaf };

// Open the next `n` pending names (all plain, none "..") as one openat2 lookup refusing every
// link; on success they become one stack level. `whole`: the n names end the run and the last
// may be any type: a directory becomes a level, a non-directory that ends the whole path is
// the leaf. failed: take them another way (a link, a missing name, a file in the middle: the
// step by step walk reports each precisely).
Jump try_jump(std::vector<Level>& stack, std::string& cur, std::vector<Comp>& pending,
              std::size_t n, bool whole, char* buf, std::size_t size, UniqueFd& leaf,
              struct stat& leaf_st, std::string& leaf_path) {
    // From the root before it is opened: the same lookup as an absolute path (ensure_root).
    const bool from_root = !stack.back().fd.valid();
    std::size_t len = 0;
    if (from_root) buf[len++] = '/';
    const std::size_t rel = len;
    for (std::size_t i = 0; i < n; ++i) {
        std::string_view name = pending[pending.size() - 1 - i].name;
        if (len + name.size() + 2 > size) return Jump::failed;
        if (i > 0) buf[len++] = '/';
        std::memcpy(buf + len, name.data(), name.size());
        len += name.size();
    }
    buf[len] = '\0';
    const Comp& last = pending[pending.size() - n];
    const bool must_dir = !whole || last.must_dir;
    int fd = sys_openat2(from_root ? AT_FDCWD : stack.back().fd.get(), buf,
                         kOpenFlags | (must_dir ? O_DIRECTORY : 0), kResolveFlags);
    if (fd < 0) return Jump::failed;
    UniqueFd owned(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Jump::failed;
    if (S_ISDIR(st.st_mode)) {
        cur += '/';
        cur.append(buf + rel, len - rel);
        stack.push_back({std::move(owned), cur.size(), st, n, from_root});
        pending.resize(pending.size() - n);
        return Jump::level;
    }
    // A final link (returned as itself: O_PATH|O_NOFOLLOW) or a non-directory that does not
    // end the path: the step by step walk follows or reports it.
    if (S_ISLNK(st.st_mode) || n != pending.size() || last.must_dir) return Jump::failed;
    leaf = std::move(owned);
    leaf_st = st;
    leaf_path = cur;
    leaf_path += '/';
    leaf_path.append(buf + rel, len - rel);
    pending.clear();
    return Jump::leaf;
}

struct WalkOut {
    Resolved r;
    std::string check_path;  // canonical path of the object r.fd refers to
    // r.fd is a directory reached by one absolute lookup of check_path that refused every
    // link, with no link crossed before it: exactly what still_same() would do again. (A
    // missing name under it is the common case: each missing protected name of a plan.)
    bool no_recheck = false;
};

Result<WalkOut> walk_once(const std::string& path, const ResolveOptions& opts, bool use_openat2) {
    WalkOut out;
    Resolved& r = out.r;
    r.requested = normalize_path(path);

    std::vector<Level> stack;
    // Small reservations (under glibc's 1 KiB "large request", which consolidates the fast
    // bins first): most walks are a few levels deep and cross a link or two.
    stack.reserve(4);
    stack.push_back({UniqueFd(), 0, {}, 1});  // the root, opened on demand (ensure_root)
    std::string cur;                          // canonical path of stack.back(); "" stands for "/"
    cur.reserve(path.size() + 16);
    std::vector<Comp> pending;
    pending.reserve(16);
    push_components(pending, path, false, false);
    std::vector<std::string> loop_keys;  // link path + remaining components, one per hop
    std::deque<std::string> texts;       // link texts that `pending` points into

    UniqueFd leaf;  // the final object when it is not a directory
    struct stat leaf_st {};
    std::string leaf_path;
    // A name is written after a '/', so that a lookup from the unopened root can pass "/name".
    char name_buf[NAME_MAX + 2];
    name_buf[0] = '/';
    char* const name = name_buf + 1;
    char target[PATH_MAX];
    std::size_t no_jump = 0;  // components to take one by one after a failed jump

    // The first missing component `c`: it and everything after it is the tail that does not
    // exist; the result is the directory reached.
    auto missing = [&](const Comp& c) -> Status {
        r.exists = false;
        r.dangling = c.from_link;
        std::string tail(c.name);
        // A ".." after the missing component: where the path leads depends on what is made
        // there (a link made there sends the ".." anywhere), and a lexical join would name a
        // place the kernel never goes. The path is then the missing component alone: keeping
        // that from being created keeps the whole path unreachable (twenty-first outside
        // review: HOME -> ws/m/../h with ws/m missing; the command made ws/m -> x/y).
        bool& dotdot_after = r.dotdot_after;
        for (const auto& p : pending) dotdot_after = dotdot_after || p.name == "..";
        for (auto it = pending.rbegin(); !dotdot_after && it != pending.rend(); ++it) {
            tail += '/';
            tail += it->name;
        }
        r.real = path_join(cur.empty() ? std::string_view("/") : std::string_view(cur), tail);
        r.missing_tail = std::move(tail);
        out.check_path = cur.empty() ? "/" : cur;
        out.no_recheck = r.chain.empty() && stack.size() == 2 && stack.back().one_lookup;
        if (stack.size() == 1) SBX_TRY(ensure_root(stack.front()));
        r.fd = std::move(stack.back().fd);
        r.st = stack.back().st;
        return {};
    };

    // Record the link `c` (text already read and checked) and queue its text.
    auto follow = [&](const Comp& c, std::string_view text) -> Status {
        std::string link = child_path(cur, c.name);
        // Same link with the same components still to walk: resolution would repeat forever.
        std::string key = link;
        for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
            key += '/';
            key += it->name;
        }
        for (std::size_t i = 0; i < loop_keys.size(); ++i) {
            if (loop_keys[i] == key) {
                Error e(ErrorKind::loop, "symbolic link loop: " + render_links(r.chain, i, link));
                e.sys_errno = ELOOP;
                e.path = r.requested;
                e.symlink = r.chain[i].link;
                return e;
            }
        }
        if (static_cast<int>(r.chain.size()) >= opts.max_symlinks) {
            Error e(ErrorKind::loop, "more than " + std::to_string(opts.max_symlinks) +
                                         " symbolic links: " + render_links(r.chain, 0, link));
            e.sys_errno = ELOOP;
            e.path = r.requested;
            e.symlink = r.chain.empty() ? link : r.chain.front().link;
            return e;
        }
        if (stack.size() == 1) SBX_TRY(ensure_root(stack.front()));  // the hop's parent is "/"
        loop_keys.push_back(std::move(key));
        SymlinkHop hop;
        hop.link = std::move(link);
        hop.link_text.assign(text);
        hop.parent = cur.empty() ? "/" : cur;
        hop.parent_dev = stack.back().st.st_dev;
        hop.parent_ino = stack.back().st.st_ino;
        r.chain.push_back(std::move(hop));
        const std::string& stored = texts.emplace_back(text);
        push_components(pending, stored, true, c.must_dir);
        if (stored.front() == '/') {
            stack.resize(1);
            cur.clear();
        }
        return {};
    };

    while (!pending.empty()) {
        if (use_openat2 && no_jump == 0) {
            std::size_t k = 0;
            while (k < pending.size() && pending[pending.size() - 1 - k].name != "..") ++k;
            // Before any link, the fast path's lookup failed, most often on the last name (a
            // link, or missing): it gets a step of its own. After a link, what is left is
            // most often plain directories down to the target: the whole run in one lookup.
            if (k >= 2 && !r.chain.empty()) {
                Jump j = try_jump(stack, cur, pending, k, true, target, sizeof target, leaf,
                                  leaf_st, leaf_path);
                if (j != Jump::failed) continue;
            }
            if (k >= 2 && try_jump(stack, cur, pending, k - 1, false, target, sizeof target, leaf,
                                   leaf_st, leaf_path) == Jump::level) {
                continue;
            }
            no_jump = k;
        }
        if (no_jump > 0) --no_jump;
        Comp c = pending.back();
        pending.pop_back();
        if (c.name == "..") {
            // The directory it climbs out of: renamed and replaced by a link, it would send the
            // same spelling elsewhere (Resolved::climbed).
            if (!cur.empty()) r.climbed.push_back(cur);
            if (stack.back().spans > 1) {
                // The level below this one is more than one component up: ask the kernel for
                // the real parent of the directory reached (never a lexical guess).
                Level& top = stack.back();
                int fd = ::openat(top.fd.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                struct stat st {};
                if (fd < 0 || ::fstat(fd, &st) != 0) {
                    int e = errno;
                    if (fd >= 0) ::close(fd);
                    return os_error("cannot open parent directory", e, cur);
                }
                top.fd.reset(fd);
                top.st = st;
                top.spans -= 1;
                top.one_lookup = false;
                cur.resize(cur.rfind('/'));
                top.path_len = cur.size();
            } else if (stack.size() > 1) {
                stack.pop_back();
                cur.resize(stack.back().path_len);
            }
            continue;
        }
        if (c.name.size() > NAME_MAX) {
            return os_error("path component too long", ENAMETOOLONG, child_path(cur, c.name));
        }
        std::memcpy(name, c.name.data(), c.name.size());
        name[c.name.size()] = '\0';
        const bool last = pending.empty();
        const bool follow_link = !last || opts.follow_final || c.from_link || c.must_dir;
        const bool from_root = !stack.back().fd.valid();
        const int at_fd = from_root ? AT_FDCWD : stack.back().fd.get();
        const char* const at_name = from_root ? name_buf : name;

        if (use_openat2 && follow_link) {
            // A name taken on its own is most often a link (the reason a lookup failed or a
            // link's one-name text): read it by name first, one call instead of open, fstat,
            // readlinkat and close. readlinkat reads the link atomically, exactly as through a
            // descriptor of it; only the procfs check needs that descriptor, so text it must
            // see is read again below through one.
            ssize_t n = ::readlinkat(at_fd, at_name, target, sizeof target);
            if (n >= 0) {
                if (static_cast<std::size_t>(n) >= sizeof target) {
                    return os_error("symlink target too long", ENAMETOOLONG,
                                    child_path(cur, c.name));
                }
                std::string_view text(target, static_cast<std::size_t>(n));
                if (!needs_magic_check(text)) {
                    SBX_TRY(follow(c, text));
                    continue;
                }
            } else if (errno == ENOENT) {
                SBX_TRY(missing(c));
                return out;
            }
            // EINVAL: not a link. Anything else: the open below reports it as it always did.
        }

        int fd = open_step(use_openat2, at_fd, at_name);
        if (fd < 0) {
            int e = errno;
            if (e != ENOENT)
                return os_error("cannot open path component", e, child_path(cur, c.name));
            // Missing: everything from here on is the tail that does not exist.
            SBX_TRY(missing(c));
            return out;
        }
        UniqueFd owned(fd);
        struct stat st {};
        if (::fstat(fd, &st) != 0) return os_error("cannot stat", errno, child_path(cur, c.name));

        if (S_ISLNK(st.st_mode) && follow_link) {
            ssize_t n = ::readlinkat(fd, "", target, sizeof target);
            if (n < 0) return os_error("cannot read symlink", errno, child_path(cur, c.name));
            if (static_cast<std::size_t>(n) >= sizeof target) {
                return os_error("symlink target too long", ENAMETOOLONG, child_path(cur, c.name));
            }
            std::string_view text(target, static_cast<std::size_t>(n));
            if (is_procfs_magic(fd, text)) {
                std::string link = child_path(cur, c.name);
                Error e(ErrorKind::escape, "refusing to follow the procfs magic link " + link +
                                               " -> " + std::string(text));
                e.sys_errno = ELOOP;
                e.path = r.requested;
                e.symlink = link;
                e.target = std::string(text);
                return e;
            }
            SBX_TRY(follow(c, text));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            cur += '/';
            cur += c.name;
            stack.push_back({std::move(owned), cur.size(), st, 1, use_openat2 && from_root});
            continue;
        }
        if (!last || c.must_dir) {
            return os_error("not a directory", ENOTDIR, child_path(cur, c.name));
        }
        leaf = std::move(owned);
        leaf_st = st;
        leaf_path = child_path(cur, c.name);
    }

    r.exists = true;
    if (leaf) {
        r.fd = std::move(leaf);
        r.st = leaf_st;
        r.real = std::move(leaf_path);
    } else {
        out.no_recheck = r.chain.empty() && stack.size() == 2 && stack.back().one_lookup;
        if (stack.size() == 1) SBX_TRY(ensure_root(stack.front()));
        r.fd = std::move(stack.back().fd);
        r.st = stack.back().st;  // fstat'ed when the level was opened
        r.real = cur.empty() ? "/" : cur;
    }
    out.check_path = r.real;
    return out;
}

// Re-open a canonical path from "/" refusing every symlink and compare identities: a
// mismatch means a component was renamed or swapped while we walked.
bool still_same(const std::string& canonical, const struct stat& want, bool use_openat2) {
    struct stat st {};
    if (use_openat2) {
        int fd = sys_openat2(AT_FDCWD, canonical.c_str(), kOpenFlags, kResolveFlags);
        if (fd < 0) return false;
        bool ok = ::fstat(fd, &st) == 0;
        ::close(fd);
        return ok && st.st_dev == want.st_dev && st.st_ino == want.st_ino;
    }
    // Without openat2 nothing opens a path refusing intermediate links in one call: walk it
    // again with O_NOFOLLOW|O_DIRECTORY (a symlink in the middle fails with ENOTDIR/ELOOP).
    UniqueFd dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return false;
    char name[NAME_MAX + 1];
    std::string_view p(canonical);
    std::size_t i = 0;
    while (true) {
        while (i < p.size() && p[i] == '/') ++i;
        if (i >= p.size()) break;
        std::size_t j = i;
        while (j < p.size() && p[j] != '/') ++j;
        if (j - i > NAME_MAX) return false;
        std::memcpy(name, p.data() + i, j - i);
        name[j - i] = '\0';
        bool last = j >= p.size();
        int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY);
        int fd = ::openat(dir.get(), name, flags);
        if (fd < 0) return false;
        dir.reset(fd);
        i = j;
    }
    if (::fstat(dir.get(), &st) != 0) return false;
    return st.st_dev == want.st_dev && st.st_ino == want.st_ino;
}

}  // namespace

bool have_openat2() {
    static std::atomic<int> cached{-1};
    int v = cached.load(std::memory_order_relaxed);
    if (v >= 0) return v == 1;
    int fd = sys_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0);
    // ENOSYS: old kernel; EPERM: a seccomp filter that rejects unknown system calls.
    bool have = fd >= 0 || (errno != ENOSYS && errno != EPERM);
    if (fd >= 0) ::close(fd);
    cached.store(have ? 1 : 0, std::memory_order_relaxed);
    return have;
}

Result<Resolved> resolve(const std::string& absolute_path, const ResolveOptions& opts) {
    if (absolute_path.empty() || absolute_path.front() != '/') {
        return os_error("not an absolute path", EINVAL, absolute_path);
    }
    bool use_openat2 = false;
    switch (opts.impl) {
        case ResolverImpl::automatic:
            use_openat2 = have_openat2();
            break;
        case ResolverImpl::walk:
            use_openat2 = false;
            break;
        case ResolverImpl::openat2:
            if (!have_openat2()) {
                Error e(ErrorKind::unsupported, "the kernel has no openat2(2)");
                e.sys_errno = ENOSYS;
                e.path = absolute_path;
                return e;
            }
            use_openat2 = true;
            break;
    }

    const bool want_readable = use_openat2 && opts.readable_dir;
    // Not for a path with a "..": the kernel's one lookup would climb out of a directory
    // without telling, and Resolved::climbed must list it.
    if (use_openat2 && is_normal(absolute_path)) {
        // Fast path for the common case, a path without any symlink: one atomic lookup that
        // refuses every link is exactly a component walk that met none, and needs no re-check.
        // Anything else (a link, a missing or unreadable component) takes the full walk, which
        // reports it precisely.
        bool walk_now = false;
        if (want_readable) {
            // A directory to be listed: open it for reading straight away. O_DIRECTORY fails
            // before anything else is opened, O_NOFOLLOW with RESOLVE_NO_SYMLINKS refuses a
            // link anywhere, as the O_PATH lookup below does.
            int fd = sys_openat2(AT_FDCWD, absolute_path.c_str(), kReadDirFlags, kResolveFlags);
            if (fd >= 0) {
                Resolved r;
                r.fd.reset(fd);
                if (::fstat(fd, &r.st) == 0) {
                    r.requested =
                        is_normal(absolute_path) ? absolute_path : normalize_path(absolute_path);
                    r.real = r.requested;
                    r.exists = true;
                    r.readable = true;
                    return r;
                }
            } else {
                // ELOOP: a link on the way or at the end; ENOENT: missing. The O_PATH lookup
                // would fail the same way: walk now. Anything else (a file: ENOTDIR, an
                // unreadable directory: EACCES, ...) is for the O_PATH lookup.
                walk_now = errno == ELOOP || errno == ENOENT;
            }
        }
        int fd =
            walk_now ? -1 : sys_openat2(AT_FDCWD, absolute_path.c_str(), kOpenFlags, kResolveFlags);
        if (fd >= 0) {
            Resolved r;
            r.fd.reset(fd);
            if (::fstat(fd, &r.st) == 0 && !(S_ISLNK(r.st.st_mode) && opts.follow_final)) {
                r.requested =
                    is_normal(absolute_path) ? absolute_path : normalize_path(absolute_path);
                r.real = r.requested;
                r.exists = true;
                return r;
            }
        }
    }

    for (int attempt = 0; attempt < kResolveAttempts; ++attempt) {
        auto w = walk_once(absolute_path, opts, use_openat2);
        if (!w.ok()) return std::move(w).error();
        if (want_readable && w->r.exists && S_ISDIR(w->r.st.st_mode)) {
            // The re-check opens the directory for reading: an fd of the same inode reached
            // by the canonical path without any link is what still_same() compares, and it
            // becomes the result (the walk's O_PATH one is closed). If it cannot be opened so
            // (unreadable, or changed), the plain re-check decides as always.
            UniqueFd rd(sys_openat2(AT_FDCWD, w->check_path.c_str(), kReadDirFlags, kResolveFlags));
            struct stat st {};
            if (rd && ::fstat(rd.get(), &st) == 0 && st.st_dev == w->r.st.st_dev &&
                st.st_ino == w->r.st.st_ino) {
                w->r.fd = std::move(rd);
                w->r.st = st;
                w->r.readable = true;
                return std::move(w->r);
            }
        }
        if (w->no_recheck || still_same(w->check_path, w->r.st, use_openat2))
            return std::move(w->r);
    }
    return os_error("path changed while it was being resolved", EAGAIN,
                    normalize_path(absolute_path));
}

}  // namespace sbx
