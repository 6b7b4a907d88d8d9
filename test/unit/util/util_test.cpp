// The spine every stage leans on: Result, UniqueFd, Error::render, and the lexical path helpers
// (path_is_within decides what is writable and what is protected).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "fs/path.hpp"
#include "fs/read_bounded.hpp"
#include "util/error.hpp"
#include "util/name_hash.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

using namespace sbx;

namespace {

bool fd_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

Result<int> half(int n) {
    if (n % 2 != 0) return Error(ErrorKind::usage, "odd");
    return n / 2;
}

Result<int> quarter(int n) {
    auto h = half(n);
    if (!h) return std::move(h).error();
    return half(*h);
}

Status both_even(int a, int b) {
    SBX_TRY(half(a));
    SBX_TRY(half(b));
    return {};
}

}  // namespace

TEST_CASE("Result: a value or an error, and the error travels up unchanged") {
    auto v = quarter(8);
    REQUIRE(v.ok());
    CHECK(static_cast<bool>(v));
    CHECK(*v == 2);

    auto e = quarter(6);  // 6 / 2 = 3 is odd: the inner error comes out as it was made
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::usage);
    CHECK(e.error().message == "odd");

    CHECK(both_even(2, 4).ok());
    Status s = both_even(2, 3);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "odd");
    CHECK(Status{}.ok());
}

TEST_CASE("Result: holds move-only values and moves them out") {
    Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
    REQUIRE(r.ok());
    CHECK(**r == 7);
    std::unique_ptr<int> p = std::move(r).value();
    CHECK(*p == 7);
    Result<std::string> s = std::string("text");
    CHECK(s->size() == 4);
}

TEST_CASE("UniqueFd: closes exactly once, moves ownership, releases on request") {
    int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(raw >= 0);
    {
        UniqueFd a(raw);
        CHECK(a.valid());
        CHECK(a.get() == raw);
        UniqueFd b(std::move(a));
        CHECK_FALSE(
            a.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
        CHECK(b.get() == raw);
        UniqueFd c;
        CHECK_FALSE(c);
        c = std::move(b);
        CHECK(c.get() == raw);
        c = std::move(c);  // self-move keeps the descriptor open
        CHECK(fd_open(raw));
    }
    CHECK_FALSE(fd_open(raw));  // closed by the last owner

    int raw2 = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(raw2 >= 0);
    int kept = -1;
    {
        UniqueFd d(raw2);
        kept = d.release();
        CHECK_FALSE(d.valid());
    }
    CHECK(fd_open(kept));  // released: not closed by the destructor
    UniqueFd e(kept);
    int raw3 = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    e.reset(raw3);
    CHECK_FALSE(fd_open(kept));  // reset closes the old one
    CHECK(fd_open(raw3));
    e.reset();
    CHECK_FALSE(fd_open(raw3));
}

TEST_CASE("Error::render: origin, message and strerror, each only when known") {
    CHECK(Error(ErrorKind::usage, "bad option").render() == "bad option");
    CHECK(Error(ErrorKind::os, "cannot open").with_errno(ENOENT).render() ==
          std::string("cannot open: ") + std::strerror(ENOENT));
    CHECK(Error(ErrorKind::schema, "unknown key")
              .with_origin({"p.toml", 14, "filesystem.protect[1]"})
              .render() == "p.toml:14: filesystem.protect[1]: unknown key");
    CHECK(Error(ErrorKind::schema, "m").with_origin({"p.toml", 0, {}}).render() == "p.toml: m");
    CHECK(Error(ErrorKind::schema, "m").with_origin({{}, 0, "network.mode"}).render() ==
          "network.mode: m");
    // The path is context for the status document, not part of the sentence.
    CHECK(Error(ErrorKind::not_found, "missing").with_path("/x").render() == "missing");
    auto e = os_error("cannot stat", EACCES, "/y");
    CHECK(e.kind == ErrorKind::os);
    CHECK(e.path == "/y");
    CHECK(e.render() == std::string("cannot stat: ") + std::strerror(EACCES));
    CHECK(std::string(to_string(ErrorKind::symlink_refused)) == "symlink-refused");
}

TEST_CASE("normalize_path: slashes, dots and dot-dots, lexically") {
    CHECK(normalize_path("/") == "/");
    CHECK(normalize_path("") == "/");
    CHECK(normalize_path("//a///b/") == "/a/b");
    CHECK(normalize_path("/a/./b/.") == "/a/b");
    CHECK(normalize_path("/a/b/../c") == "/a/c");
    CHECK(normalize_path("/../..") == "/");  // ".." above "/" stays at "/"
    CHECK(normalize_path("/a/..") == "/");
    CHECK(path_components("/a//b/") == std::vector<std::string>{"a", "b"});
    CHECK(path_components("/").empty());
}

TEST_CASE("path_is_within: a component boundary, never a string prefix") {
    CHECK(path_is_within("/a", "/a"));
    CHECK(path_is_within("/a/b", "/a"));
    CHECK(path_is_within("/a/b/c", "/a/b"));
    CHECK_FALSE(path_is_within("/ab", "/a"));  // the classic prefix bug
    CHECK_FALSE(path_is_within("/a", "/ab"));
    CHECK_FALSE(path_is_within("/a", "/a/b"));  // an ancestor is not within its child
    CHECK_FALSE(path_is_within("/b", "/a"));
    // "/" holds every absolute path and nothing relative.
    CHECK(path_is_within("/", "/"));
    CHECK(path_is_within("/a/b", "/"));
    CHECK_FALSE(path_is_within("a/b", "/"));
    CHECK_FALSE(path_is_within("", "/"));
    CHECK_FALSE(path_is_within("a", "a"));
    // Trailing slashes do not change the answer.
    CHECK(path_is_within("/a/b", "/a/"));
    CHECK(path_is_within("/a/", "/a"));
    CHECK(path_is_within("/a/b/", "/a/b"));
    CHECK_FALSE(path_is_within("/ab/", "/a/"));
    // Dot-dot is resolved lexically before comparing: "/a/../b" is "/b".
    CHECK_FALSE(path_is_within("/a/../b", "/a"));
    CHECK(path_is_within("/a/../b", "/b"));
    CHECK(path_is_within("/a/./b", "/a"));
    CHECK(path_is_within("/a/b", "/a/b/.."));  // the ancestor is "/a"
    CHECK_FALSE(path_is_within("/a/b/../../c", "/a"));
    CHECK(path_is_within("/a/b", "/a/c/.."));
    CHECK(path_is_within("/x//y", "/x"));
}

TEST_CASE("path_join and path_parent") {
    CHECK(path_join("/ws", "src/f") == "/ws/src/f");
    CHECK(path_join("/ws", "../x") == "/x");
    CHECK(path_join("/ws", "/abs") == "/abs");
    CHECK(path_join("/ws", "") == "/ws");
    CHECK(path_parent("/a/b") == "/a");
    CHECK(path_parent("/a") == "/");
    CHECK(path_parent("/") == "/");
    CHECK(path_parent("/a/b/") == "/a");
    CHECK(path_parent("/a/b/..") == "/");
}

TEST_CASE("path_base_name: the last component as written") {
    CHECK(path_base_name("/a/b") == "b");
    CHECK(path_base_name("b") == "b");
    CHECK(path_base_name("/") == "");
    CHECK(path_base_name("/a/") == "");
    CHECK(path_base_name("/.sbxrun.toml") == ".sbxrun.toml");
}

TEST_CASE("read_bounded: whole when within the limit, refused past it without reading it all") {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    REQUIRE(::write(p[1], "hello", 5) == 5);
    ::close(p[1]);
    auto r = read_bounded(p[0], 5);  // exactly the limit: accepted
    ::close(p[0]);
    CHECK(r.sys_errno == 0);
    CHECK_FALSE(r.too_large);
    CHECK(r.text == "hello");

    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    REQUIRE(::write(p[1], "hello!", 6) == 6);
    ::close(p[1]);
    auto over = read_bounded(p[0], 5);
    ::close(p[0]);
    CHECK(over.too_large);

    // An endless source stops one buffer past the limit.
    UniqueFd zero(::open("/dev/zero", O_RDONLY | O_CLOEXEC));
    REQUIRE(zero.valid());
    auto z = read_bounded(zero.get(), 1000);
    CHECK(z.too_large);
    CHECK(z.text.size() <= 1000 + 65536);

    UniqueFd dir(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    auto d = read_bounded(dir.get(), 10);
    CHECK(d.sys_errno == EISDIR);
}

TEST_CASE("path_parent_view: path_parent without the copy, on normalised paths") {
    for (const char* p : {"/", "/a", "/a/b", "/a/b/c"}) {
        INFO(p);
        CHECK(std::string(path_parent_view(p)) == path_parent(p));
    }
    CHECK(path_parent_view("/a/b") == "/a");
    CHECK(path_parent_view("/a") == "/");
}

// open_no_symlinks decides whether a mount check or a pin reaches what the plan checked; its
// fallback walk (no openat2) once followed symlinks on the way. Both must give the same answers.
TEST_CASE("open_no_symlinks and its fallback walk refuse every symlink on the way") {
    char tmpl[] = "/tmp/sbx-util-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string d = tmpl;
    REQUIRE(::mkdir((d + "/a").c_str(), 0755) == 0);
    REQUIRE(::mkdir((d + "/a/b").c_str(), 0755) == 0);
    UniqueFd(::open((d + "/a/b/f").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    REQUIRE(::symlink("a", (d + "/la").c_str()) == 0);
    REQUIRE(::symlink("b/f", (d + "/a/lf").c_str()) == 0);
    using Open = UniqueFd (*)(int, const char*, int) noexcept;
    for (Open open : {Open(&open_no_symlinks), Open(&open_no_symlinks_walk)}) {
        INFO((open == Open(&open_no_symlinks) ? "openat2" : "walk"));
        CHECK(open(AT_FDCWD, (d + "/a/b/f").c_str(), O_RDONLY).valid());
        CHECK(open(AT_FDCWD, (d + "/a/b").c_str(), O_PATH | O_DIRECTORY).valid());
        // A symlink in the middle, whatever the flags.
        errno = 0;
        CHECK_FALSE(open(AT_FDCWD, (d + "/la/b/f").c_str(), O_RDONLY).valid());
        CHECK((errno == ELOOP || errno == ENOTDIR));
        CHECK_FALSE(open(AT_FDCWD, (d + "/la/b").c_str(), O_PATH | O_NOFOLLOW).valid());
        // A final symlink: refused, except that O_PATH | O_NOFOLLOW opens the link itself.
        errno = 0;
        CHECK_FALSE(open(AT_FDCWD, (d + "/a/lf").c_str(), O_RDONLY).valid());
        CHECK(errno == ELOOP);
        CHECK_FALSE(open(AT_FDCWD, (d + "/a/lf").c_str(), O_PATH).valid());
        UniqueFd link = open(AT_FDCWD, (d + "/a/lf").c_str(), O_PATH | O_NOFOLLOW);
        REQUIRE(link.valid());
        struct stat st {};
        CHECK((::fstat(link.get(), &st) == 0 && S_ISLNK(st.st_mode)));
        // Relative to a directory descriptor.
        UniqueFd a = open(AT_FDCWD, (d + "/a").c_str(), O_PATH | O_DIRECTORY);
        REQUIRE(a.valid());
        CHECK(open(a.get(), "b/f", O_RDONLY).valid());
        CHECK_FALSE(open(a.get(), "lf", O_RDONLY).valid());
        CHECK(open(AT_FDCWD, "/", O_PATH | O_DIRECTORY).valid());
    }
    // The walk takes canonical paths only: ".." could climb out of what was checked.
    errno = 0;
    CHECK_FALSE(open_no_symlinks_walk(AT_FDCWD, (d + "/a/../a/b").c_str(), O_PATH).valid());
    CHECK(errno == EINVAL);
    std::string cmd = "rm -rf '" + d + "'";
    CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("make_dir_no_symlinks makes only the last components, and never through a link") {
    char tmpl[] = "/tmp/sbx-util-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string d = tmpl;
    struct stat st {};
    // Two missing levels, two allowed: made, 0700.
    UniqueFd made = make_dir_no_symlinks((d + "/cache/sbxrun").c_str(), 2, 0700);
    REQUIRE(made.valid());
    REQUIRE(::stat((d + "/cache/sbxrun").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    // Three missing levels, two allowed: nothing made (a missing $HOME is not ours).
    errno = 0;
    CHECK_FALSE(make_dir_no_symlinks((d + "/home/.cache/sbxrun").c_str(), 2, 0700).valid());
    CHECK(errno == ENOENT);
    CHECK(::stat((d + "/home").c_str(), &st) != 0);
    // None allowed: an existing one opens, a missing one does not appear.
    CHECK(make_dir_no_symlinks((d + "/cache").c_str(), 0, 0700).valid());
    CHECK_FALSE(make_dir_no_symlinks((d + "/other").c_str(), 0, 0700).valid());
    CHECK(::stat((d + "/other").c_str(), &st) != 0);
    // A symlink on the way, or in place of the last component: refused, nothing made beyond it.
    REQUIRE(::symlink("cache", (d + "/lc").c_str()) == 0);
    CHECK_FALSE(make_dir_no_symlinks((d + "/lc/sbxrun").c_str(), 2, 0700).valid());
    CHECK_FALSE(make_dir_no_symlinks((d + "/lc").c_str(), 1, 0700).valid());
    CHECK_FALSE(make_dir_no_symlinks("relative/path", 2, 0700).valid());
    CHECK_FALSE(make_dir_no_symlinks((d + "/cache/../cache").c_str(), 0, 0700).valid());
    std::string cmd = "rm -rf '" + d + "'";
    CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("name_hash is 64-bit FNV-1a in 16 hex digits, stable across runs", "[util]") {
    CHECK(sbx::name_hash("") == "cbf29ce484222325");
    CHECK(sbx::name_hash("a") == "af63dc4c8601ec8c");
    CHECK(sbx::name_hash("foobar") == "85944171f73967e8");
    CHECK(sbx::name_hash("/home/u/proj") != sbx::name_hash("/home/u/proj2"));
}
