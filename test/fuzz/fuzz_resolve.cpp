// libFuzzer target: the symlink-aware resolver on trees built from the input.
//
// The input is a small program: first the entries of a tree (directories, files, relative and
// absolute symlinks, links into loops and into procfs) created in a fresh directory under a
// private temporary base, then paths to resolve below it. Each path is resolved with both
// implementations (openat2 when the kernel has it, and walk), and the results are checked:
//   - no crash, no leaked descriptor;
//   - both implementations agree (success, error kind/errno, exists, real, tail, chain, identity);
//   - the fd is what the result says: fstat(fd) matches `st`, and lstat(real) is the same object
//     (for an existing result), or the deepest existing directory (for a missing one);
//   - with follow_final, the kernel agrees: realpath() of the path is `real` when it exists, and
//     fails when resolve says the path is missing.
// Tree entries are created through O_NOFOLLOW directory descriptors, so a planted link never
// makes the fuzzer write outside its base directory.
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fs/resolve.hpp"

namespace {

struct Reader {
    const std::uint8_t* p;
    std::size_t n;
    bool empty() const { return n == 0; }
    std::uint8_t byte() {
        if (n == 0) return 0;
        --n;
        return *p++;
    }
};

// Names for entries; names for paths and link texts add "." and "..".
constexpr const char* kEntryNames[] = {"a", "b", "c", "d"};
constexpr const char* kPathNames[] = {"a", "b", "c", "d", "..", ".", "a", "b"};
constexpr const char* kOutside[] = {
    "/",         "/proc/self",     "/proc/self/root",  "/proc/self/cwd", "/proc/self/fd/0",
    "/dev/null", "/nonexistent/x", "/proc/self/mounts"};

std::string g_base;  // canonical private directory holding one tree per input
unsigned long g_serial = 0;

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
    // Best effort: what cannot be removed is left for the base directory's removal.
    if (type == FTW_DP) {
        ::rmdir(path);
    } else {
        ::unlink(path);
    }
    return 0;
}

void remove_tree(const std::string& path) {
    ::nftw(path.c_str(), remove_entry, 16, FTW_PHYS | FTW_DEPTH);
}

void remove_base() {
    if (!g_base.empty()) remove_tree(g_base);
}

const std::string& base_dir() {
    if (g_base.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/sbx-fuzz-resolve-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) {
            std::perror("mkdtemp");
            std::abort();
        }
        char real[PATH_MAX];
        if (::realpath(tmpl.c_str(), real) == nullptr) {
            std::perror("realpath");
            std::abort();
        }
        g_base = real;
        std::atexit(remove_base);
    }
    return g_base;
}

[[noreturn]] void fail(const char* what, const std::string& path, const std::string& detail = {}) {
    std::fprintf(stderr, "resolve fuzz invariant broken: %s\n  path: %s\n  %s\n", what,
                 path.c_str(), detail.c_str());
    std::abort();
}

std::string join_names(Reader& in, std::size_t count, bool path_names) {
    std::string s;
    for (std::size_t i = 0; i < count; ++i) {
        if (i) s += '/';
        s += path_names ? kPathNames[in.byte() % 8] : kEntryNames[in.byte() % 4];
    }
    return s;
}

// Create `rel` (plain names only) below `root`, making missing parents as directories. Every
// step opens with O_NOFOLLOW|O_DIRECTORY, so an existing link on the way stops the creation.
void create_entry(const std::string& root, const std::vector<std::string>& names, int kind,
                  const std::string& text) {
    int dir = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0) return;
    for (std::size_t i = 0; i + 1 < names.size(); ++i) {
        ::mkdirat(dir, names[i].c_str(), 0755);
        int next = ::openat(dir, names[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ::close(dir);
        if (next < 0) return;
        dir = next;
    }
    const char* last = names.back().c_str();
    if (kind == 0) {
        ::mkdirat(dir, last, 0755);
    } else if (kind == 1) {
        int fd = ::openat(dir, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) ::close(fd);
    } else {
        ::symlinkat(text.c_str(), dir, last);
    }
    ::close(dir);
}

void build_tree(Reader& in, const std::string& root) {
    std::size_t entries = in.byte() % 12;
    for (std::size_t e = 0; e < entries && !in.empty(); ++e) {
        int op = in.byte() % 6;
        std::vector<std::string> names;
        std::size_t depth = in.byte() % 3 + 1;
        for (std::size_t i = 0; i < depth; ++i) names.emplace_back(kEntryNames[in.byte() % 4]);
        std::string text;
        switch (op) {
            case 0:  // directory
            case 1:  // file
                create_entry(root, names, op, text);
                continue;
            case 2:    // relative link (may climb out with "..", or loop)
            case 3: {  // absolute link into the tree
                std::uint8_t f = in.byte();
                text = join_names(in, f % 4 + 1, true);
                if (f & 0x10) text += '/';
                if (op == 3) text = root + "/" + text;
                break;
            }
            case 4:  // absolute link out of the tree, procfs magic links included
                text = kOutside[in.byte() % 8];
                break;
            default: {  // raw text: odd bytes, ':' like "pipe:[1]", empty components
                std::size_t len = in.byte() % 8 + 1;
                for (std::size_t i = 0; i < len; ++i) {
                    char c = static_cast<char>(in.byte());
                    text += c == '\0' ? '/' : c;
                }
                break;
            }
        }
        create_entry(root, names, 2, text);
    }
}

struct stat fstat_of(int fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("fstat of the result's fd failed", path);
    return st;
}

bool same_object(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool tail_has_dotdot(const std::string& tail) {
    return tail == ".." || tail.rfind("../", 0) == 0 || tail.find("/../") != std::string::npos ||
           (tail.size() >= 3 && tail.compare(tail.size() - 3, 3, "/..") == 0);
}

void check_result(const sbx::Resolved& r, const std::string& path) {
    if (!r.fd.valid()) fail("ok result without an fd", path);
    struct stat fst = fstat_of(r.fd.get(), path);
    if (!same_object(fst, r.st)) fail("st is not fstat(fd)", path, r.real);
    if (r.real.empty() || r.real.front() != '/') fail("real is not absolute", path, r.real);
    struct stat lst {};
    if (r.exists) {
        if (!r.missing_tail.empty()) fail("existing result with a missing tail", path);
        if (::lstat(r.real.c_str(), &lst) != 0) fail("lstat(real) fails", path, r.real);
        if (!same_object(lst, fst)) fail("fd is not the object at real", path, r.real);
        return;
    }
    if (r.missing_tail.empty()) fail("missing result without a tail", path);
    if (!S_ISDIR(fst.st_mode)) fail("missing result's fd is not a directory", path, r.real);
    // `real` is the parent reached joined lexically with the tail: only without ".." in the
    // tail can it be split back into the two.
    if (tail_has_dotdot(r.missing_tail)) return;
    if (::lstat(r.real.c_str(), &lst) == 0)
        fail("missing result names an existing path", path, r.real);
    const std::string suffix = "/" + r.missing_tail;
    if (r.real.size() < suffix.size() ||
        r.real.compare(r.real.size() - suffix.size(), suffix.size(), suffix) != 0)
        fail("real does not end with the missing tail", path, r.real + " / " + r.missing_tail);
    std::string parent = r.real.substr(0, r.real.size() - suffix.size());
    if (parent.empty()) parent = "/";
    if (::lstat(parent.c_str(), &lst) != 0 || !same_object(lst, fst))
        fail("fd is not the parent of the missing tail", path, parent);
}

std::string describe(const sbx::Result<sbx::Resolved>& r) {
    if (!r.ok()) {
        return std::string("error ") + sbx::to_string(r.error().kind) + " errno " +
               std::to_string(r.error().sys_errno) + ": " + r.error().render();
    }
    std::string s = (r->exists ? "exists " : "missing ") + r->real + " tail=" + r->missing_tail +
                    (r->dangling ? " dangling" : "") + " chain:";
    for (const auto& h : r->chain) s += " " + h.link + "->" + h.link_text;
    return s;
}

void compare_impls(const sbx::Result<sbx::Resolved>& a, const sbx::Result<sbx::Resolved>& b,
                   const std::string& path) {
    const std::string detail = "openat2: " + describe(a) + "\n  walk:    " + describe(b);
    if (a.ok() != b.ok()) fail("implementations disagree on success", path, detail);
    if (!a.ok()) {
        if (a.error().kind != b.error().kind || a.error().sys_errno != b.error().sys_errno)
            fail("implementations disagree on the error", path, detail);
        return;
    }
    bool same = a->requested == b->requested && a->real == b->real && a->exists == b->exists &&
                a->missing_tail == b->missing_tail && a->dangling == b->dangling &&
                same_object(a->st, b->st) && a->chain.size() == b->chain.size();
    for (std::size_t i = 0; same && i < a->chain.size(); ++i) {
        const auto &x = a->chain[i], &y = b->chain[i];
        same = x.link == y.link && x.link_text == y.link_text && x.parent == y.parent &&
               x.parent_dev == y.parent_dev && x.parent_ino == y.parent_ino;
    }
    if (!same) fail("implementations disagree on the result", path, detail);
}

// With follow_final the kernel's own resolution is an oracle, except for procfs magic links,
// which resolve() refuses (ErrorKind::escape) on purpose.
void compare_kernel(const sbx::Result<sbx::Resolved>& r, const std::string& path) {
    char buf[PATH_MAX];
    errno = 0;
    const char* k = ::realpath(path.c_str(), buf);
    const int kerr = errno;
    const std::string detail = "resolve: " + describe(r) + "\n  kernel:  " +
                               (k ? std::string(k) : "errno " + std::to_string(kerr));
    if (!r.ok()) {
        if (k != nullptr && r.error().kind != sbx::ErrorKind::escape)
            fail("resolve fails where the kernel resolves", path, detail);
        return;
    }
    if (r->exists) {
        if (k == nullptr || r->real != k) fail("real is not the kernel's realpath", path, detail);
    } else if (k != nullptr) {
        fail("resolve says missing, the kernel resolves it", path, detail);
    }
}

int lowest_free_fd() {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
    return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in{data, size};
    const int fd_mark = lowest_free_fd();
    const std::string root = base_dir() + "/" + std::to_string(g_serial++);
    if (::mkdir(root.c_str(), 0755) != 0) fail("cannot make the tree root", root);
    build_tree(in, root);

    const bool two = sbx::have_openat2();
    for (int q = 0; q < 8 && !in.empty(); ++q) {
        std::uint8_t flags = in.byte();
        std::string path = root + "/" + join_names(in, flags % 6, true);
        if (flags & 0x40) path += '/';
        if (flags & 0x80) path.insert(root.size(), "/");  // a doubled slash
        sbx::ResolveOptions o;
        o.follow_final = (flags & 0x20) == 0;
        o.impl = sbx::ResolverImpl::walk;
        auto w = sbx::resolve(path, o);
        if (w.ok()) check_result(*w, path);
        if (two) {
            o.impl = sbx::ResolverImpl::openat2;
            auto t = sbx::resolve(path, o);
            if (t.ok()) check_result(*t, path);
            compare_impls(t, w, path);
        }
        if (o.follow_final) compare_kernel(w, path);
    }

    remove_tree(root);
    if (lowest_free_fd() != fd_mark) fail("a descriptor leaked", root);
    return 0;
}
