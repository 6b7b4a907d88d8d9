#include "inner/direct_exec.hpp"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "inner/caps.hpp"
#include "inner/command_parent.hpp"
#include "inner/fds.hpp"
#include "inner/inner_report.hpp"
#include "inner/metadata_filter.hpp"
#include "util/timeline.hpp"

namespace sbx {
namespace {

void write_record(int fd, const char* buf, std::size_t len) noexcept {
    if (fd < 0) return;
    ssize_t n;
    do {
        n = ::write(fd, buf, len);
    } while (n < 0 && errno == EINTR);
}

// What sbxrun-inner's fail() says, as an "F" record: "<what>[ <detail>]: <strerror>". sbxrun
// prints it once, as the reason the backend could not start the command.
[[noreturn]] void fail(int report_fd, std::string_view what, int err,
                       std::string_view detail = {}) noexcept {
    char line[kInnerReportMax];
    std::size_t len = 0;
    auto append = [&](std::string_view s) {
        for (char c : s)
            if (len + 1 < sizeof line) line[len++] = c;
    };
    append(what);
    if (!detail.empty()) {
        append(" ");
        append(detail);
    }
    append(": ");
    const char* desc = ::strerrordesc_np(err);
    append(desc != nullptr ? desc : "unknown error");
    char buf[kInnerReportMax];
    write_record(report_fd, buf, format_inner_failure(buf, std::string_view(line, len)));
    ::_exit(kInnerSetupFailed);
}

// The value of `name` in a "NAME=value" list; nullopt when it is not set at all.
std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view name) {
    for (const auto& e : env) {
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
            return e.substr(name.size() + 1);
    }
    return std::nullopt;
}

}  // namespace

Result<DirectExec> DirectExec::prepare(const InnerSpec& spec, const std::vector<std::string>& env) {
    if (spec.argv.empty()) return Error(ErrorKind::usage, "no command");
    DirectExec d;
    if (spec.landlock) {
        auto prepared = prepare_landlock(spec.landlock_spec);
        if (!prepared) return std::move(prepared).error();
        d.landlock_ = true;
        d.landlock_prepared_ = std::move(prepared).value();
    }
    // No namespaces here: the host's System V IPC objects are the command's too.
    auto filter = build_seccomp(spec.seccomp, spec.refuse_unix_sockets, /*host_ipc=*/true);
    if (!filter) return std::move(filter).error();
    d.filter_ = std::move(filter).value();
    d.new_session_ = spec.new_session;
    d.ctty_ = spec.controlling_tty;
    d.report_fd_ = spec.report_fd;
    d.chdir_ = spec.chdir;
    d.nofile_soft_ = spec.nofile_soft;

    // The command sees PWD as the path it was started in (a workspace reached through a
    // symlink), as a shell's cd would say it; sbxrun-inner sets the same after its chdir.
    d.env_storage_.reserve(env.size() + 1);
    for (const auto& e : env)
        if (d.chdir_.empty() || e.rfind("PWD=", 0) != 0) d.env_storage_.push_back(e);
    if (!d.chdir_.empty()) d.env_storage_.push_back("PWD=" + d.chdir_);
    d.argv_storage_ = spec.argv;
    // The pointers point into the strings' own buffers, which stay put when the vectors (and
    // so this object) are moved; nothing is appended to the storage after this.
    for (auto& a : d.argv_storage_) d.argv_.push_back(a.data());
    d.argv_.push_back(nullptr);
    for (auto& e : d.env_storage_) d.envp_.push_back(e.data());
    d.envp_.push_back(nullptr);
    const auto path = env_value(d.env_storage_, "PATH");
    d.candidates_ = command_candidates(spec.argv.front(), path ? path->c_str() : nullptr);
    d.description_ = to_args(spec);
    return d;
}

Status DirectExec::mediate_metadata(int sock, NetworkMediation network) {
    auto prog = build_metadata_filter(network);
    if (!prog) return std::move(prog).error();
    metadata_filter_ = std::move(prog).value();
    metadata_sock_ = sock;
    return {};
}

std::vector<int> DirectExec::fds() const {
    std::vector<int> out;
    if (metadata_sock_ >= 0) out.push_back(metadata_sock_);
    if (landlock_prepared_.ruleset) out.push_back(landlock_prepared_.ruleset.get());
    if (report_fd_ >= 0) out.push_back(report_fd_);
    return out;
}

void DirectExec::run() const noexcept {
    // A child on sbxrun's memory (run/vfork_exec.hpp): nothing below allocates or changes a
    // global but the error paths (the capability drop's message, fail()).
    if (Status st = drop_all_capabilities(); !st) {
        const Error& e = st.error();
        fail(report_fd_, e.message, e.sys_errno != 0 ? e.sys_errno : EPERM);
    }
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(report_fd_, "set no_new_privs", errno);
    // EPERM: already a process group leader.
    if ((new_session_ || ctty_) && ::setsid() < 0 && !(errno == EPERM && ::getsid(0) == ::getpid()))
        fail(report_fd_, "setsid", errno);
    // --tty: fd 0 is the command's own pty, and the command, leading the new session, gets it
    // as its controlling terminal (its process group is then the pty's foreground job).
    if (ctty_ && ::ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0)
        fail(report_fd_, "cannot make the pty the command's controlling terminal", errno);
    timeline::line_now(STDERR_FILENO, "sbxrun child", "capabilities dropped, session");
    if (landlock_) {
        if (int err = enforce_landlock(landlock_prepared_); err != 0)
            fail(report_fd_, "cannot enforce the Landlock ruleset", err);
    }
    timeline::line_now(STDERR_FILENO, "sbxrun child", "Landlock enforced");
    if (int err = load_seccomp(filter_); err != 0)
        fail(report_fd_, "cannot load the seccomp filter", err);
    // Last, so that nothing below it is mediated; the command must never hold the listener
    // (it could answer its own calls), so it is closed once sbxrun has its copy.
    if (metadata_sock_ >= 0) {
        const int listener = load_metadata_filter(metadata_filter_);
        if (listener < 0) fail(report_fd_, "cannot load the metadata seccomp filter", -listener);
        if (int err = send_fd(metadata_sock_, listener); err != 0)
            fail(report_fd_, "cannot hand the metadata listener to sbxrun", err);
        ::close(listener);
        ::close(metadata_sock_);
    }
    timeline::line_now(STDERR_FILENO, "sbxrun child", "seccomp filters loaded");
    if (!chdir_.empty() && ::chdir(chdir_.c_str()) != 0) fail(report_fd_, "chdir", errno, chdir_);
    if (int err = restore_nofile_errno(nofile_soft_); err != 0)
        fail(report_fd_, "cannot restore the soft RLIMIT_NOFILE", err);
    // The last moment before the command may exist (inner/inner_report.hpp).
    write_record(report_fd_, kStartedRecord.data(), kStartedRecord.size());
    timeline::line_now(STDERR_FILENO, "sbxrun child", "exec the command");
    int err = exec_command(const_cast<char* const*>(argv_.data()),
                           const_cast<char* const*>(envp_.data()), candidates_);
    char buf[kInnerReportMax];
    write_record(report_fd_, buf, format_inner_report(buf, 'E', err));
    ::_exit(exec_failure_status(err));
}

}  // namespace sbx
