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
#include <string_view>

#include "fs/path.hpp"

namespace sbx {
namespace {

constexpr int kStepRetries = 16;     // openat2 may report EAGAIN while a rename is in flight
constexpr int kResolveAttempts = 4;  // the first try and 3 retries when the tree changed
constexpr std::uint64_t kOpenFlags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
constexpr std::uint64_t kResolveFlags = RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;

// A component still to walk. `name` points into the requested path or into a hop's link_text
// (chain storage is reserved up front so those strings never move).
struct Comp {
    std::string_view name;
    bool from_link;  // came from a symlink's text (a missing one means a dangling link)
    bool must_dir;   // followed by a slash: must end as a directory (and a final link is followed)
};

// One directory on the way down; the stack of them is the canonical path reached so far.
// With openat2 one level may span several components opened in one call (a "jump"): none of
// them can be a link there, so one lookup is as good as one per component.
struct Level {
    UniqueFd fd;
    std::size_t path_len;  // length of the canonical path string at this level ("/" is 0)
    dev_t dev;
    ino_t ino;
    std::size_t spans = 1;  // components this level adds to the one below it
};

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

bool is_procfs_magic(int link_fd, std::string_view text) {
    // Plain relative text is followed wherever the link lives: skip the fstatfs for it.
    if (!text.empty() && text.front() != '/' && text.find(':') == std::string_view::npos) {
        return false;
    }
    struct statfs sfs {};
    if (::fstatfs(link_fd, &sfs) != 0) return false;
    if (static_cast<unsigned long>(sfs.f_type) != PROC_SUPER_MAGIC) return false;
    return text.empty() || text.front() == '/' || text.find(':') != std::string_view::npos;
}

// Open the next `n` pending names (all plain, none "..") as one openat2 lookup refusing every
// link; on success they become one stack level. False: take them one by one instead.
bool try_jump(std::vector<Level>& stack, std::string& cur, std::vector<Comp>& pending,
              std::size_t n, char* buf, std::size_t size) {
    std::size_t len = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::string_view name = pending[pending.size() - 1 - i].name;
        if (len + name.size() + 2 > size) return false;
        if (i > 0) buf[len++] = '/';
        std::memcpy(buf + len, name.data(), name.size());
        len += name.size();
    }
    buf[len] = '\0';
    int fd = sys_openat2(stack.back().fd.get(), buf, kOpenFlags | O_DIRECTORY, kResolveFlags);
    if (fd < 0) return false;
    UniqueFd owned(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    cur += '/';
    cur.append(buf, len);
    stack.push_back({std::move(owned), cur.size(), st.st_dev, st.st_ino, n});
    pending.resize(pending.size() - n);
    return true;
}

struct WalkOut {
    Resolved r;
    std::string check_path;  // canonical path of the object r.fd refers to
};

Result<WalkOut> walk_once(const std::string& path, const ResolveOptions& opts, bool use_openat2) {
    WalkOut out;
    Resolved& r = out.r;
    r.requested = normalize_path(path);

    std::vector<Level> stack;
    stack.reserve(16);
    {
        int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) return os_error("cannot open the root directory", errno, "/");
        struct stat st {};
        if (::fstat(root, &st) != 0) {
            int e = errno;
            ::close(root);
            return os_error("cannot stat the root directory", e, "/");
        }
        stack.push_back({UniqueFd(root), 0, st.st_dev, st.st_ino, 1});
    }
    std::string cur;  // canonical path of stack.back(); "" stands for "/"
    cur.reserve(path.size() + 16);
    std::vector<Comp> pending;
    pending.reserve(16);
    push_components(pending, path, false, false);
    std::vector<std::string> loop_keys;  // link path + remaining components, one per hop

    UniqueFd leaf;  // the final object when it is not a directory
    struct stat leaf_st {};
    std::string leaf_path;
    char name[NAME_MAX + 1];
    char target[PATH_MAX];
    std::size_t no_jump = 0;  // components to take one by one after a failed jump

    while (!pending.empty()) {
        if (use_openat2 && no_jump == 0) {
            // The run of plain names ahead, but its last: open them in one lookup.
            std::size_t k = 0;
            while (k < pending.size() && pending[pending.size() - 1 - k].name != "..") ++k;
            if (k >= 2 && try_jump(stack, cur, pending, k - 1, target, sizeof target)) continue;
            no_jump = k;
        }
        if (no_jump > 0) --no_jump;
        Comp c = pending.back();
        pending.pop_back();
        if (c.name == "..") {
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
                top.dev = st.st_dev;
                top.ino = st.st_ino;
                top.spans -= 1;
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

        int fd = open_step(use_openat2, stack.back().fd.get(), name);
        if (fd < 0) {
            int e = errno;
            if (e != ENOENT)
                return os_error("cannot open path component", e, child_path(cur, c.name));
            // Missing: everything from here on is the tail that does not exist.
            r.exists = false;
            r.dangling = c.from_link;
            std::string tail(c.name);
            for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
                tail += '/';
                tail += it->name;
            }
            r.real = path_join(cur.empty() ? std::string_view("/") : std::string_view(cur), tail);
            r.missing_tail = std::move(tail);
            out.check_path = cur.empty() ? "/" : cur;
            r.fd = std::move(stack.back().fd);
            if (::fstat(r.fd.get(), &r.st) != 0)
                return os_error("cannot stat", errno, out.check_path);
            return out;
        }
        UniqueFd owned(fd);
        struct stat st {};
        if (::fstat(fd, &st) != 0) return os_error("cannot stat", errno, child_path(cur, c.name));
        bool last = pending.empty();

        if (S_ISLNK(st.st_mode) && (!last || opts.follow_final || c.from_link || c.must_dir)) {
            ssize_t n = ::readlinkat(fd, "", target, sizeof target);
            if (n < 0) return os_error("cannot read symlink", errno, child_path(cur, c.name));
            if (static_cast<std::size_t>(n) >= sizeof target) {
                return os_error("symlink target too long", ENAMETOOLONG, child_path(cur, c.name));
            }
            std::string_view text(target, static_cast<std::size_t>(n));
            std::string link = child_path(cur, c.name);
            if (is_procfs_magic(fd, text)) {
                Error e(ErrorKind::escape, "refusing to follow the procfs magic link " + link +
                                               " -> " + std::string(text));
                e.sys_errno = ELOOP;
                e.path = r.requested;
                e.symlink = link;
                e.target = std::string(text);
                return e;
            }
            // Same link with the same components still to walk: resolution would repeat forever.
            std::string key = link;
            for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
                key += '/';
                key += it->name;
            }
            for (std::size_t i = 0; i < loop_keys.size(); ++i) {
                if (loop_keys[i] == key) {
                    Error e(ErrorKind::loop,
                            "symbolic link loop: " + render_links(r.chain, i, link));
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
            loop_keys.push_back(std::move(key));
            // Reserved once so that link_text strings never move: `pending` points into them.
            if (r.chain.empty()) r.chain.reserve(static_cast<std::size_t>(opts.max_symlinks) + 1);
            SymlinkHop hop;
            hop.link = std::move(link);
            hop.link_text.assign(text);
            hop.parent = cur.empty() ? "/" : cur;
            hop.parent_dev = stack.back().dev;
            hop.parent_ino = stack.back().ino;
            r.chain.push_back(std::move(hop));
            const std::string& stored = r.chain.back().link_text;
            push_components(pending, stored, true, c.must_dir);
            if (stored.front() == '/') {
                stack.resize(1);
                cur.clear();
            }
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            cur += '/';
            cur += c.name;
            stack.push_back({std::move(owned), cur.size(), st.st_dev, st.st_ino, 1});
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
        r.fd = std::move(stack.back().fd);
        r.real = cur.empty() ? "/" : cur;
        if (::fstat(r.fd.get(), &r.st) != 0) return os_error("cannot stat", errno, r.real);
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

    if (use_openat2) {
        // Fast path for the common case, a path without any symlink: one atomic lookup that
        // refuses every link is exactly a component walk that met none, and needs no re-check.
        // Anything else (a link, a missing or unreadable component) takes the full walk, which
        // reports it precisely.
        int fd = sys_openat2(AT_FDCWD, absolute_path.c_str(), kOpenFlags, kResolveFlags);
        if (fd >= 0) {
            Resolved r;
            r.fd.reset(fd);
            if (::fstat(fd, &r.st) == 0 && !(S_ISLNK(r.st.st_mode) && opts.follow_final)) {
                r.requested = normalize_path(absolute_path);
                r.real = r.requested;
                r.exists = true;
                return r;
            }
        }
    }

    for (int attempt = 0; attempt < kResolveAttempts; ++attempt) {
        auto w = walk_once(absolute_path, opts, use_openat2);
        if (!w.ok()) return std::move(w).error();
        if (still_same(w->check_path, w->r.st, use_openat2)) return std::move(w->r);
    }
    return os_error("path changed while it was being resolved", EAGAIN,
                    normalize_path(absolute_path));
}

}  // namespace sbx
