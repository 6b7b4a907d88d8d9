// run_sandbox() against plain programs and against real bwrap + sbxrun-inner; the pure
// classification; an fd-leak check. bwrap cases are skipped (with a message) when bwrap cannot
// start here, unless SBXRUN_MUST_WORK=1.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "inner/inner_spec.hpp"
#include "run/classify.hpp"
#include "run/spawn.hpp"
#include "skip.hpp"

using namespace sbx;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> host_env() {
    return {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C"};
}

SandboxExit run_plain(std::vector<std::string> argv,
                      std::optional<std::chrono::milliseconds> t = {}) {
    auto ch = open_channels(false);
    REQUIRE(ch.ok());
    Launch l;
    l.program = argv.front();
    l.argv = std::move(argv);
    l.env = host_env();
    l.timeout = t;
    auto r = run_sandbox(l, *ch);
    REQUIRE(r.ok());
    return *r;
}

bool bwrap_usable() {
    static int usable = -1;
    if (usable < 0) {
        usable = std::system("bwrap --unshare-user --ro-bind / / true >/dev/null 2>&1") == 0;
    }
    // Every case that needs bwrap reports its own skip (fails under SBXRUN_MUST_WORK=1).
    if (usable != 1) sbx::test::skip("bwrap cannot start here");
    return usable == 1;
}

struct BwrapRun {
    SandboxExit exit;
    std::string captured_stdout;
};

// bwrap with the argument set documented in inner_main.cpp, running sbxrun-inner through an
// inherited O_RDONLY fd, its report on a pipe, the command's stdout into a temp file.
BwrapRun run_bwrap(std::vector<std::string> cmd, std::optional<std::chrono::milliseconds> t = {},
                   std::vector<int> extra_pass = {}, std::function<void(pid_t)> during = {}) {
    auto chr = open_channels(true);
    REQUIRE(chr.ok());
    Channels& ch = *chr;
    UniqueFd inner(::open(SBXRUN_INNER_PATH, O_RDONLY | O_CLOEXEC));
    REQUIRE(inner.valid());
    char tmpl[] = "/tmp/sbxrun-run-test-XXXXXX";
    UniqueFd out(::mkstemp(tmpl));
    REQUIRE(out.valid());
    ::unlink(tmpl);
    UniqueFd err(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));

    InnerSpec spec;
    spec.mount_devpts = true;
    spec.report_fd = ch.report_write.get();
    spec.stderr_fd = err.get();
    spec.keep_fds = extra_pass;
    spec.argv = std::move(cmd);
    std::vector<std::string> argv = {"bwrap",
                                     "--unshare-user",
                                     "--unshare-all",
                                     "--die-with-parent",
                                     "--as-pid-1",  // as compile_bwrap: sbxrun-inner is init
                                     "--cap-drop",
                                     "ALL",
                                     "--cap-add",
                                     "CAP_SYS_ADMIN",
                                     "--cap-add",
                                     "CAP_SETPCAP",
                                     "--ro-bind",
                                     "/",
                                     "/",
                                     "--tmpfs",
                                     "/dev",
                                     "--dev-bind",
                                     "/dev/null",
                                     "/dev/null",
                                     "--dir",
                                     "/dev/pts",
                                     "--symlink",
                                     "pts/ptmx",
                                     "/dev/ptmx",
                                     "--proc",
                                     "/proc",
                                     "--tmpfs",
                                     "/tmp",
                                     "--json-status-fd",
                                     std::to_string(ch.bwrap_status_write.get()),
                                     "/proc/self/fd/" + std::to_string(inner.get())};
    for (auto& a : to_args(spec)) argv.push_back(a);

    Launch l;
    l.program = "/usr/bin/bwrap";
    l.argv = argv;
    l.env = host_env();
    l.pass_fds = {inner.get(), ch.report_write.get(), ch.bwrap_status_write.get(), err.get(),
                  out.get()};
    l.pass_fds.insert(l.pass_fds.end(), extra_pass.begin(), extra_pass.end());
    l.stderr_fd = ch.stderr_write.get();
    l.bwrap = true;
    l.timeout = t;
    // stdout of the command: our temp file, put on fd 1 for the child only.
    int saved = ::dup(STDOUT_FILENO);
    ::dup2(out.get(), STDOUT_FILENO);
    std::thread helper;
    if (during)
        helper = std::thread([&] {
            // Only the supervising thread may take the signal (it blocks it and reads a
            // signalfd); sbxrun itself is single-threaded.
            sigset_t all;
            sigfillset(&all);
            ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
            during(::getpid());
        });
    auto r = run_sandbox(l, ch);
    if (helper.joinable()) helper.join();
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    REQUIRE(r.ok());
    BwrapRun br{*r, {}};
    ::lseek(out.get(), 0, SEEK_SET);
    char buf[8192];
    ssize_t n;
    while ((n = ::read(out.get(), buf, sizeof buf)) > 0)
        br.captured_stdout.append(buf, static_cast<std::size_t>(n));
    return br;
}

bool process_with_cmdline_exists(const std::string& needle) {
    std::error_code ec;
    for (auto& e : std::filesystem::directory_iterator("/proc", ec)) {
        // A process may end between the listing and the read: that is "not there", not an error.
        std::string s;
        try {
            std::ifstream f(e.path() / "cmdline");
            s.assign(std::istreambuf_iterator<char>(f), {});
        } catch (const std::exception&) {
            continue;
        }
        for (auto& c : s)
            if (c == '\0') c = ' ';
        if (s.find(needle) != std::string::npos && s.find("sh -c") == std::string::npos)
            return true;
    }
    return false;
}

// Poll until `done` holds or `limit` passes: a test waits for what it looks for, never for a
// fixed time that a loaded machine may overrun.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

}  // namespace

TEST_CASE("classify: the inner record decides; without it bwrap's status does") {
    Observed o;
    o.bwrap = true;
    o.report = "X 130\n";
    o.bwrap_status.exit_code = 130;
    auto e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::exited);
    CHECK(e.status == 130);
    o.report = "S 2\n";
    e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::signaled);
    CHECK(e.signal == 2);
    o.report = "E 13\n";
    CHECK(classify(o).kind == SandboxExit::Kind::exec_failed);
    CHECK(classify(o).exec_errno == 13);
    o.report = "F sbxrun-inner: pin /x: move_mount: Operation not permitted\n";
    e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::setup_failed);
    CHECK(e.message.find("move_mount") != std::string::npos);

    Observed b;
    b.bwrap = true;
    b.stderr_text = "bwrap: Can't mkdir /x: Read-only file system\n";
    b.wait_status = 1 << 8;
    e = classify(b);
    CHECK(e.kind == SandboxExit::Kind::setup_failed);
    CHECK(e.message == "bwrap: Can't mkdir /x: Read-only file system");
    b.bwrap_status.exit_code = 1;  // the payload ran: not a setup failure
    CHECK(classify(b).kind == SandboxExit::Kind::exited);
    b.timed_out = true;
    CHECK(classify(b).kind == SandboxExit::Kind::timed_out);

    auto st =
        parse_bwrap_status("{ \"child-pid\": 42, \"pid-namespace\": 7 }\n{ \"exit-code\": 3 }\n");
    CHECK(st.child_pid == 42);
    CHECK(st.pid_namespace == 7);
    CHECK(st.exit_code == 3);
    CHECK_FALSE(parse_bwrap_status("{ \"child-pid\": 4").child_pid.has_value());
}

TEST_CASE("classify: once the command may have started, nothing is a setup failure") {
    // The record stream of a run whose command started: "C", then the final record.
    Observed o;
    o.bwrap = true;
    o.report = "C\nX 3\n";
    o.bwrap_status.exit_code = 3;
    CHECK(classify(o).kind == SandboxExit::Kind::exited);
    CHECK(classify(o).status == 3);
    o.report = "C\nE 2\n";
    CHECK(classify(o).kind == SandboxExit::Kind::exec_failed);

    // Escape 1 of issue 11: the command forges "F" and kills its parent. bwrap then has no
    // exit-code, or the parent's (137); either way the command ran.
    o.report = "C\nF forged\n";
    o.bwrap_status.exit_code.reset();
    o.wait_status = SIGKILL;  // bwrap itself killed
    auto e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::signaled);
    CHECK(e.signal == SIGKILL);
    o.bwrap_status.exit_code = 137;
    e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::signaled);
    CHECK(e.signal == 9);
    // Garbage after "C" is no record either.
    o.report = "C\nzzz";
    CHECK(classify(o).kind != SandboxExit::Kind::setup_failed);
    // The same forgery under Landlock (no bwrap): the wait status decides.
    Observed l;
    l.report = "C\nF forged\n";
    l.wait_status = 0;
    CHECK(classify(l).kind == SandboxExit::Kind::exited);

    // A real failure of the stage comes before "C": still a setup failure (fallback allowed).
    Observed f;
    f.bwrap = true;
    f.report = "F sbxrun-inner: pin /x: EPERM\n";
    f.wait_status = 1 << 8;
    CHECK(classify(f).kind == SandboxExit::Kind::setup_failed);
}

TEST_CASE("classify: an interrupted run is never a setup failure (Ctrl-C must not re-run)") {
    // Issue 17: SIGINT from the terminal killed bwrap during its setup; sbxrun took it for a
    // backend failure and ran the command again under Landlock.
    Observed o;
    o.bwrap = true;
    o.wait_status = SIGINT;  // bwrap killed by SIGINT, no exit-code, no record
    o.interrupted = SIGINT;
    auto e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::signaled);
    CHECK(e.signal == SIGINT);
    // bwrap exited 1 after the interrupt (its child died of it): still the interrupt.
    o.wait_status = 1 << 8;
    e = classify(o);
    CHECK(e.kind == SandboxExit::Kind::signaled);
    CHECK(e.signal == SIGINT);
    // The stage failed while the caller was interrupting: not retried either.
    o.report = "F sbxrun-inner: something\n";
    CHECK(classify(o).kind == SandboxExit::Kind::signaled);
    // Without the interrupt the same end is a setup failure.
    o.report.clear();
    o.interrupted = 0;
    CHECK(classify(o).kind == SandboxExit::Kind::setup_failed);
}

TEST_CASE("run_sandbox: plain programs exit, are signaled, time out") {
    auto e = run_plain({"/bin/sh", "-c", "exit 3"});
    CHECK(e.kind == SandboxExit::Kind::exited);
    CHECK(e.status == 3);
    e = run_plain({"/bin/sh", "-c", "kill -TERM $$"});
    CHECK(e.kind == SandboxExit::Kind::signaled);
    CHECK(e.signal == SIGTERM);
    auto t0 = std::chrono::steady_clock::now();
    e = run_plain({"/bin/sleep", "30"}, 200ms);
    CHECK(e.kind == SandboxExit::Kind::timed_out);
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);
}

TEST_CASE("run_sandbox: a fake bwrap that fails before the command is setup_failed") {
    char dir[] = "/tmp/sbxrun-fake-bwrap-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    std::string fake = std::string(dir) + "/bwrap";
    {
        std::ofstream f(fake);
        f << "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n";
    }
    ::chmod(fake.c_str(), 0755);
    auto ch = open_channels(true);
    REQUIRE(ch.ok());
    Launch l;
    l.program = fake;
    l.argv = {"bwrap", "--json-status-fd", std::to_string(ch->bwrap_status_write.get()), "true"};
    l.env = host_env();
    l.pass_fds = {ch->bwrap_status_write.get(), ch->report_write.get()};
    l.stderr_fd = ch->stderr_write.get();
    l.bwrap = true;
    auto r = run_sandbox(l, *ch);
    std::filesystem::remove_all(dir);
    REQUIRE(r.ok());
    CHECK(r->kind == SandboxExit::Kind::setup_failed);
    CHECK(r->message == "bwrap: setting up uid map: Permission denied");
}

TEST_CASE("bwrap + sbxrun-inner: exit codes, signals, exec errors") {
    if (!bwrap_usable()) return;
    auto r = run_bwrap({"sh", "-c", "exit 130"});
    CHECK(r.exit.kind == SandboxExit::Kind::exited);
    CHECK(r.exit.status == 130);
    r = run_bwrap({"sh", "-c", "kill -INT $$"});
    CHECK(r.exit.kind == SandboxExit::Kind::signaled);
    CHECK(r.exit.signal == SIGINT);
    r = run_bwrap({"/nonexistent/command"});
    CHECK(r.exit.kind == SandboxExit::Kind::exec_failed);
    CHECK(r.exit.exec_errno == ENOENT);
    r = run_bwrap({"/etc/passwd"});
    CHECK(r.exit.kind == SandboxExit::Kind::exec_failed);
    CHECK(r.exit.exec_errno == EACCES);
}

TEST_CASE("bwrap + sbxrun-inner: no capabilities, no_new_privs, a pty works") {
    if (!bwrap_usable()) return;
    auto r = run_bwrap({"sh", "-c",
                        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' "
                        "/proc/self/status; script -qc true /dev/null && echo pty-ok"});
    CHECK(r.exit.kind == SandboxExit::Kind::exited);
    CHECK(r.exit.status == 0);
    for (const char* line :
         {"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
          "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "pty-ok"}) {
        INFO(r.captured_stdout);
        CHECK(r.captured_stdout.find(line) != std::string::npos);
    }
}

TEST_CASE("bwrap + sbxrun-inner: timeout kills a grandchild too") {
    if (!bwrap_usable()) return;
    auto r = run_bwrap({"sh", "-c", "sleep 31337 & wait"}, 500ms);
    CHECK(r.exit.kind == SandboxExit::Kind::timed_out);
    // The kill is asynchronous to /proc: wait (bounded) for the grandchild to be gone.
    CHECK(eventually([] { return !process_with_cmdline_exists("sleep 31337"); }));
}

TEST_CASE("bwrap + sbxrun-inner: SIGTERM to sbxrun is forwarded to the command") {
    if (!bwrap_usable()) return;
    // The signal goes once the command is running (its sleep is visible in /proc), not after a
    // fixed delay that may fall before sbxrun-inner has even started it.
    bool started = false;
    auto r = run_bwrap({"sh", "-c", "echo started; sleep 31338"}, 20s, {}, [&](pid_t self) {
        started = eventually([] { return process_with_cmdline_exists("sleep 31338"); });
        ::kill(self, SIGTERM);
    });
    CHECK(started);
    CHECK(r.exit.kind == SandboxExit::Kind::signaled);
    CHECK(r.exit.signal == SIGTERM);
}

TEST_CASE("no fd of the caller reaches the command except 0, 1, 2 and the intended ones") {
    if (!bwrap_usable()) return;
    // Stray fds without CLOEXEC, below and between the passed ones.
    std::vector<int> strays;
    for (int i = 0; i < 6; ++i) strays.push_back(::open("/dev/null", O_RDONLY));
    int intended = ::open("/dev/null", O_RDONLY);  // passed and kept for the command
    for (int i = 0; i < 4; ++i) strays.push_back(::open("/dev/null", O_RDONLY));
    auto r = run_bwrap({"sh", "-c", "ls /proc/self/fd | tr '\\n' ' '"}, {}, {intended});
    for (int fd : strays) ::close(fd);
    ::close(intended);
    CHECK(r.exit.kind == SandboxExit::Kind::exited);
    // ls opens its directory listing on the lowest free number, 3: any stray fd would sit
    // there or between 3 and `intended` (the strays were opened on both sides of it).
    std::set<std::string> got;
    std::istringstream in(r.captured_stdout);
    std::string w;
    while (in >> w) got.insert(w);
    INFO("fds seen by the command: " << r.captured_stdout << " intended " << intended);
    CHECK(got == std::set<std::string>{"0", "1", "2", "3", std::to_string(intended)});
}

TEST_CASE("spawn alone passes exactly 0, 1, 2 and pass_fds (no inner stage closing for it)") {
    std::vector<int> strays;
    for (int i = 0; i < 6; ++i) strays.push_back(::open("/dev/null", O_RDONLY));
    int intended = ::open("/dev/null", O_RDONLY);
    for (int i = 0; i < 4; ++i) strays.push_back(::open("/dev/null", O_RDONLY));
    char tmpl[] = "/tmp/sbxrun-run-test-XXXXXX";
    UniqueFd out(::mkstemp(tmpl));
    REQUIRE(out.valid());
    ::unlink(tmpl);
    auto ch = open_channels(false);
    REQUIRE(ch.ok());
    Launch l;
    l.program = "/bin/ls";
    l.argv = {"ls", "/proc/self/fd"};
    l.env = host_env();
    // A CLOEXEC fd far above the others, passed too: it must arrive, the strays must not.
    UniqueFd high(::fcntl(out.get(), F_DUPFD_CLOEXEC, intended + 100));
    REQUIRE(high.get() == intended + 100);
    l.pass_fds = {intended, high.get()};
    int saved = ::dup(STDOUT_FILENO);
    ::dup2(out.get(), STDOUT_FILENO);
    auto r = run_sandbox(l, *ch);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    for (int fd : strays) ::close(fd);
    ::close(intended);
    REQUIRE(r.ok());
    CHECK(r->kind == SandboxExit::Kind::exited);
    ::lseek(out.get(), 0, SEEK_SET);
    std::string text(4096, '\0');
    text.resize(static_cast<std::size_t>(
        std::max<ssize_t>(0, ::read(out.get(), text.data(), text.size()))));
    std::set<std::string> got;
    std::istringstream in(text);
    std::string w;
    while (in >> w) got.insert(w);
    INFO("fds seen: " << text);
    CHECK(got == std::set<std::string>{"0", "1", "2", "3", std::to_string(intended),
                                       std::to_string(intended + 100)});
}
