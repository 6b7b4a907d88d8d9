// The resolver table, run against both implementations.
#include "fs/resolve.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "skip.hpp"
#include "tree.hpp"

using sbx::ErrorKind;
using sbx::resolve;
using sbx::ResolveOptions;
using sbx::ResolverImpl;
using sbx::test::Entry;
using sbx::test::TempTree;

namespace {

// Run `probe` without root's permission bypass: directly when unprivileged already, else in a
// child that drops to the unprivileged test user. Checks that it returned 0 (its codes say
// which expectation failed); skips with a warning when root has no such user to become.
void check_unprivileged(const std::function<int()>& probe) {
    if (::geteuid() != 0) {
        CHECK(probe() == 0);
        return;
    }
    struct passwd* pw = ::getpwnam("sbxtest");
    if (pw == nullptr) {
        sbx::test::skip("running as root and there is no user sbxtest");
        return;
    }
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 ||
            ::setuid(pw->pw_uid) != 0) {
            ::_exit(100);
        }
        ::_exit(probe());
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

// Both implementations; openat2 is skipped (or, with SBXRUN_MUST_WORK=1, failed) when the
// kernel lacks it.
ResolveOptions impl_options(ResolverImpl impl) {
    ResolveOptions o;
    o.impl = impl;
    return o;
}

bool usable(ResolverImpl impl) {
    if (impl != ResolverImpl::openat2 || sbx::have_openat2()) return true;
    sbx::test::skip("the openat2 resolver: the kernel has no openat2(2)");
    return false;
}

const char* impl_name(ResolverImpl impl) {
    return impl == ResolverImpl::walk ? "walk" : impl == ResolverImpl::openat2 ? "openat2" : "auto";
}

struct stat lstat_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st;
}

struct stat stat_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st;
}

// The fd reached is `real`, and its fstat is what Resolved::st says.
void check_consistent(const sbx::Resolved& r) {
    struct stat fst {};
    REQUIRE(r.fd.valid());
    REQUIRE(::fstat(r.fd.get(), &fst) == 0);
    CHECK(fst.st_ino == r.st.st_ino);
    CHECK(fst.st_dev == r.st.st_dev);
    if (r.exists) {
        auto st = lstat_of(r.real);
        CHECK(st.st_ino == fst.st_ino);
        CHECK(st.st_dev == fst.st_dev);
    }
}

}  // namespace

TEST_CASE("resolve: plain paths", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2, ResolverImpl::automatic);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{{Entry::dir, "a", ""}, {Entry::dir, "a/b", ""}, {Entry::file, "a/b/f", "x"}};
    auto o = impl_options(impl);

    auto r = resolve(t / "a/b/f", o);
    REQUIRE(r.ok());
    CHECK(r->exists);
    CHECK(r->real == t / "a/b/f");
    CHECK(r->requested == t / "a/b/f");
    CHECK(r->chain.empty());
    CHECK(S_ISREG(r->st.st_mode));
    CHECK(r->missing_tail.empty());
    check_consistent(*r);

    auto d = resolve(t.root() + "//a/./b/../b/", o);
    REQUIRE(d.ok());
    CHECK(d->real == t / "a/b");
    CHECK(S_ISDIR(d->st.st_mode));
    check_consistent(*d);

    auto root = resolve("/", o);
    REQUIRE(root.ok());
    CHECK(root->real == "/");
    CHECK(root->exists);

    auto up = resolve("/../..", o);
    REQUIRE(up.ok());
    CHECK(up->real == "/");

    auto rel = resolve("relative/path", o);
    REQUIRE_FALSE(rel.ok());
    CHECK(rel.error().sys_errno == EINVAL);
}

TEST_CASE("resolve: relative and absolute links, chains, links to links", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{
        {Entry::dir, "ws", ""},
        {Entry::dir, "ws/.auxiliary", ""},
        {Entry::dir, "ws/.auxiliary/codex", ""},
        {Entry::file, "ws/.auxiliary/codex/config.toml", "x"},
        {Entry::link, "ws/.codex", ".auxiliary/codex"},
        {Entry::link, "ws/l1", "l2"},
        {Entry::link, "ws/l2", "l3"},
        {Entry::link, "ws/l3", ".codex"},
    };
    t.add({Entry::link, "ws/abs", t / "ws/.auxiliary"});
    auto o = impl_options(impl);
    auto target = t / "ws/.auxiliary/codex";

    SECTION("relative link") {
        auto r = resolve(t / "ws/.codex", o);
        REQUIRE(r.ok());
        CHECK(r->exists);
        CHECK(r->real == target);
        CHECK(r->requested == t / "ws/.codex");
        REQUIRE(r->chain.size() == 1);
        CHECK(r->chain[0].link == t / "ws/.codex");
        CHECK(r->chain[0].link_text == ".auxiliary/codex");
        CHECK(r->chain[0].parent == t / "ws");
        auto ws = stat_of(t / "ws");
        CHECK(r->chain[0].parent_dev == ws.st_dev);
        CHECK(r->chain[0].parent_ino == ws.st_ino);
        check_consistent(*r);
    }
    SECTION("through a link to a file inside") {
        auto r = resolve(t / "ws/.codex/config.toml", o);
        REQUIRE(r.ok());
        CHECK(r->real == target + "/config.toml");
        CHECK(S_ISREG(r->st.st_mode));
        CHECK(r->chain.size() == 1);
        check_consistent(*r);
    }
    SECTION("absolute link") {
        auto r = resolve(t / "ws/abs/codex", o);
        REQUIRE(r.ok());
        CHECK(r->real == target);
        REQUIRE(r->chain.size() == 1);
        CHECK(r->chain[0].link_text == t / "ws/.auxiliary");
        check_consistent(*r);
    }
    SECTION("chain of links to links") {
        auto r = resolve(t / "ws/l1/config.toml", o);
        REQUIRE(r.ok());
        CHECK(r->real == target + "/config.toml");
        REQUIRE(r->chain.size() == 4);
        CHECK(r->chain[0].link == t / "ws/l1");
        CHECK(r->chain[1].link == t / "ws/l2");
        CHECK(r->chain[2].link == t / "ws/l3");
        CHECK(r->chain[3].link == t / "ws/.codex");
        check_consistent(*r);
    }
    SECTION("follow_final = false stops at the final link") {
        o.follow_final = false;
        auto r = resolve(t / "ws/.codex", o);
        REQUIRE(r.ok());
        CHECK(r->exists);
        CHECK(S_ISLNK(r->st.st_mode));
        CHECK(r->real == t / "ws/.codex");
        CHECK(r->chain.empty());
        check_consistent(*r);
        // ... but a trailing slash forces the link to be followed.
        auto s = resolve(t / "ws/.codex/", o);
        REQUIRE(s.ok());
        CHECK(s->real == target);
        CHECK(s->chain.size() == 1);
        // ... and links in the middle are always followed.
        auto m = resolve(t / "ws/l1/config.toml", o);
        REQUIRE(m.ok());
        CHECK(m->chain.size() == 4);
    }
    SECTION("a chain exactly at max_symlinks is fine, one more is a loop error") {
        o.max_symlinks = 4;
        auto r = resolve(t / "ws/l1", o);
        REQUIRE(r.ok());
        CHECK(r->chain.size() == 4);
        o.max_symlinks = 3;
        auto e = resolve(t / "ws/l1", o);
        REQUIRE_FALSE(e.ok());
        CHECK(e.error().kind == ErrorKind::loop);
        CHECK(e.error().path == t / "ws/l1");
        CHECK(e.error().message.find(t / "ws/l1 -> " + t / "ws/l2") != std::string::npos);
    }
}

TEST_CASE("resolve: '..' after a link is taken against the link's target", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{
        {Entry::dir, "ws", ""},          {Entry::dir, "deep", ""},
        {Entry::dir, "deep/er", ""},     {Entry::file, "deep/sibling", ""},
        {Entry::file, "ws/sibling", ""}, {Entry::link, "ws/l", "../deep/er"},
    };
    auto r = resolve(t / "ws/l/../sibling", impl_options(impl));
    REQUIRE(r.ok());
    CHECK(r->real == t / "deep/sibling");  // lexically it would be ws/sibling
    CHECK(r->requested == t / "ws/sibling");
    CHECK(r->chain.size() == 1);
    check_consistent(*r);
}

TEST_CASE("resolve: missing tails and dangling links", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{
        {Entry::dir, "ws", ""},
        {Entry::dir, "ws/.aux", ""},
        {Entry::link, "ws/dangling", ".aux/codex"},
        {Entry::link, "ws/dir_link", ".aux"},
    };
    auto o = impl_options(impl);
    auto aux = stat_of(t / "ws/.aux");
    auto ws = stat_of(t / "ws");

    SECTION("missing name") {
        auto r = resolve(t / "ws/.agents", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK_FALSE(r->dangling);
        CHECK(r->missing_tail == ".agents");
        CHECK(r->real == t / "ws/.agents");
        CHECK(r->st.st_ino == ws.st_ino);  // fd of the deepest existing directory
        check_consistent(*r);
    }
    SECTION("missing tail of several components") {
        auto r = resolve(t / "ws/a/b/c", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK(r->missing_tail == "a/b/c");
        CHECK(r->real == t / "ws/a/b/c");
        CHECK(r->st.st_ino == ws.st_ino);
    }
    SECTION("dangling link") {
        auto r = resolve(t / "ws/dangling", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK(r->dangling);
        CHECK(r->missing_tail == "codex");
        CHECK(r->real == t / "ws/.aux/codex");
        CHECK(r->st.st_ino == aux.st_ino);
        REQUIRE(r->chain.size() == 1);
        CHECK(r->chain[0].link == t / "ws/dangling");
    }
    SECTION("missing tail behind a dangling link") {
        auto r = resolve(t / "ws/dangling/config.toml", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK(r->dangling);
        CHECK(r->missing_tail == "codex/config.toml");
        CHECK(r->real == t / "ws/.aux/codex/config.toml");
    }
    SECTION("missing name below a link that resolves: not dangling") {
        auto r = resolve(t / "ws/dir_link/new", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK_FALSE(r->dangling);
        CHECK(r->missing_tail == "new");
        CHECK(r->real == t / "ws/.aux/new");
        CHECK(r->chain.size() == 1);
        CHECK(r->st.st_ino == aux.st_ino);
    }
    // Where "m/../h" leads depends on what is made at m (a link sends the ".." anywhere): the
    // path is m alone, never the lexical ws/h (twenty-first outside review).
    SECTION("a '..' after a missing component: the missing component alone") {
        auto r = resolve(t / "ws/m/../.aux", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK(r->missing_tail == "m");
        CHECK(r->real == t / "ws/m");
        CHECK(r->st.st_ino == ws.st_ino);
    }
    SECTION("a '..' in a path without any link is listed too (no one-call lookup)") {
        auto r = resolve(t / "ws/.aux/../.aux", o);
        REQUIRE(r.ok());
        CHECK(r->exists);
        CHECK(r->climbed == std::vector<std::string>{t / "ws/.aux"});
    }
    SECTION("the directories a '..' climbs out of are listed, also in a link's text") {
        auto r = resolve(t / "ws/.aux/../dir_link/..", o);
        REQUIRE(r.ok());
        CHECK(r->exists);
        CHECK(r->real == t / "ws");
        CHECK(r->climbed == std::vector<std::string>{t / "ws/.aux", t / "ws/.aux"});
    }
    SECTION("... also when the '..' is in a link's text") {
        auto r = resolve(t / "ws/dangling/../x", o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->exists);
        CHECK(r->missing_tail == "codex");
        CHECK(r->real == t / "ws/.aux/codex");
    }
}

TEST_CASE("resolve: loops name the chain", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{{Entry::link, "a", "b"}, {Entry::link, "b", "a"}, {Entry::link, "self", "self/x"}};
    auto o = impl_options(impl);
    auto r = resolve(t / "a", o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::loop);
    CHECK(r.error().path == t / "a");
    CHECK(r.error().message.find(t / "a -> " + t / "b -> " + t / "a") != std::string::npos);
    CHECK(r.error().symlink == t / "a");

    // A link that keeps growing the path never repeats a state: caught by the cap.
    auto s = resolve(t / "self", o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::loop);
    CHECK(s.error().message.find("more than 40") != std::string::npos);
}

TEST_CASE("resolve: a non-directory in the middle is ENOTDIR naming it", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{{Entry::file, "f", ""}, {Entry::link, "lf", "f"}};
    auto o = impl_options(impl);
    for (const char* p : {"f/x", "f/", "lf/", "lf/x", "f/.."}) {
        INFO(p);
        auto r = resolve(t / p, o);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::os);
        CHECK(r.error().sys_errno == ENOTDIR);
        CHECK(r.error().path == t / "f");
    }
}

TEST_CASE("resolve: a .git file, a link to '/', a link whose parent is reached by a link",
          "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{
        {Entry::dir, "ws", ""},
        {Entry::file, "ws/.git", "gitdir: ../../elsewhere\n"},
        {Entry::link, "ws/root", "/"},
        {Entry::dir, "real", ""},
        {Entry::dir, "real/target", ""},
        {Entry::link, "real/inner", "target"},
        {Entry::link, "ws/outer", "../real"},
    };
    auto o = impl_options(impl);

    auto git = resolve(t / "ws/.git", o);
    REQUIRE(git.ok());
    CHECK(git->exists);
    CHECK(S_ISREG(git->st.st_mode));
    CHECK(git->chain.empty());
    auto gitdir = resolve(t / "ws/.git/", o);  // a file is no directory
    REQUIRE_FALSE(gitdir.ok());
    CHECK(gitdir.error().sys_errno == ENOTDIR);

    auto root = resolve(t / "ws/root", o);
    REQUIRE(root.ok());
    CHECK(root->real == "/");
    CHECK(root->st.st_ino == stat_of("/").st_ino);
    auto tmp = resolve(t / "ws/root/tmp/..", o);
    REQUIRE(tmp.ok());
    CHECK(tmp->real == "/");

    auto r = resolve(t / "ws/outer/inner", o);
    REQUIRE(r.ok());
    CHECK(r->real == t / "real/target");
    REQUIRE(r->chain.size() == 2);
    CHECK(r->chain[0].link == t / "ws/outer");
    CHECK(r->chain[0].parent == t / "ws");
    CHECK(r->chain[1].link == t / "real/inner");  // canonical, not ws/outer/inner
    CHECK(r->chain[1].parent == t / "real");
    CHECK(r->chain[1].parent_ino == stat_of(t / "real").st_ino);
    check_consistent(*r);
}

TEST_CASE("resolve: procfs magic links are refused, ordinary procfs links followed", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    auto o = impl_options(impl);
    auto self = resolve("/proc/self", o);  // "self" -> "<pid>": an ordinary link
    REQUIRE(self.ok());
    CHECK(self->real == "/proc/" + std::to_string(::getpid()));
    for (const char* p :
         {"/proc/self/cwd", "/proc/self/root/tmp", "/proc/self/fd/0", "/proc/self/exe"}) {
        INFO(p);
        auto r = resolve(p, o);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::escape);
    }
}

TEST_CASE("resolve: an unsearchable component is EACCES naming it", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{{Entry::dir, "locked", ""}, {Entry::file, "locked/f", ""}};
    REQUIRE(::chmod(t.root().c_str(), 0755) == 0);
    // Mode 0: unsearchable for its owner too (the unprivileged case) and for anyone not root.
    REQUIRE(::chmod((t / "locked").c_str(), 0) == 0);
    struct Restore {
        std::string p;
        ~Restore() { ::chmod(p.c_str(), 0700); }  // so the tree can be removed
    } restore{t / "locked"};
    std::string path = t / "locked/f";
    auto o = impl_options(impl);
    check_unprivileged([&]() -> int {
        auto r = resolve(path, o);
        if (r.ok()) return 11;
        if (r.error().kind != ErrorKind::os) return 12;
        if (r.error().sys_errno != EACCES) return 13;
        if (r.error().path != path) return 14;
        return 0;
    });
}

TEST_CASE("resolve: a directory swapped for a symlink while resolving", "[resolve][race]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{
        {Entry::dir, "ws", ""},           {Entry::dir, "ws/x", ""},
        {Entry::file, "ws/x/f", ""},      {Entry::dir, "elsewhere", ""},
        {Entry::file, "elsewhere/f", ""}, {Entry::link, "ws/swap", "../elsewhere"},
    };
    const auto dir_f = stat_of(t / "ws/x/f");
    const auto target_f = stat_of(t / "elsewhere/f");
    const std::string as_dir = t / "ws/x/f";
    const std::string as_link = t / "elsewhere/f";

    std::atomic<bool> stop{false};
    std::atomic<long> swaps{0};
    std::thread racer([&] {
        std::string a = t / "ws/x", b = t / "ws/swap";
        while (!stop.load()) {
            // Atomic exchange: "x" is the directory or the link, never missing.
            if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) {
                swaps.fetch_add(1);
            }
        }
    });
    auto o = impl_options(impl);
    int via_dir = 0, via_link = 0, eagain = 0, bad = 0, runs = 0;
    // Not a fixed count of resolves: on a loaded machine the racer may not be scheduled before
    // 2,000 of them finish (seen: "swaps 0"). Race until it has swapped kMinSwaps times, with
    // a bound on time so a racer that never runs fails instead of hanging.
    constexpr long kMinSwaps = 200;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while ((runs < 2000 || swaps.load() < kMinSwaps) &&
           std::chrono::steady_clock::now() < deadline) {
        ++runs;
        auto r = resolve(t / "ws/x/f", o);
        if (!r.ok()) {
            if (r.error().kind == ErrorKind::os && r.error().sys_errno == EAGAIN) {
                ++eagain;
            } else {
                ++bad;
                UNSCOPED_INFO("unexpected error: " << r.error().render());
            }
            continue;
        }
        struct stat fst {};
        bool ok = r->exists && ::fstat(r->fd.get(), &fst) == 0 && fst.st_ino == r->st.st_ino;
        if (ok && r->real == as_dir && fst.st_ino == dir_f.st_ino && r->chain.empty()) {
            ++via_dir;
        } else if (ok && r->real == as_link && fst.st_ino == target_f.st_ino &&
                   r->chain.size() == 1) {
            ++via_link;
        } else {
            ++bad;
            UNSCOPED_INFO("inconsistent result: real=" << r->real << " ino=" << fst.st_ino);
        }
    }
    stop = true;
    racer.join();
    INFO("via dir " << via_dir << ", via link " << via_link << ", EAGAIN " << eagain << ", swaps "
                    << swaps.load());
    CHECK(bad == 0);
    CHECK(via_dir + via_link + eagain == runs);
    CHECK(swaps.load() >= kMinSwaps);
}

TEST_CASE("resolve: readable_dir opens directories for reading, nothing else", "[resolve]") {
    auto impl = GENERATE(ResolverImpl::walk, ResolverImpl::openat2);
    if (!usable(impl)) return;
    INFO("impl " << impl_name(impl));
    TempTree t{
        {Entry::dir, "ws", ""},
        {Entry::dir, "ws/targets", ""},
        {Entry::dir, "ws/targets/t", ""},
        {Entry::file, "ws/targets/t/f", ""},
        {Entry::link, "ws/l", "targets/t"},
        {Entry::file, "ws/file", "x"},
        {Entry::link, "ws/lf", "file"},
    };
    REQUIRE(::mkfifo((t / "ws/fifo").c_str(), 0600) == 0);
    auto o = impl_options(impl);
    o.readable_dir = true;
    // Readable only with openat2: the walk without it hands over O_PATH as always.
    const bool expect_readable = impl == ResolverImpl::openat2;
    auto readable = [](const sbx::Resolved& r) {
        int fl = ::fcntl(r.fd.get(), F_GETFL);
        REQUIRE(fl >= 0);
        char buf[256];
        bool can_list = ::getdents64(r.fd.get(), buf, sizeof buf) > 0;
        CHECK(can_list == ((fl & O_PATH) == 0));
        return (fl & O_PATH) == 0;
    };

    for (const char* rel : {"ws/targets/t", "ws/l", "ws/l/"}) {
        INFO(rel);
        auto r = resolve(t / rel, o);
        REQUIRE(r.ok());
        CHECK(r->real == t / "ws/targets/t");
        check_consistent(*r);
        CHECK(r->readable == expect_readable);
        CHECK(readable(*r) == expect_readable);
    }
    // Non-directories stay O_PATH: a FIFO or a device is never opened for reading.
    for (const char* rel : {"ws/file", "ws/lf", "ws/fifo", "ws/targets/t/f"}) {
        INFO(rel);
        auto r = resolve(t / rel, o);
        REQUIRE(r.ok());
        CHECK(r->exists);
        check_consistent(*r);
        CHECK_FALSE(r->readable);
        CHECK_FALSE(readable(*r));
    }
    // A missing name: the parent as always, O_PATH.
    auto m = resolve(t / "ws/l/missing", o);
    REQUIRE(m.ok());
    CHECK_FALSE(m->exists);
    CHECK(m->real == t / "ws/targets/t/missing");
    CHECK_FALSE(m->readable);
    CHECK_FALSE(readable(*m));
}

TEST_CASE("resolve: readable_dir on a directory its caller cannot read falls back to O_PATH",
          "[resolve]") {
    if (!usable(ResolverImpl::openat2)) return;
    TempTree t{
        {Entry::dir, "ws", ""}, {Entry::dir, "ws/locked", ""}, {Entry::link, "ws/l", "locked"}};
    REQUIRE(::chmod(t.root().c_str(), 0755) == 0);
    REQUIRE(::chmod((t / "ws").c_str(), 0755) == 0);
    REQUIRE(::chmod((t / "ws/locked").c_str(), 0311) == 0);  // searchable, not readable
    ResolveOptions o = impl_options(ResolverImpl::openat2);
    o.readable_dir = true;
    auto check = [&]() -> int {
        for (const char* rel : {"ws/locked", "ws/l"}) {
            auto r = resolve(t / rel, o);
            if (!r.ok()) return 1;
            if (!r->exists || r->real != t / "ws/locked" || r->readable) return 2;
            if (!S_ISDIR(r->st.st_mode)) return 3;
        }
        return 0;
    };
    check_unprivileged(check);
}
