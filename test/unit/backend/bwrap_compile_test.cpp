// Golden tests of compile_bwrap: plans built in memory, the exact argv asserted. The argv is
// what the sandbox is, so any change to it must show up here as a reviewed diff.
#include "backend/bwrap_compile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "plan/finalise.hpp"

using namespace sbx;

namespace {

using Argv = std::vector<std::string>;

Argv cat(std::initializer_list<Argv> parts) {
    Argv all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

// bwrap 0.8.0 (Debian 12): every feature the compile can use.
BwrapInfo bwrap_0_8() {
    BwrapInfo b;
    b.path = "/usr/bin/bwrap";
    b.version = "0.8.0";
    b.bind_fd = b.json_status_fd = b.disable_userns = b.args_fd = b.perms = b.size = true;
    b.chmod = b.clearenv = b.die_with_parent = b.new_session = b.cap_add = b.as_pid_1 = true;
    return b;
}

// What every sandbox starts with, bwrap 0.8.0 and status fd 4.
const Argv kHead = cat({
    {"/usr/bin/bwrap", "--unshare-all", "--unshare-user"},
    {"--as-pid-1"},
    {"--die-with-parent"},
    {"--new-session"},
    {"--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"},
    {"--json-status-fd", "4"},
});

// /proc and /dev, which come right after the root.
const Argv kProcDev = cat({
    {"--proc", "/proc"},
    {"--tmpfs", "/dev"},
    {"--dev-bind", "/dev/null", "/dev/null"},
    {"--dev-bind", "/dev/zero", "/dev/zero"},
    {"--dev-bind", "/dev/full", "/dev/full"},
    {"--dev-bind", "/dev/random", "/dev/random"},
    {"--dev-bind", "/dev/urandom", "/dev/urandom"},
    {"--dev-bind", "/dev/tty", "/dev/tty"},
    {"--dir", "/dev/pts"},
    {"--dir", "/dev/shm"},
    {"--symlink", "pts/ptmx", "/dev/ptmx"},
    {"--symlink", "/proc/self/fd", "/dev/fd"},
    {"--symlink", "/proc/self/fd/0", "/dev/stdin"},
    {"--symlink", "/proc/self/fd/1", "/dev/stdout"},
    {"--symlink", "/proc/self/fd/2", "/dev/stderr"},
});

// sbxrun-inner (fd 3) and its options after the verifications and pins.
const Argv kInner = {"--", "/proc/self/fd/3"};
const Argv kInnerTail = cat({
    {"--devpts"},
    {"--seccomp", "netns"},
    {"--unix-sockets", "allow"},
    {"--new-session", "yes"},
    {"--report-fd", "5"},
    {"--stderr-fd", "6"},
    {"--chdir", "/work"},
    {"--", "true"},
});

// A plan and the inputs run_bwrap would give the compile, with descriptors at known numbers:
// the plan's checked sources from 100 (real descriptors, dup'ed there), the empty files for
// hide_file from 200, the placeholders for block_missing from 300.
struct Fixture {
    MountPlan plan;
    BwrapInfo info = bwrap_0_8();
    BwrapInputs in;
    std::map<std::string, std::pair<dev_t, ino_t>> placeholder_ids;  // by dest

    Fixture() {
        in.inner_exe_fd = 3;
        in.status_fd = 4;
        in.inner.seccomp = SeccompProfile::netns;
        in.inner.report_fd = 5;
        in.inner.stderr_fd = 6;
        in.inner.chdir = "/work";
        in.inner.argv = {"true"};
    }

    // `dev`/`ino`: the identity the plan checked (binds) or the placeholder's (block_missing).
    void op(OpKind kind, const std::string& dest, dev_t dev = 0, ino_t ino = 0) {
        MountOp o;
        o.kind = kind;
        o.dest = dest;
        o.dev = dev;
        o.ino = ino;
        if (kind == OpKind::bind_ro || kind == OpKind::bind_rw || kind == OpKind::anchor) {
            const int want = 100 + static_cast<int>(plan.fds.size());
            UniqueFd any(::open("/", O_PATH | O_CLOEXEC));
            REQUIRE(any.valid());
            REQUIRE(::dup3(any.get(), want, O_CLOEXEC) == want);
            o.fd = static_cast<int>(plan.fds.size());
            plan.fds.emplace_back(want);
        }
        if (kind == OpKind::block_missing) {
            placeholder_ids[dest] = {dev, ino};
            o.dev = o.ino = 0;  // the plan knows no identity for what does not exist
        }
        plan.ops.push_back(std::move(o));
    }

    // The plan as bwrap mounts it, with the stand-ins run_bwrap would open (none under explain).
    BwrapPlan mounts() const {
        BwrapPlan bp = bwrap_plan(plan);
        if (in.explain) return bp;
        int empty = 200;
        int placeholder = 300;
        for (auto& m : bp.mounts) {
            if (m.op->kind == OpKind::hide_file) m.fd = empty++;
            if (m.op->kind == OpKind::block_missing) {
                m.fd = placeholder++;
                m.placeholder_id = placeholder_ids.at(m.op->dest);
            }
        }
        return bp;
    }

    Result<BwrapCommand> compile() const { return compile_bwrap(mounts(), info, in); }

    BwrapCommand ok() {
        auto r = compile();
        if (!r.ok()) FAIL(r.error().render());
        return std::move(r).value();
    }
};

}  // namespace

TEST_CASE("every op kind, in plan order, /proc and /dev right after the root", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/work", 1, 3);
    f.op(OpKind::tmpfs, "/tmp");
    f.op(OpKind::anchor, "/work/sub", 1, 4);
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);
    f.op(OpKind::hide_file, "/work/.env");
    f.op(OpKind::hide_dir, "/work/sub/.ssh");
    auto cmd = f.ok();
    CHECK(cmd.argv == cat({kHead,
                           {"--ro-bind-fd", "100", "/"},
                           kProcDev,
                           {"--bind-fd", "101", "/work"},
                           {"--tmpfs", "/tmp"},
                           {"--bind-fd", "102", "/work/sub"},
                           {"--ro-bind-fd", "300", "/work/.agents"},
                           {"--perms", "0000", "--ro-bind-data", "200", "/work/.env"},
                           {"--perms", "0000", "--tmpfs", "/work/sub/.ssh"},
                           kInner,
                           // every bind, and the placeholder, checked inside before anything
                           {"--verify", "1:2:ro", "/"},
                           {"--verify", "1:3:rw", "/work"},
                           {"--verify", "1:4:rw", "/work/sub"},
                           {"--verify", "7:8:ro", "/work/.agents"},
                           kInnerTail}));
    CHECK(cmd.argv[cmd.command_at] == "--");
    CHECK(cmd.argv[cmd.command_at + 1] == "/proc/self/fd/3");
    // Every descriptor the argv names, in argv order, then those only sbxrun-inner names.
    CHECK(cmd.pass_fds == std::vector<int>{4, 100, 101, 102, 300, 200, 3, 5, 6});
    CHECK(cmd.notes.empty());
}

TEST_CASE("with mount_setattr, sbxrun-inner binds the placeholders; below a tmpfs bwrap does",
          "[bwrap][compile]") {
    Fixture f;
    f.in.inner_binds_placeholders = true;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/work", 1, 3);
    f.op(OpKind::tmpfs, "/tmp");
    f.op(OpKind::block_missing, "/tmp/.git", 5, 6);
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);
    f.op(OpKind::block_missing, "/work/.claude", 7, 9);
    auto cmd = f.ok();
    CHECK(cmd.argv == cat({kHead,
                           {"--ro-bind-fd", "100", "/"},
                           kProcDev,
                           {"--bind-fd", "101", "/work"},
                           {"--tmpfs", "/tmp"},
                           {"--ro-bind-fd", "300", "/tmp/.git"},
                           kInner,
                           {"--verify", "1:2:ro", "/"},
                           {"--verify", "1:3:rw", "/work"},
                           {"--verify", "5:6:ro", "/tmp/.git"},
                           // after the verifications, by identity, each onto itself
                           {"--placeholder", "7:8", "/work/.agents"},
                           {"--placeholder", "7:9", "/work/.claude"},
                           kInnerTail}));
    // Their descriptors stay with sbxrun (which holds their locks): bwrap gets none of them.
    CHECK(cmd.pass_fds == std::vector<int>{4, 100, 101, 300, 3, 5, 6});
}

TEST_CASE("with the entry broker, missing names are entry blocks; below a tmpfs, placeholders",
          "[bwrap][compile]") {
    Fixture f;
    f.in.inner_binds_placeholders = true;
    f.in.entry_broker = true;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/work", 1, 3);
    f.op(OpKind::tmpfs, "/tmp");
    f.op(OpKind::block_missing, "/tmp/.git", 5, 6);
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);
    f.op(OpKind::block_missing, "/work/.claude", 7, 9);
    f.op(OpKind::block_missing, "/.envrc", 7, 10);
    BwrapPlan bp = f.mounts();
    for (auto& m : bp.mounts) {
        if (!broker_blocks(bp, m)) continue;
        m.fd = -1;
        m.placeholder_id.reset();
        m.parent_id =
            m.op->dest == "/.envrc" ? std::pair<dev_t, ino_t>{1, 2} : std::pair<dev_t, ino_t>{1, 3};
    }
    auto r = compile_bwrap(bp, f.info, f.in);
    REQUIRE(r.ok());
    const auto& argv = r->argv;
    const auto has = [&](std::vector<std::string> seq) {
        return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
    };
    CHECK(has({"--ro-bind-fd", "300", "/tmp/.git"}));  // below the tmpfs: bwrap's placeholder
    CHECK_FALSE(has({"--placeholder", "7:8", "/work/.agents"}));
    CHECK(has(
        {"--entry-block", "1:3", "/work", "--entry-name", ".agents", "--entry-name", ".claude"}));
    CHECK(has({"--entry-block", "1:2", "/", "--entry-name", ".envrc"}));
    CHECK(std::count(argv.begin(), argv.end(), "--entry-block") == 2);
    CHECK_FALSE(r->notes.empty());
    // Outside --explain an entry block without its directory's identity is a bug.
    bp.mounts.back().parent_id.reset();
    CHECK_FALSE(compile_bwrap(bp, f.info, f.in).ok());
}

TEST_CASE("an empty plan still gets /proc and /dev, and nothing else", "[bwrap][compile]") {
    Fixture f;
    auto cmd = f.ok();
    CHECK(cmd.argv == cat({kHead, kProcDev, kInner, kInnerTail}));
    CHECK(cmd.pass_fds == std::vector<int>{4, 3, 5, 6});
}

TEST_CASE("a plan of the root alone: /proc and /dev at the end", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    CHECK(f.ok().argv == cat({kHead,
                              {"--ro-bind-fd", "100", "/"},
                              kProcDev,
                              kInner,
                              {"--verify", "1:2:ro", "/"},
                              kInnerTail}));
}

TEST_CASE("the plan's order is kept: parents first stays parents first", "[bwrap][compile]") {
    // bwrap mounts in argv order, so a parent after its child would cover the child. The compile
    // does not sort: it must keep exactly the plan's order (make_plan sorts, parents first).
    Fixture f;
    f.op(OpKind::tmpfs, "/a");
    f.op(OpKind::tmpfs, "/a/b");
    f.op(OpKind::tmpfs, "/a/b/c");
    f.op(OpKind::tmpfs, "/z");
    f.op(OpKind::tmpfs, "/a/b/c/d");
    // No root op: /proc and /dev come first, before anything deeper than "/".
    CHECK(f.ok().argv == cat({kHead,
                              kProcDev,
                              {"--tmpfs", "/a"},
                              {"--tmpfs", "/a/b"},
                              {"--tmpfs", "/a/b/c"},
                              {"--tmpfs", "/z"},
                              {"--tmpfs", "/a/b/c/d"},
                              kInner,
                              kInnerTail}));
}

TEST_CASE("paths with spaces and newlines are single arguments, verbatim", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/home/u/my work", 1, 3);
    f.op(OpKind::hide_file, "/home/u/my work/new\nline");
    f.op(OpKind::block_missing, "/home/u/my work/ tab\there", 4, 5);
    auto cmd = f.ok();
    CHECK(cmd.argv ==
          cat({kHead,
               {"--ro-bind-fd", "100", "/"},
               kProcDev,
               {"--bind-fd", "101", "/home/u/my work"},
               {"--perms", "0000", "--ro-bind-data", "200", "/home/u/my work/new\nline"},
               {"--ro-bind-fd", "300", "/home/u/my work/ tab\there"},
               kInner,
               {"--verify", "1:2:ro", "/"},
               {"--verify", "1:3:rw", "/home/u/my work"},
               {"--verify", "4:5:ro", "/home/u/my work/ tab\there"},
               kInnerTail}));
    // Through --args FD too: NUL-terminated, so a newline is just a byte of the path.
    const std::string data = args_fd_data(cmd);
    const std::string path = "/home/u/my work/new\nline";
    CHECK(data.find('\0' + path + '\0') != std::string::npos);
}

TEST_CASE("pins are the plan's, after the verifications", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_rw, "/", 1, 2);
    f.plan.pins.push_back({"/w/.codex", ".aux/codex", "/w/.aux/codex", {}});
    f.plan.pins.push_back({"/w/my link", "x", "/w/x", {}});
    // What the caller put in the spec is replaced: pins and verifications come from the plan.
    f.in.inner.pins = {{"/stale", "s"}};
    f.in.inner.verify = {{"/stale", 9, 9, true}};
    f.in.inner.mount_devpts = false;
    CHECK(f.ok().argv == cat({kHead,
                              {"--bind-fd", "100", "/"},
                              kProcDev,
                              kInner,
                              {"--verify", "1:2:rw", "/"},
                              {"--pin", "/w/.codex", ".aux/codex", "--pin", "/w/my link", "x"},
                              kInnerTail}));
}

TEST_CASE("network allowlist: the proxy's socket goes to sbxrun-inner, or nothing runs",
          "[bwrap][compile]") {
    Fixture f;
    f.plan.network = NetworkMode::allowlist;
    auto r = f.compile();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::internal);
    f.in.inner.proxy_sock = 9;
    auto c = f.compile();
    REQUIRE(c.ok());
    // The namespace stays private (no --share-net), the socket is passed and named.
    CHECK(std::find(c->argv.begin(), c->argv.end(), "--share-net") == c->argv.end());
    CHECK(std::find(c->pass_fds.begin(), c->pass_fds.end(), 9) != c->pass_fds.end());
    auto at = std::find(c->argv.begin(), c->argv.end(), "--proxy-sock");
    REQUIRE(at != c->argv.end());
    CHECK(*(at + 1) == "9");
}

TEST_CASE("network full shares the network namespace, none does not", "[bwrap][compile]") {
    Fixture f;
    f.plan.network = NetworkMode::none;
    CHECK(f.ok().argv == cat({kHead, kProcDev, kInner, kInnerTail}));
    f.plan.network = NetworkMode::full;
    f.in.inner.seccomp = SeccompProfile::base;  // what run_bwrap picks for network full
    Argv head = kHead;
    head.insert(head.begin() + 3, "--share-net");
    Argv tail = kInnerTail;
    tail[2] = "base";
    CHECK(f.ok().argv == cat({head, kProcDev, kInner, tail}));
}

TEST_CASE("bwrap's optional features and the inner options", "[bwrap][compile]") {
    Fixture f;
    SECTION("an older bwrap: no --new-session, --json-status-fd") {
        f.info.new_session = f.info.json_status_fd = false;
        auto cmd = f.ok();
        CHECK(cmd.argv == cat({{"/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--as-pid-1",
                                "--die-with-parent", "--cap-drop", "ALL", "--cap-add",
                                "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"},
                               kProcDev,
                               kInner,
                               kInnerTail}));
        CHECK(cmd.pass_fds == std::vector<int>{3, 5, 6});  // not the status fd it cannot use
    }
    SECTION("process.new_session = false: neither bwrap nor sbxrun-inner starts a session") {
        f.in.inner.new_session = false;
        Argv tail = kInnerTail;
        tail[6] = "no";
        CHECK(f.ok().argv ==
              cat({{"/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--as-pid-1",
                    "--die-with-parent", "--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN",
                    "--cap-add", "CAP_SETPCAP", "--json-status-fd", "4"},
                   kProcDev,
                   kInner,
                   tail}));
    }
    SECTION("no status fd, no report fd, no stderr fd") {
        f.in.status_fd = -1;
        f.in.inner.report_fd = -1;
        f.in.inner.stderr_fd = -1;
        auto cmd = f.ok();
        CHECK(cmd.argv == cat({{"/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--as-pid-1",
                                "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                                "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"},
                               kProcDev,
                               kInner,
                               {"--devpts", "--seccomp", "netns", "--unix-sockets", "allow",
                                "--new-session", "yes", "--report-fd", "-1", "--stderr-fd", "-1",
                                "--chdir", "/work", "--", "true"}}));
        CHECK(cmd.pass_fds == std::vector<int>{3});
    }
    SECTION("unix sockets refused, kept fds, no chdir, a soft fd limit, a command with args") {
        f.in.inner.refuse_unix_sockets = true;
        f.in.inner.keep_fds = {7, 8};
        f.in.inner.chdir.clear();
        f.in.inner.nofile_soft = 1024;
        f.in.inner.argv = {"sh", "-c", "echo \"$1\"", "a b"};
        CHECK(f.ok().argv == cat({
                                 kHead,
                                 kProcDev,
                                 kInner,
                                 {"--devpts"},
                                 {"--seccomp", "netns"},
                                 {"--unix-sockets", "refuse"},
                                 {"--new-session", "yes"},
                                 {"--report-fd", "5"},
                                 {"--stderr-fd", "6"},
                                 {"--keep-fd", "7", "--keep-fd", "8"},
                                 {"--nofile", "1024"},
                                 {"--", "sh", "-c", "echo \"$1\"", "a b"},
                             }));
    }
}

TEST_CASE("a bwrap without --bind-fd is refused, not given paths", "[bwrap][compile]") {
    Fixture f;
    f.info.bind_fd = false;
    f.info.version = "0.4.1";
    auto r = f.compile();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::unsupported);
    CHECK(r.error().message == "bwrap 0.4.1 lacks --bind-fd/--ro-bind-fd (needs 0.5 or newer)");
    CHECK(r.error().path == "/usr/bin/bwrap");
}

// Neither is optional: without --as-pid-1 bwrap's own init is a process of the sandbox the
// command can take over (/proc/1/mem), and without --die-with-parent a SIGKILLed sbxrun leaves
// the sandbox running. A forged feature cache must not be able to drop either quietly.
TEST_CASE("a bwrap without --as-pid-1 or --die-with-parent is refused", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    SECTION("--as-pid-1") {
        f.info.as_pid_1 = false;
        auto r = f.compile();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::unsupported);
        CHECK(r.error().message == "bwrap 0.8.0 lacks --as-pid-1 (needs 0.1.8 or newer)");
    }
    SECTION("--die-with-parent") {
        f.info.die_with_parent = false;
        auto r = f.compile();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::unsupported);
        CHECK(r.error().message == "bwrap 0.8.0 lacks --die-with-parent (needs 0.2 or newer)");
    }
}

TEST_CASE("explain renders every descriptor as <fd> and passes none", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/work", 1, 3);
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);
    f.op(OpKind::hide_file, "/work/.env");
    // What preview_bwrap gives: nothing opened yet.
    f.in.explain = true;
    f.in.inner_exe_fd = -1;
    f.in.status_fd = -1;
    f.in.inner.report_fd = -1;
    f.in.inner.stderr_fd = -1;
    auto cmd = f.ok();
    CHECK(cmd.argv ==
          cat({{"/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--as-pid-1",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--cap-add",
                "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP", "--json-status-fd", "<fd>"},
               {"--ro-bind-fd", "<fd>", "/"},
               kProcDev,
               {"--bind-fd", "<fd>", "/work"},
               {"--ro-bind-fd", "<fd>", "/work/.agents"},
               {"--perms", "0000", "--ro-bind-data", "<fd>", "/work/.env"},
               {"--", "/proc/self/fd/<fd>"},
               // the placeholder does not exist yet: no identity to verify
               {"--verify", "1:2:ro", "/", "--verify", "1:3:rw", "/work"},
               {"--devpts", "--seccomp", "netns", "--unix-sockets", "allow", "--new-session", "yes",
                "--report-fd", "-1", "--stderr-fd", "-1", "--chdir", "/work", "--", "true"}}));
    CHECK(cmd.pass_fds.empty());
}

TEST_CASE("a rule under /dev/shm is applied: the sandbox's /dev/shm is an empty directory",
          "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/dev/shm/ws", 1, 3);
    auto cmd = f.ok();
    CHECK(cmd.argv == cat({kHead,
                           {"--ro-bind-fd", "100", "/"},
                           kProcDev,
                           {"--bind-fd", "101", "/dev/shm/ws"},
                           kInner,
                           {"--verify", "1:2:ro", "/"},
                           {"--verify", "1:3:rw", "/dev/shm/ws"},
                           kInnerTail}));
    CHECK(cmd.notes.empty());
}

TEST_CASE("rules under /proc and /dev are noted, not applied, and shift no descriptor",
          "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::hide_file, "/dev/secret");              // data fd 200, unused
    f.op(OpKind::block_missing, "/proc/x", 3, 4);        // placeholder 300, unused
    f.op(OpKind::bind_ro, "/dev/sda", 5, 6);             // fd 101, unused
    f.op(OpKind::hide_file, "/work/.env");               // data fd 201
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);  // placeholder 301
    f.op(OpKind::tmpfs, "/proc");                        // /proc itself
    auto cmd = f.ok();
    CHECK(cmd.argv == cat({kHead,
                           {"--ro-bind-fd", "100", "/"},
                           kProcDev,
                           {"--perms", "0000", "--ro-bind-data", "201", "/work/.env"},
                           {"--ro-bind-fd", "301", "/work/.agents"},
                           kInner,
                           {"--verify", "1:2:ro", "/"},
                           {"--verify", "7:8:ro", "/work/.agents"},
                           kInnerTail}));
    CHECK(cmd.pass_fds == std::vector<int>{4, 100, 201, 301, 3, 5, 6});
    const char* tail =
        ": /proc and /dev are the sandbox's own (the host's are not visible "
        "there); rule not applied";
    const std::vector<std::string> skipped{std::string("hidden (empty file) /dev/secret") + tail,
                                           std::string("blocked (missing) /proc/x") + tail,
                                           std::string("read-only /dev/sda") + tail,
                                           std::string("tmpfs /proc") + tail};
    CHECK(cmd.notes == skipped);
    // Said at run time too, never only by --explain (thirty-seventh review).
    CHECK(cmd.approximated == skipped);
}

TEST_CASE("--args FD carries bwrap's options; the command stays on argv", "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    auto cmd = f.ok();
    std::string want;
    for (const auto& a : cat({{"--unshare-all", "--unshare-user", "--as-pid-1", "--die-with-parent",
                               "--new-session", "--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN",
                               "--cap-add", "CAP_SETPCAP", "--json-status-fd", "4"},
                              {"--ro-bind-fd", "100", "/"},
                              kProcDev})) {
        want += a;
        want += '\0';
    }
    CHECK(args_fd_data(cmd) == want);
    CHECK(
        argv_with_args_fd(cmd, 9) ==
        cat({{"/usr/bin/bwrap", "--args", "9"}, kInner, {"--verify", "1:2:ro", "/"}, kInnerTail}));
}

TEST_CASE("bwrap's 9000-argument cap is said before bwrap runs", "[bwrap][compile]") {
    // Counted without argv[0], with the 2 of "--args FD" when bwrap reads its options there.
    Fixture f;
    const std::size_t empty = f.ok().argv.size() - 1 + 2;
    const std::size_t ops = (kBwrapMaxArgs - empty) / 2;
    for (std::size_t i = 0; i < ops; ++i) f.op(OpKind::tmpfs, "/t/" + std::to_string(i));
    // One more command argument when the tmpfs ops (2 arguments each) leave one short.
    if ((kBwrapMaxArgs - empty) % 2 == 1) f.in.inner.argv.push_back("x");
    REQUIRE(f.ok().argv.size() - 1 + 2 == kBwrapMaxArgs);  // exactly at the cap: fine

    f.in.inner.argv.push_back("one-too-many");
    auto r = f.compile();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::unsupported);
    CHECK(r.error().message == "the plan has " + std::to_string(ops) +
                                   " mount operations, which need 9001 bwrap "
                                   "arguments; bwrap accepts at most 9000");

    // Without --args FD the 2 are not needed, and the same plan fits.
    f.info.args_fd = false;
    CHECK(f.compile().ok());
}

TEST_CASE("bwrap_plan: each op with its own descriptor, the plan's pins and network",
          "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::tmpfs, "/tmp");
    f.op(OpKind::bind_rw, "/work", 1, 3);
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);
    f.plan.ops.back().fd = 0;  // block_missing's fd is the parent it is made in, not a source
    f.op(OpKind::hide_file, "/work/.env");
    f.plan.pins.push_back({"/work/.codex", "x", "/work/x", {}});
    f.plan.network = NetworkMode::full;
    const BwrapPlan bp = bwrap_plan(f.plan);
    REQUIRE(bp.mounts.size() == f.plan.ops.size());
    for (std::size_t i = 0; i < bp.mounts.size(); ++i) CHECK(bp.mounts[i].op == &f.plan.ops[i]);
    std::vector<int> fds;
    for (const auto& m : bp.mounts) fds.push_back(m.fd);
    CHECK(fds == std::vector<int>{100, -1, 101, -1, -1});  // stand-ins are the caller's
    for (const auto& m : bp.mounts) CHECK_FALSE(m.placeholder_id);
    CHECK(bp.pins == std::vector<PinSpec>{{"/work/.codex", "x"}});
    CHECK(bp.network == NetworkMode::full);
}

TEST_CASE("a mount without its descriptor, or a placeholder without identity, is refused",
          "[bwrap][compile]") {
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::tmpfs, "/tmp");
    f.op(OpKind::hide_dir, "/work/.ssh");
    f.op(OpKind::block_missing, "/work/.agents", 7, 8);
    f.op(OpKind::hide_file, "/work/.env");
    BwrapPlan bp = f.mounts();
    REQUIRE(compile_bwrap(bp, f.info, f.in).ok());  // tmpfs and hide_dir need none
    SECTION("no empty file for hide_file") {
        bp.mounts[4].fd = -1;
        auto r = compile_bwrap(bp, f.info, f.in);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::internal);
        CHECK(r.error().message ==
              "bwrap compile: no descriptor for hidden (empty file) /work/.env");
    }
    SECTION("no source for a bind") {
        bp.mounts[0].fd = -1;
        auto r = compile_bwrap(bp, f.info, f.in);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "bwrap compile: no descriptor for read-only /");
    }
    SECTION("a placeholder whose identity was not taken would go unverified") {
        bp.mounts[3].placeholder_id.reset();
        auto r = compile_bwrap(bp, f.info, f.in);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message ==
              "bwrap compile: no identity for the placeholder at /work/.agents");
    }
    SECTION("under explain nothing is open yet, and that is fine") {
        f.in.explain = true;
        CHECK(compile_bwrap(bwrap_plan(f.plan), f.info, f.in).ok());
    }
}

TEST_CASE("inside a denied directory: protections are left out, a writable root is refused",
          "[bwrap][compile]") {
    // A denied directory is an empty tmpfs of mode 0000 that nothing walks through (thirty-
    // seventh review: deny = ["${home}"] failed sbxrun-inner's checks on ~/.cache/sbxrun).
    Fixture f;
    f.op(OpKind::bind_ro, "/", 1, 2);
    f.op(OpKind::bind_rw, "/work", 3, 4);
    f.op(OpKind::hide_dir, "/home/u");
    f.op(OpKind::bind_ro, "/home/u/.cache/sbxrun", 5, 6);
    f.op(OpKind::bind_rw, "/home/u/.cache/sbxrun-caches/ws", 7, 8);
    f.plan.ops.back().rule = sbx::RuleRef("filesystem.caches", {}, {});
    f.op(OpKind::anchor, "/home/u/.config", 9, 10);
    f.op(OpKind::hide_file, "/home/u/.netrc");  // a denied path inside: nothing to mount
    for (const char* link : {"/home/u/.codex", "/work/.codex"}) {
        sbx::Pin pin;
        pin.link = link;
        pin.link_text = "sub";
        f.plan.pins.push_back(pin);
    }
    // As make_plan gives it: what the denied directory hides is left out for every backend.
    sbx::planning::leave_out_what_denial_hides(f.plan);
    const BwrapPlan bp = bwrap_plan(f.plan);
    std::vector<std::string> dests;
    for (const auto& m : bp.mounts) dests.push_back(m.op->dest);
    CHECK(dests == std::vector<std::string>{"/", "/work", "/home/u"});
    REQUIRE(bp.pins.size() == 1);
    CHECK(bp.pins[0].path == "/work/.codex");
    auto ok = compile_bwrap(bp, f.info, f.in);
    CHECK(ok.ok());
    // A writable root of the policy's own inside it stays, with what protects in it (Landlock
    // runs that plan), and the compile says bwrap cannot.
    f.op(OpKind::bind_rw, "/home/u/proj", 11, 12);
    f.op(OpKind::bind_ro, "/home/u/proj/.git", 13, 14);
    sbx::planning::leave_out_what_denial_hides(f.plan);
    CHECK(std::any_of(f.plan.ops.begin(), f.plan.ops.end(),
                      [](const sbx::MountOp& o) { return o.dest == "/home/u/proj/.git"; }));
    auto refused = compile_bwrap(bwrap_plan(f.plan), f.info, f.in);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::unsupported);
    CHECK(refused.error().message.find("/home/u/proj") != std::string::npos);
}
