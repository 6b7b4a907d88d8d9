#include "backend/bwrap_probe.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "skip.hpp"

using namespace sbx;

namespace {

// `bwrap --help` of bubblewrap 0.8.0 (Debian 12), captured verbatim.
const std::string kHelp080 =
#include "bwrap_help_0.8.0.inc"
    ;

// An older bubblewrap (0.4-era): no --bind-fd, --json-status-fd, --disable-userns, --perms,
// --size, --chmod.
const std::string kHelpOld = R"(usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]

    --help                       Print this help
    --version                    Print version
    --args FD                    Parse NUL-separated args from FD
    --unshare-all                Unshare every namespace we support by default
    --clearenv                   Unset all environment variables
    --bind SRC DEST              Bind mount the host path SRC on DEST
    --ro-bind SRC DEST           Bind mount the host path SRC readonly on DEST
    --new-session                Create a new terminal session
    --die-with-parent            Kills with SIGKILL child process (COMMAND) when bwrap or bwrap's parent dies.
    --cap-add CAP                Add cap CAP when running as privileged user
)";

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/sbx-bwrap-probe-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

// A fake bwrap that counts its runs in <dir>/runs and prints the given help.
std::string write_fake(const std::string& dir, const std::string& help,
                       const std::string& extra = "") {
    const std::string p = dir + "/bwrap";
    std::ofstream f(p);
    f << "#!/bin/sh\necho run >> " << dir << "/runs\n"
      << extra << "if [ \"$1\" = --version ]; then echo 'bubblewrap 9.1.2'; exit 0; fi\n"
      << "cat <<'EOF'\n"
      << help << "\nEOF\n";
    f.close();
    ::chmod(p.c_str(), 0755);
    return p;
}

int runs(const std::string& dir) {
    std::ifstream f(dir + "/runs");
    int n = 0;
    std::string line;
    while (std::getline(f, line)) ++n;
    return n;
}

}  // namespace

TEST_CASE("parse_bwrap_help: bubblewrap 0.8.0", "[bwrap]") {
    BwrapInfo i;
    parse_bwrap_help(kHelp080, i);
    CHECK(i.bind_fd);
    CHECK(i.json_status_fd);
    CHECK(i.disable_userns);
    CHECK(i.args_fd);
    CHECK(i.perms);
    CHECK(i.size);
    CHECK(i.chmod);
    CHECK(i.clearenv);
    CHECK(i.die_with_parent);
    CHECK(i.new_session);
    CHECK(i.cap_add);
}

TEST_CASE("parse_bwrap_help: an older bubblewrap", "[bwrap]") {
    BwrapInfo i;
    parse_bwrap_help(kHelpOld, i);
    CHECK_FALSE(i.bind_fd);
    CHECK_FALSE(i.json_status_fd);
    CHECK_FALSE(i.disable_userns);
    CHECK_FALSE(i.perms);
    CHECK_FALSE(i.size);
    CHECK_FALSE(i.chmod);
    CHECK(i.args_fd);
    CHECK(i.clearenv);
    CHECK(i.new_session);
    CHECK(i.die_with_parent);
    CHECK(i.cap_add);
    // an option named only in a description does not count
    BwrapInfo j;
    parse_bwrap_help("    --bind SRC DEST     see also --bind-fd and --ro-bind-fd\n", j);
    CHECK_FALSE(j.bind_fd);
}

TEST_CASE("parse_bwrap_version", "[bwrap]") {
    CHECK(parse_bwrap_version("bubblewrap 0.8.0\n") == "0.8.0");
    CHECK(parse_bwrap_version("bubblewrap 0.11.0-rc1\n") == "0.11.0-rc1");
    CHECK(parse_bwrap_version("garbage").empty());
}

TEST_CASE("probe_bwrap: the real bwrap on this machine", "[bwrap][host]") {
    if (find_executable("bwrap", "/usr/bin:/bin").empty()) {
        sbx::test::skip("no bwrap installed");
        return;
    }
    TempDir cache;
    auto r = probe_bwrap("bwrap", "/usr/bin:/bin", cache.path);
    REQUIRE(r.ok());
    CHECK(r->path == "/usr/bin/bwrap");
    CHECK_FALSE(r->version.empty());
    CHECK(r->json_status_fd);
}

TEST_CASE("probe_bwrap: fake bwrap, cache hit, invalidation, corrupt cache", "[bwrap]") {
    TempDir bin, cache;
    write_fake(bin.path, kHelp080);
    auto a = probe_bwrap("bwrap", "relative:" + bin.path, cache.path + "/sub");
    REQUIRE(a.ok());
    CHECK(a->version == "9.1.2");
    CHECK(a->bind_fd);
    CHECK(runs(bin.path) == 2);  // --version and --help

    auto b = probe_bwrap(bin.path + "/bwrap", "", cache.path + "/sub");
    REQUIRE(b.ok());
    CHECK(runs(bin.path) == 2);  // from the cache: nothing ran
    CHECK(b->version == "9.1.2");
    CHECK(b->bind_fd);

    // An upgrade (different size/mtime) invalidates the cache.
    write_fake(bin.path, kHelpOld, "# upgraded\n");
    auto c = probe_bwrap(bin.path + "/bwrap", "", cache.path + "/sub");
    REQUIRE(c.ok());
    CHECK(runs(bin.path) == 4);
    CHECK_FALSE(c->bind_fd);

    // A corrupt cache file is ignored (and rewritten).
    std::string only;
    for (int i = 0; i < 2; ++i) {
        std::system(
            ("for f in " + cache.path + "/sub/bwrap-*.txt; do echo garbage > $f; done").c_str());
    }
    auto d = probe_bwrap(bin.path + "/bwrap", "", cache.path + "/sub");
    REQUIRE(d.ok());
    CHECK(runs(bin.path) == 6);
    CHECK_FALSE(d->bind_fd);

    // A cache writable by others is ignored.
    std::system(("chmod 666 " + cache.path + "/sub/bwrap-*.txt").c_str());
    auto e = probe_bwrap(bin.path + "/bwrap", "", cache.path + "/sub");
    REQUIRE(e.ok());
    CHECK(runs(bin.path) == 8);
}

// A sandboxed command with a writable $HOME can replace the cache directory (or a directory
// above it) with a symlink: the next sbxrun must neither read through it nor write through it.
TEST_CASE("probe_bwrap: a cache directory reached through a symlink is not used", "[bwrap]") {
    TempDir bin, cache, elsewhere;
    write_fake(bin.path, kHelp080);
    REQUIRE(::symlink(elsewhere.path.c_str(), (cache.path + "/link").c_str()) == 0);
    for (const std::string& dir : {cache.path + "/link", cache.path + "/link/sub"}) {
        INFO(dir);
        const int before = runs(bin.path);
        auto a = probe_bwrap(bin.path + "/bwrap", "", dir);
        REQUIRE(a.ok());
        CHECK(a->bind_fd);
        auto b = probe_bwrap(bin.path + "/bwrap", "", dir);
        REQUIRE(b.ok());
        CHECK(runs(bin.path) == before + 4);  // probed twice: nothing cached
    }
    // Nothing was written where the links lead.
    CHECK(std::system(("test -z \"$(ls -A " + elsewhere.path + ")\"").c_str()) == 0);
}

TEST_CASE("probe_bwrap: a cache owned by someone else is ignored", "[bwrap]") {
    if (::geteuid() != 0) {
        sbx::test::skip("not root: cannot create a foreign-owned cache here");
        return;
    }
    TempDir bin, cache;
    write_fake(bin.path, kHelp080);
    REQUIRE(probe_bwrap(bin.path + "/bwrap", "", cache.path).ok());
    CHECK(runs(bin.path) == 2);
    std::system(("chown 65534 " + cache.path + "/bwrap-*.txt").c_str());
    REQUIRE(probe_bwrap(bin.path + "/bwrap", "", cache.path).ok());
    CHECK(runs(bin.path) == 4);
}

TEST_CASE("probe_bwrap: missing, not bwrap, hanging", "[bwrap]") {
    TempDir bin;
    auto missing = probe_bwrap("bwrap", bin.path, "");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::no_backend);
    CHECK(missing.error().suggestion.find("apt install bubblewrap") != std::string::npos);

    {
        std::ofstream plain(bin.path + "/plain");
        plain << "not a program\n";
    }
    ::chmod((bin.path + "/plain").c_str(), 0644);
    auto not_exec = probe_bwrap(bin.path + "/plain", "", "");
    REQUIRE_FALSE(not_exec.ok());
    CHECK(not_exec.error().kind == ErrorKind::no_backend);

    auto not_bwrap = probe_bwrap("/bin/true", "", "");
    REQUIRE_FALSE(not_bwrap.ok());
    CHECK(not_bwrap.error().kind == ErrorKind::no_backend);

    write_fake(bin.path, kHelp080, "exec sleep 30\n");
    const auto t0 = std::chrono::steady_clock::now();
    auto hang = probe_bwrap(bin.path + "/bwrap", "", "");
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(hang.ok());
    CHECK(hang.error().kind == ErrorKind::no_backend);
    CHECK(took < std::chrono::seconds(10));  // two 2 s timeouts, not 30 s
}

TEST_CASE("run_bounded: output is bounded, stdin is /dev/null, fds do not leak", "[bwrap]") {
    auto big = run_bounded({"/bin/sh", "-c", "head -c 200000 /dev/zero"}, 5000, 1000);
    REQUIRE(big.ok());
    CHECK(big->out.size() == 1000);
    CHECK(big->exit_code == 0);
    auto in = run_bounded({"/bin/sh", "-c", "cat; echo done >&2; exit 3"}, 5000);
    REQUIRE(in.ok());
    CHECK(in->out.empty());
    CHECK(in->err == "done\n");
    CHECK(in->exit_code == 3);
    int leak = ::open("/dev/null", O_RDONLY);  // not CLOEXEC on purpose
    auto fds = run_bounded({"/bin/sh", "-c", "ls /proc/self/fd"}, 5000);
    ::close(leak);
    REQUIRE(fds.ok());
    CHECK(fds->out == "0\n1\n2\n3\n");  // 3 is ls's own directory fd
}
