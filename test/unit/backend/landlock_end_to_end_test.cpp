// compile_landlock with the real lister, then apply_landlock in a forked child: the protections
// the approximation promises hold on the real kernel.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <functional>

#include "backend/landlock_compile.hpp"
#include "inner/landlock_apply.hpp"
#include "skip.hpp"

using namespace sbx;

namespace {

int in_child(const LandlockSpec& spec, const std::function<int()>& probe) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !apply_landlock(spec).ok()) {
            ::_exit(250);
        }
        ::_exit(probe());
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 300;
}

int create(const std::string& p) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
}

void add_op(MountPlan& plan, OpKind k, const std::string& dest, bool with_fd) {
    MountOp op;
    op.kind = k;
    op.dest = dest;
    if (with_fd) {
        op.fd = static_cast<int>(plan.fds.size());
        plan.fds.emplace_back(::open(dest.c_str(), O_PATH | O_CLOEXEC));
        REQUIRE(plan.fds.back().valid());
    } else if (k == OpKind::block_missing) {
        op.fd = -1;
    }
    plan.ops.push_back(std::move(op));
}

}  // namespace

TEST_CASE("Landlock end to end: protected .git and missing .agents in a writable root",
          "[landlock][kernel]") {
    const int abi = landlock_effective_abi();
    if (abi < 1) {
        sbx::test::skip("Landlock is not available");
        return;
    }
    char tmpl[] = "/tmp/sbx-ll-e2e-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    const std::string ws = tmpl;
    REQUIRE(::mkdir((ws + "/.git").c_str(), 0755) == 0);
    REQUIRE(::mkdir((ws + "/src").c_str(), 0755) == 0);
    REQUIRE(create(ws + "/.git/config") == 0);
    REQUIRE(create(ws + "/README") == 0);

    MountPlan plan;
    plan.network = NetworkMode::full;
    add_op(plan, OpKind::bind_ro, "/", true);
    add_op(plan, OpKind::bind_rw, ws, true);
    add_op(plan, OpKind::bind_ro, ws + "/.git", true);
    add_op(plan, OpKind::block_missing, ws + "/.agents", false);
    RealDirLister lister;
    auto c = compile_landlock(plan, abi, OnUnenforceable::approximate, lister);
    REQUIRE(c.ok());
    const LandlockSpec& s = c->spec;

    CHECK(in_child(s, [&] { return create(ws + "/src/new"); }) == 0);
    CHECK(in_child(s, [&] { return create(ws + "/README"); }) == 0);  // existing file: writable
    CHECK(in_child(s, [&] { return create(ws + "/.git/config"); }) == EACCES);
    CHECK(in_child(s, [&] { return create(ws + "/.git/new"); }) == EACCES);
    CHECK(in_child(s, [&] { return ::mkdir((ws + "/.agents").c_str(), 0755) ? errno : 0; }) ==
          EACCES);
    CHECK(in_child(s, [&] {
              return ::rename((ws + "/.git").c_str(), (ws + "/src/g").c_str()) ? errno : 0;
          }) != 0);
    CHECK(in_child(s, [&] { return create("/etc/sbx-should-not-exist"); }) == EACCES);
    CHECK(in_child(s, [&] { return create("/dev/null"); }) == 0);
    CHECK(::access((ws + "/.agents").c_str(), F_OK) != 0);
    std::system(("rm -rf '" + ws + "'").c_str());
}
