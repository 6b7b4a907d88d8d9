// Placeholders: shared between runs, never left behind, never touching what is not theirs.
#include "fs/placeholder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "fs/resolve.hpp"
#include "tree.hpp"

using sbx::acquire_placeholder;
using sbx::is_placeholder;
using sbx::Placeholder;
using sbx::test::Entry;
using sbx::test::TempTree;

namespace {

sbx::UniqueFd open_dir(const std::string& p) {
    sbx::UniqueFd fd(::open(p.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd.valid());
    return fd;
}

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

ino_t ino_of(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Names in a directory (".", ".." excluded), to prove nothing was left behind.
std::vector<std::string> listing(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    REQUIRE(d != nullptr);
    while (auto* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    return out;
}

// A child that acquires and dies without releasing: a crashed run's leftover.
void leave_leftover(int dirfd, const std::string& parent, const std::string& name, bool dir) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        auto p = acquire_placeholder(dirfd, parent, name, dir);
        ::_exit(p.ok() && p->created() ? 0 : 1);  // _exit: no destructor, no release
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_CASE("placeholder: created, marked, read-only, removed on release", "[placeholder]") {
    bool dir = GENERATE(false, true);
    INFO((dir ? "directory" : "file"));
    TempTree t{{Entry::dir, "ws", ""}, {Entry::file, "ws/other", "keep"}};
    auto ws = open_dir(t / "ws");
    auto p = acquire_placeholder(ws.get(), t / "ws", ".agents", dir);
    REQUIRE(p.ok());
    CHECK(p->created());
    CHECK(p->marked());
    CHECK(p->path() == t / "ws/.agents");
    struct stat st {};
    REQUIRE(::lstat((t / "ws/.agents").c_str(), &st) == 0);
    CHECK((dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)));
    CHECK((st.st_mode & 07777) == (dir ? 0555u : 0444u));
    CHECK(st.st_ino == ino_of(t / "ws/.agents"));
    CHECK(is_placeholder(p->fd()));
    char buf[64] = {};
    CHECK(::lgetxattr((t / "ws/.agents").c_str(), sbx::kPlaceholderXattr, buf, sizeof buf) > 0);
    CHECK(std::string(buf) == sbx::kPlaceholderMark);

    // The resolver's O_PATH descriptor recognises it (what the plan checks).
    auto r = sbx::resolve(t / "ws/.agents");
    REQUIRE(r.ok());
    CHECK(is_placeholder(r->fd.get()));

    // A flock on the placeholder conflicts with ours (directories included).
    sbx::UniqueFd other(::open((t / "ws/.agents").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(other.valid());
    CHECK(::flock(other.get(), LOCK_EX | LOCK_NB) == -1);
    CHECK(errno == EWOULDBLOCK);
    other.reset();

    REQUIRE(p->release().ok());
    CHECK(p->fd() == -1);
    CHECK(p->release().ok());  // idempotent
    CHECK_FALSE(exists(t / "ws/.agents"));
    CHECK(listing(t / "ws") == std::vector<std::string>{"other"});
}

TEST_CASE("placeholder: a real file, directory or link of that name is never touched",
          "[placeholder]") {
    TempTree t{
        {Entry::dir, "ws", ""},
        {Entry::file, "ws/empty_file", ""},
        {Entry::dir, "ws/empty_dir", ""},
        {Entry::link, "ws/link", "nowhere"},
        {Entry::link, "ws/link_dir", "empty_dir"},
    };
    auto ws = open_dir(t / "ws");
    for (const char* name : {"empty_file", "empty_dir", "link", "link_dir"}) {
        for (bool dir : {false, true}) {
            INFO(name << (dir ? " as directory" : " as file"));
            ino_t before = ino_of(t / "ws" + "/" + name);
            auto p = acquire_placeholder(ws.get(), t / "ws", name, dir);
            REQUIRE_FALSE(p.ok());
            CHECK(p.error().sys_errno == EEXIST);
            CHECK(ino_of(t / "ws" + "/" + name) == before);
        }
    }
    sbx::UniqueFd f(::open((t / "ws/empty_file").c_str(), O_RDONLY | O_CLOEXEC));
    CHECK_FALSE(is_placeholder(f.get()));
    for (const char* bad : {"", ".", "..", "a/b"}) {
        auto p = acquire_placeholder(ws.get(), t / "ws", bad, false);
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().sys_errno == EINVAL);
    }
    CHECK(listing(t / "ws").size() == 4);
}

TEST_CASE("placeholder: two runs share it; the last one out removes it", "[placeholder]") {
    bool dir = GENERATE(false, true);
    bool first_leaves_first = GENERATE(true, false);
    INFO((dir ? "directory" : "file") << (first_leaves_first ? ", A leaves first" : ", B first"));
    TempTree t{{Entry::dir, "ws", ""}};
    auto ws = open_dir(t / "ws");
    auto a = acquire_placeholder(ws.get(), t / "ws", ".codex", dir);
    REQUIRE(a.ok());
    auto b = acquire_placeholder(ws.get(), t / "ws", ".codex", dir);
    REQUIRE(b.ok());
    CHECK(a->created());
    CHECK_FALSE(b->created());
    ino_t ino = ino_of(t / "ws/.codex");
    Placeholder& first = first_leaves_first ? *a : *b;
    Placeholder& second = first_leaves_first ? *b : *a;
    REQUIRE(first.release().ok());
    CHECK(ino_of(t / "ws/.codex") == ino);  // still in use by the other run
    // A third run joins while the second still holds it.
    auto c = acquire_placeholder(ws.get(), t / "ws", ".codex", dir);
    REQUIRE(c.ok());
    CHECK_FALSE(c->created());
    REQUIRE(second.release().ok());
    CHECK(ino_of(t / "ws/.codex") == ino);
    REQUIRE(c->release().ok());
    CHECK_FALSE(exists(t / "ws/.codex"));
    CHECK(listing(t / "ws").empty());
}

TEST_CASE("placeholder: a crashed run's leftover is recognised and removed by the next run",
          "[placeholder]") {
    bool dir = GENERATE(false, true);
    TempTree t{{Entry::dir, "ws", ""}};
    auto ws = open_dir(t / "ws");
    leave_leftover(ws.get(), t / "ws", ".agents", dir);
    REQUIRE(exists(t / "ws/.agents"));
    {
        auto p = acquire_placeholder(ws.get(), t / "ws", ".agents", dir);
        REQUIRE(p.ok());
        CHECK_FALSE(p->created());
    }  // the destructor releases
    CHECK(listing(t / "ws").empty());
}

TEST_CASE("placeholder: replaced or filled from outside, it is left alone", "[placeholder]") {
    TempTree t{{Entry::dir, "ws", ""}};
    auto ws = open_dir(t / "ws");
    SECTION("the user replaced the placeholder file with a real one") {
        auto p = acquire_placeholder(ws.get(), t / "ws", "name", false);
        REQUIRE(p.ok());
        REQUIRE(::unlink((t / "ws/name").c_str()) == 0);
        t.add({Entry::file, "ws/name", ""});  // empty, like a placeholder, but not one
        ino_t real = ino_of(t / "ws/name");
        REQUIRE(p->release().ok());
        CHECK(ino_of(t / "ws/name") == real);
    }
    SECTION("something was put into a directory placeholder") {
        auto p = acquire_placeholder(ws.get(), t / "ws", "d", true);
        REQUIRE(p.ok());
        REQUIRE(::chmod((t / "ws/d").c_str(), 0755) == 0);
        t.add({Entry::file, "ws/d/content", "x"});
        auto r = p->release();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().sys_errno == ENOTEMPTY);
        CHECK(exists(t / "ws/d/content"));
    }
    SECTION("something was written into a file placeholder") {
        auto p = acquire_placeholder(ws.get(), t / "ws", "f", false);
        REQUIRE(p.ok());
        REQUIRE(::chmod((t / "ws/f").c_str(), 0644) == 0);
        FILE* f = std::fopen((t / "ws/f").c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs("data", f);
        std::fclose(f);
        auto r = p->release();
        REQUIRE_FALSE(r.ok());
        CHECK(exists(t / "ws/f"));
    }
}

TEST_CASE("placeholder: joining while another run is removing it", "[placeholder]") {
    // Forced interleaving: a releaser holds LOCK_EX on the old placeholder; the joiner opens it
    // and blocks on LOCK_SH; the releaser removes it and lets go; the joiner must notice the
    // name no longer refers to what it locked and create a fresh one.
    bool dir = GENERATE(false, true);
    TempTree t{{Entry::dir, "ws", ""}};
    auto ws = open_dir(t / "ws");
    leave_leftover(ws.get(), t / "ws", "x", dir);
    sbx::UniqueFd releaser(::open((t / "ws/x").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(releaser.valid());
    REQUIRE(::flock(releaser.get(), LOCK_EX | LOCK_NB) == 0);

    auto joiner = std::async(std::launch::async,
                             [&] { return acquire_placeholder(ws.get(), t / "ws", "x", dir); });
    CHECK(joiner.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
    REQUIRE(::unlinkat(AT_FDCWD, (t / "ws/x").c_str(), dir ? AT_REMOVEDIR : 0) == 0);
    releaser.reset();
    auto p = joiner.get();
    REQUIRE(p.ok());
    CHECK(p->created());
    CHECK(ino_of(t / "ws/x") != 0);
    REQUIRE(p->release().ok());
    CHECK(listing(t / "ws").empty());
}

TEST_CASE("placeholder: concurrent acquire/release cycles leave nothing behind",
          "[placeholder][race]") {
    bool dir = GENERATE(false, true);
    INFO((dir ? "directory" : "file"));
    TempTree t{{Entry::dir, "ws", ""}};
    const std::string parent = t / "ws";
    const std::string name = ".agents";

    // One cycle: while we hold it, the name must refer to our locked inode.
    auto cycle = [&](int dirfd) -> int {
        auto p = acquire_placeholder(dirfd, parent, name, dir);
        if (!p.ok()) return 2;
        struct stat mine {
        }, now{};
        if (::fstat(p->fd(), &mine) != 0) return 3;
        if (::fstatat(dirfd, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0) return 4;
        if (mine.st_ino != now.st_ino) return 5;
        if (!is_placeholder(p->fd())) return 6;
        auto r = p->release();
        return r.ok() ? 0 : 7;
    };

    SECTION("4 processes x 200 cycles") {
        std::vector<pid_t> kids;
        for (int k = 0; k < 4; ++k) {
            pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                int fd = ::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
                for (int i = 0; i < 200; ++i) {
                    int rc = cycle(fd);
                    if (rc != 0) ::_exit(rc);
                }
                ::_exit(0);
            }
            kids.push_back(pid);
        }
        for (pid_t pid : kids) {
            int status = 0;
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            REQUIRE(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
        }
    }
    SECTION("4 threads x 200 cycles") {
        auto ws = open_dir(parent);
        std::vector<std::future<int>> jobs;
        for (int k = 0; k < 4; ++k) {
            jobs.push_back(std::async(std::launch::async, [&] {
                for (int i = 0; i < 200; ++i) {
                    int rc = cycle(ws.get());
                    if (rc != 0) return rc;
                }
                return 0;
            }));
        }
        for (auto& j : jobs) CHECK(j.get() == 0);
    }
    CHECK(listing(parent).empty());
}
