// The Landlock backend's last stage (inner/direct_exec.hpp) and the PATH search it shares with
// sbxrun-inner, run for real in forked children.
#include "inner/direct_exec.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "inner/command_parent.hpp"
#include "inner/inner_report.hpp"

using namespace sbx;

namespace {

struct Ended {
    int status = -1;     // exit status, or 300 + signal
    std::string report;  // what the child wrote on report_fd
};

// Fork, run() the prepared stage in the child, wait, collect the report.
Ended run_direct(InnerSpec spec, const std::vector<std::string>& env) {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    spec.report_fd = p[1];
    auto d = DirectExec::prepare(spec, env);
    REQUIRE(d.ok());
    pid_t pid = ::fork();
    if (pid == 0) d->run();
    ::close(p[1]);
    Ended e;
    char buf[256];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) e.report.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    e.status = WIFSIGNALED(st) ? 300 + WTERMSIG(st) : WEXITSTATUS(st);
    return e;
}

InnerSpec spec_for(std::vector<std::string> argv) {
    InnerSpec s;
    s.seccomp = SeccompProfile::no_network;
    s.argv = std::move(argv);
    return s;
}

const std::vector<std::string> kEnv = {"PATH=/usr/bin:/bin", "PWD=/somewhere/else"};

}  // namespace

TEST_CASE("command_candidates: PATH order, empty entries mean '.', a slash means no search") {
    CHECK(command_candidates("ls", "/a:/b") == std::vector<std::string>{"/a/ls", "/b/ls"});
    CHECK(command_candidates("ls", "/a::/b") == std::vector<std::string>{"/a/ls", "./ls", "/b/ls"});
    CHECK(command_candidates("ls", "") == std::vector<std::string>{"./ls"});
    CHECK(command_candidates("ls", nullptr) == std::vector<std::string>{"/bin/ls", "/usr/bin/ls"});
    CHECK(command_candidates("./x", "/a") == std::vector<std::string>{"./x"});
    CHECK(command_candidates("/usr/bin/ls", "/a") == std::vector<std::string>{"/usr/bin/ls"});
}

TEST_CASE("DirectExec: the command runs with its own status, environment and directory",
          "[kernel]") {
    auto s = spec_for({"sh", "-c", "test \"$PWD\" = /tmp && test \"$(pwd -P)\" = /tmp && exit 7"});
    s.chdir = "/tmp";
    auto e = run_direct(s, kEnv);
    CHECK(e.status == 7);
    // Only "the command may start now": the parent sees the wait status itself.
    CHECK(e.report == kStartedRecord);
}

TEST_CASE("DirectExec: the filter, no_new_privs and a new session are in force", "[kernel]") {
    auto e = run_direct(spec_for({"sh", "-c",
                                  "grep -q '^NoNewPrivs:[[:space:]]*1$' /proc/self/status && "
                                  "grep -q '^Seccomp:[[:space:]]*2$' /proc/self/status && "
                                  "test \"$(cut -d' ' -f6 /proc/$$/stat)\" = $$"}),
                        kEnv);
    CHECK(e.status == 0);
}

TEST_CASE("DirectExec: exec failures are reported as sbxrun-inner reports them", "[kernel]") {
    struct Case {
        const char* command;
        int status, err;
    };
    for (const Case& c :
         {Case{"sbxrun-no-such-command", 127, ENOENT}, Case{"/etc/passwd", 126, EACCES}}) {
        INFO(c.command);
        auto e = run_direct(spec_for({c.command}), kEnv);
        CHECK(e.status == c.status);
        auto stream = split_started(e.report);
        CHECK(stream.started);  // said before exec was tried
        auto r = parse_inner_report(stream.rest);
        REQUIRE(r.ok());
        CHECK(r->kind == InnerReport::Kind::exec_failed);
        CHECK(r->value == c.err);
    }
    // The PATH searched is the command's (from env), not the caller's.
    auto no_path = run_direct(spec_for({"true"}), {"PATH=/nonexistent"});
    CHECK(no_path.status == 127);
}

TEST_CASE("DirectExec: a failure before exec is an F record and status 121", "[kernel]") {
    auto s = spec_for({"true"});
    s.chdir = "/nonexistent-sbxrun-dir";
    auto e = run_direct(s, kEnv);
    CHECK(e.status == kInnerSetupFailed);
    CHECK_FALSE(split_started(e.report).started);  // a failure before exec may fall back
    auto r = parse_inner_report(e.report);
    REQUIRE(r.ok());
    CHECK(r->kind == InnerReport::Kind::setup_failed);
    CHECK(r->message == "chdir /nonexistent-sbxrun-dir: No such file or directory");
}
