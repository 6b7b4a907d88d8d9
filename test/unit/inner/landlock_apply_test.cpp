// Landlock applied for real, in forked children (kernel tests).
#include "inner/landlock_apply.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "landlock_probe_support.hpp"
#include "skip.hpp"

using namespace sbx;
using sbx::test::in_child;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/sbx-landlock-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
        ::chmod(path.c_str(), 0777);  // the suite also runs as an unprivileged user
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

int write_file(const std::string& p) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
}

// Read on "/" and everything on `writable`, for `abi`.
LandlockSpec read_root_write_dir(int abi, int root_fd, int dir_fd) {
    LandlockSpec s;
    s.abi = abi;
    s.handled_fs = ll::fs_rights_for_abi(abi);
    s.rules = {{root_fd, (ll::kReadFile | ll::kReadDir | ll::kExecute) & s.handled_fs},
               {dir_fd, s.handled_fs}};
    return s;
}

int effective() {
    int abi = landlock_effective_abi();
    sbx::test::require_feature(abi >= 1, "Landlock is not available on this kernel");
    return abi;
}

}  // namespace

TEST_CASE("Landlock: writes outside the writable dir fail with EACCES, inside succeed",
          "[landlock][kernel]") {
    const int top = effective();
    TempDir outside, inside;
    for (int abi = 1; abi <= top; ++abi) {
        INFO("abi " << abi);
        int root = ::open("/", O_PATH | O_CLOEXEC);
        int dir = ::open(inside.path.c_str(), O_PATH | O_CLOEXEC);
        LandlockSpec spec = read_root_write_dir(abi, root, dir);
        auto setup = [&] { return apply_landlock(spec).ok(); };
        CHECK(in_child(setup, [&] { return write_file(outside.path + "/x"); }) == EACCES);
        CHECK(in_child(setup, [&] { return write_file(inside.path + "/x"); }) == 0);
        CHECK(in_child(setup, [&] { return ::access("/etc/hostname", R_OK) == 0 ? 0 : errno; }) ==
              0);
        ::close(root);
        ::close(dir);
    }
}

TEST_CASE("Landlock: truncate(2) stand-in below ABI 3", "[landlock][kernel]") {
    effective();
    TempDir ro;
    REQUIRE(write_file(ro.path + "/f") == 0);
    int root = ::open("/", O_PATH | O_CLOEXEC);
    int dir = ::open("/proc", O_PATH | O_CLOEXEC);  // some writable place that is not `ro`
    const std::string f = ro.path + "/f";
    auto trunc = [&] { return ::truncate(f.c_str(), 0) == 0 ? 0 : errno; };

    LandlockSpec plain = read_root_write_dir(2, root, dir);
    // Without the stand-in, ABI 2 cannot stop truncate(2) of a read-only file...
    CHECK(in_child([&] { return apply_landlock(plain).ok(); }, trunc) == 0);
    // ...with it (what the compile asks for under approximate), truncate(2) is refused.
    LandlockSpec comp = plain;
    comp.handled_fs |= ll::kTruncate;
    CHECK(in_child([&] { return apply_landlock(comp).ok(); }, trunc) == EPERM);
    if (landlock_effective_abi() >= 3) {
        LandlockSpec abi3 = read_root_write_dir(3, root, dir);
        CHECK(in_child([&] { return apply_landlock(abi3).ok(); }, trunc) == EACCES);
    }
    ::close(root);
    ::close(dir);
}

TEST_CASE("Landlock: abstract unix stand-in below ABI 6 refuses socket(AF_UNIX) only",
          "[landlock][kernel]") {
    effective();
    int root = ::open("/", O_PATH | O_CLOEXEC);
    LandlockSpec s;
    s.abi = 5 <= landlock_effective_abi() ? 5 : landlock_effective_abi();
    s.handled_fs = ll::fs_rights_for_abi(s.abi);
    s.rules = {{root, s.handled_fs}};
    s.scoped = ll::kScopeAbstractUnix;
    auto setup = [&] { return apply_landlock(s).ok(); };
    CHECK(in_child(setup, [] {
              int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
              return fd >= 0 ? 0 : errno;
          }) == EAFNOSUPPORT);
    CHECK(in_child(setup, [] {
              int sv[2];
              return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? 0 : errno;
          }) == 0);
    ::close(root);
}

TEST_CASE("Landlock: ABI 6 scope refuses connecting to a host abstract socket",
          "[landlock][kernel]") {
    if (landlock_effective_abi() < 6) {
        sbx::test::skip("Landlock ABI < 6 here: no scope");
        return;
    }
    int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string name = "sbx-landlock-test-" + std::to_string(::getpid());
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    int root = ::open("/", O_PATH | O_CLOEXEC);
    LandlockSpec s;
    s.abi = 6;
    s.handled_fs = ll::fs_rights_for_abi(6);
    s.rules = {{root, s.handled_fs}};
    s.scoped = ll::kScopeAbstractUnix | ll::kScopeSignal;
    auto connect_probe = [&] {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) return errno;
        return ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 ? 0 : errno;
    };
    CHECK(in_child([] { return true; }, connect_probe) == 0);  // the probe itself works
    CHECK(in_child([&] { return apply_landlock(s).ok(); }, connect_probe) == EPERM);
    // and a signal to a process outside the domain (our parent) is refused
    CHECK(in_child([&] { return apply_landlock(s).ok(); },
                   [] { return ::kill(::getppid(), 0) == 0 ? 0 : errno; }) == EPERM);
    ::close(root);
    ::close(listener);
}

TEST_CASE("SBXRUN_LANDLOCK_ABI_MAX only lowers the ABI", "[landlock][kernel]") {
    const int kernel = landlock_kernel_abi();
    const int real = landlock_effective_abi();
    ::setenv("SBXRUN_LANDLOCK_ABI_MAX", "2", 1);
    CHECK(landlock_effective_abi() == std::min(2, real));
    ::setenv("SBXRUN_LANDLOCK_ABI_MAX", "99", 1);
    CHECK(landlock_effective_abi() == real);
    ::setenv("SBXRUN_LANDLOCK_ABI_MAX", "7x", 1);
    CHECK(landlock_effective_abi() == real);
    ::setenv("SBXRUN_LANDLOCK_ABI_MAX", "0", 1);
    CHECK(landlock_effective_abi() == 0);
    ::unsetenv("SBXRUN_LANDLOCK_ABI_MAX");
    CHECK(real == std::min(kernel, ll::kNewestKnownAbi));
}
