// The bwrap backend: probe bwrap, stand placeholders in for missing protected names, compile
// the argv, and run it with exactly the descriptors it names.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "app/backend_run.hpp"
#include "app/locate.hpp"
#include "backend/bwrap_compile.hpp"
#include "fs/path.hpp"
#include "fs/placeholder.hpp"
#include "inner/dns_refuser.hpp"
#include "inner/landlock_apply.hpp"
#include "inner/placeholder_bind.hpp"
#include "inner/proxy_listener.hpp"
#include "plan/refusal.hpp"
#include "run/allowlist_proxy.hpp"
#include "run/environment.hpp"
#include "util/timeline.hpp"

namespace sbx {
namespace {

InnerSpec inner_spec_for(const RunContext& ctx) {
    InnerSpec s;
    // The network namespace already isolates TCP/UDP and abstract sockets; the base filter is
    // defence in depth against what namespaces do not cover (ptrace, io_uring, TIOCSTI...).
    // Not every address family is per-namespace (AF_VSOCK reaches the hypervisor and other VMs
    // from any netns): with network "none" only the families the namespace isolates remain.
    s.seccomp =
        ctx.plan.network == NetworkMode::full ? SeccompProfile::base : SeccompProfile::netns;
    // The private network namespace does not cover a host service's socket *file*: it is
    // reached by path, through the shared filesystem (a read-only bind does not refuse
    // connect). network.unix_sockets = "block" refuses socket(AF_UNIX) instead.
    s.refuse_unix_sockets = effective_unix_sockets(ctx.policy.network).value == UnixSockets::block;
    s.new_session = ctx.policy.process.new_session;
    s.controlling_tty = ctx.tty.active();
    s.chdir = ctx.host.command_cwd;
    s.nofile_soft = ctx.host.nofile_soft;
    s.argv = ctx.inv.command;
    return s;
}

// An O_PATH fd of `name` in `dirfd`, which must be the same inode as `fd`.
Result<UniqueFd> reopen_same_inode(int dirfd, const std::string& name, int fd) {
    UniqueFd named(::openat(dirfd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!named) return os_error("cannot open placeholder " + name, errno);
    struct stat a{}, b{};
    if (::fstat(named.get(), &a) != 0 || ::fstat(fd, &b) != 0) {
        return os_error("cannot stat placeholder " + name, errno);
    }
    if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
        return Error(ErrorKind::os, "placeholder " + name + " was replaced while in use")
            .with_errno(EAGAIN);
    }
    return named;
}

// What sbxrun-inner's name-lookup answerer wrote (inner/dns_refuser.hpp): a name per line,
// "+1" for each name past the ones it writes whole. The pipe is read as it is: the answerer has
// ended with the sandbox, and what it wrote before answering is all there.
NetworkLookups read_lookups(int fd) {
    NetworkLookups out;
    std::string text;
    char buf[4096];
    ssize_t n;
    while (text.size() < (1u << 20) && ((n = ::read(fd, buf, sizeof buf)) > 0 || errno == EINTR))
        if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t nl = text.find('\n', at);
        if (nl == std::string::npos) break;  // a line cut short: the answerer was killed mid-way
        std::string line = text.substr(at, nl - at);
        at = nl + 1;
        if (line.empty()) continue;
        if (line == "+1") {
            ++out.dropped;
        } else if (auto name = decode_logged_name(line)) {
            out.names.push_back(std::move(*name));
        } else {
            ++out.dropped;  // not a name the answerer writes: counted, not shown
        }
    }
    return out;
}

// Whether sbxrun-inner can keep missing protected names with its entry broker instead of
// placeholders (inner/entry_broker.hpp): Landlock ABI 2 (REFER; ABI 1 refuses every rename
// across directories) and seccomp user notification. SBXRUN_ENTRY_BROKER=0 forces the
// placeholders (a test knob, HACKING.md).
bool entry_broker_available() {
    if (const char* knob = std::getenv("SBXRUN_ENTRY_BROKER"); knob && std::string(knob) == "0")
        return false;
    if (landlock_effective_abi() < 2) return false;
    std::uint32_t action = SECCOMP_RET_USER_NOTIF;
    return ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

// Whether sbxrun-inner may watch the denied paths for reads (inner/deny_watch.hpp): the host
// has a /dev/fuse for bwrap to bind (whether the sandbox may open it is found out inside).
// SBXRUN_DENY_WATCH=0 turns it off (a test knob, HACKING.md).
bool deny_watch_available() {
    if (const char* knob = std::getenv("SBXRUN_DENY_WATCH"); knob && std::string(knob) == "0")
        return false;
    struct stat st {};
    return ::stat("/dev/fuse", &st) == 0 && S_ISCHR(st.st_mode);
}

Error unavailable(std::string what, Error cause) {
    // Running out of descriptors or disk stays that (123, final), not "bwrap unavailable".
    Error e(cause.kind == ErrorKind::resource ? ErrorKind::resource : ErrorKind::no_backend,
            std::move(what) + ": " + cause.render());
    e.path = cause.path;
    return e;
}

// A memfd holding `data`, sealed against change and positioned at its start: bwrap reads it
// to EOF. A memfd and not a pipe: a pipe's buffer (64 KiB) would block the write.
Result<UniqueFd> sealed_memfd(const char* name, const std::string& data) {
    UniqueFd fd(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!fd) return os_error("cannot create a memfd for bwrap's arguments", errno);
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return os_error("cannot write bwrap's arguments", n < 0 ? errno : EIO);
        done += static_cast<std::size_t>(n);
    }
    if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
            0 ||
        ::lseek(fd.get(), 0, SEEK_SET) != 0) {
        return os_error("cannot seal bwrap's arguments", errno);
    }
    return fd;
}

// A bwrap that a command of this run could write: one of an earlier run could have put it
// there, and sbxrun runs bwrap on the host with all of the user's rights.
ExecutablePredicate planted_by_sandbox(const MountPlan& plan) {
    return [&plan](const std::string& real) { return sandbox_may_change(plan, real); };
}

}  // namespace

Preview preview_bwrap(const RunContext& ctx) {
    Preview p;
    auto info = probe_bwrap(ctx.policy.backend.bwrap, ctx.host.bwrap_search_path,
                            ctx.host.cache_dir, planted_by_sandbox(ctx.plan));
    if (!info.ok()) {
        p.why = std::move(info).error();
        return p;
    }
    BwrapInputs in;
    in.explain = true;
    in.inner = inner_spec_for(ctx);
    in.inner_binds_placeholders = mount_setattr_available();
    in.entry_broker = entry_broker_available();
    in.watch_denied_reads = deny_watch_available();
    auto cmd = compile_bwrap(bwrap_plan(ctx.plan), *info, in);
    if (!cmd.ok()) {
        p.why = std::move(cmd).error();
        return p;
    }
    p.available = true;
    p.argv = std::move(cmd->argv);
    p.notes = std::move(cmd->notes);
    if (ctx.plan.network != NetworkMode::full) {
        p.notes.push_back(
            "name lookups are answered \"no such name\" inside the sandbox (sbxrun-inner "
            "--dns-log, with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE until it drops them): they "
            "fail at once, and the names are reported after the run");
    }
    if (ctx.plan.network == NetworkMode::allowlist) {
        p.notes.push_back(std::string("network allowlist: sbxrun-inner listens on ") +
                          kHttpProxyUrl + " and " + kSocksProxyUrl +
                          " in the sandbox's own network namespace and hands the sockets to "
                          "sbxrun (--proxy-sock, a socketpair made for the run), whose proxy "
                          "accepts each connection on the host's side; the command's HTTP_PROXY, "
                          "HTTPS_PROXY, http_proxy, https_proxy and ALL_PROXY, all_proxy name "
                          "them, NO_PROXY and no_proxy are removed");
    }
    return p;
}

Attempt run_bwrap(const RunContext& ctx) {
    Attempt a;
    auto info = probe_bwrap(ctx.policy.backend.bwrap, ctx.host.bwrap_search_path,
                            ctx.host.cache_dir, planted_by_sandbox(ctx.plan));
    if (!info.ok()) {
        a.why = std::move(info).error();
        return a;
    }
    auto inner_exe = open_inner_exe(planted_by_sandbox(ctx.plan));
    if (!inner_exe.ok()) {
        a.why = std::move(inner_exe).error();
        return a;
    }
    timeline::mark("bwrap probed (cache), sbxrun-inner opened");

    // Placeholders live exactly as long as this function: they are released (and removed when
    // no other run holds them) when `placeholders` goes out of scope, after the sandbox ended.
    std::vector<Placeholder> placeholders;
    std::vector<UniqueFd> named_placeholders;
    BwrapPlan plan = bwrap_plan(ctx.plan);
    const bool broker = entry_broker_available();
    for (auto& m : plan.mounts) {
        const MountOp& op = *m.op;
        if (op.kind != OpKind::block_missing) continue;
        if (broker && broker_blocks(plan, m)) {
            // Nothing on the host: sbxrun-inner checks the directory and keeps the name.
            struct stat dst {};
            if (::fstat(ctx.plan.fds[static_cast<std::size_t>(op.fd)].get(), &dst) != 0) {
                a.why = os_error("cannot stat the directory of " + op.dest, errno);
                return a;
            }
            m.parent_id.emplace(dst.st_dev, dst.st_ino);
            continue;
        }
        std::string parent = path_parent(op.dest);
        std::string name = op.dest.substr(parent == "/" ? 1 : parent.size() + 1);
        auto ph = acquire_placeholder(ctx.plan.fds[static_cast<std::size_t>(op.fd)].get(), parent,
                                      name, op.is_dir);
        if (!ph.ok()) {
            a.why = unavailable("cannot block the missing protected path " + op.dest,
                                std::move(ph).error());
            return a;
        }
        // The placeholder's own fd may name an anonymous (O_TMPFILE) dentry, which cannot be
        // a bind source: bind the entry as it is now named, after checking it is the same inode.
        auto named = reopen_same_inode(ctx.plan.fds[static_cast<std::size_t>(op.fd)].get(), name,
                                       ph->fd());
        if (!named.ok()) {
            a.why = unavailable("cannot block the missing protected path " + op.dest,
                                std::move(named).error());
            return a;
        }
        struct stat pst{};
        if (::fstat(named->get(), &pst) != 0) {
            a.why = os_error("cannot stat placeholder " + op.dest, errno);
            return a;
        }
        m.placeholder_id.emplace(pst.st_dev, pst.st_ino);
        m.fd = named->get();
        named_placeholders.push_back(std::move(named).value());
        placeholders.push_back(std::move(ph).value());
    }
    // bwrap copies an --ro-bind-data source to EOF: a pipe with its write end closed is an
    // empty file that costs no disk.
    std::vector<UniqueFd> empty_fds;
    for (auto& m : plan.mounts) {
        if (m.op->kind != OpKind::hide_file) continue;
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) {
            a.why = os_error("cannot create a pipe", errno);
            return a;
        }
        ::close(p[1]);
        empty_fds.emplace_back(p[0]);
        m.fd = p[0];
    }

    timeline::mark("placeholders made");
    auto channels = open_channels(true);
    if (!channels.ok()) {
        a.why = std::move(channels).error();
        return a;
    }
    // The command gets sbxrun's real stderr back; bwrap's own fd 2 is a pipe we read, so its
    // failure messages can be relayed (and reported) rather than mixed into the command's.
    UniqueFd real_stderr(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));

    BwrapInputs in;
    in.inner_exe_fd = inner_exe->fd.get();
    in.status_fd = channels->bwrap_status_write.get();
    in.inner = inner_spec_for(ctx);
    in.inner_binds_placeholders = mount_setattr_available();
    in.entry_broker = broker;
    in.watch_denied_reads = deny_watch_available();
    in.inner.report_fd = channels->report_write.get();
    in.inner.trace_origin_ns = static_cast<std::uint64_t>(timeline::origin_ns());
    in.inner.stderr_fd = real_stderr.valid() ? real_stderr.get() : -1;
    // network.mode = "none" or "allowlist" (where names are resolved by the proxy, never
    // inside): sbxrun-inner answers the command's name lookups at once and writes each name
    // here (inner/dns_refuser.hpp), read once the sandbox has ended.
    UniqueFd lookups_read, lookups_write;
    if (ctx.plan.network != NetworkMode::full) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
            a.why = os_error("cannot create a pipe", errno);
            return a;
        }
        lookups_read.reset(p[0]);
        lookups_write.reset(p[1]);
        in.inner.dns_log_fd = lookups_write.get();
    }
    // network.mode = "allowlist": the proxy, ready before bwrap starts; it serves the listener
    // sbxrun-inner sends once the supervision loop runs (run/allowlist_proxy.hpp says why a
    // lookup's thread cannot meet a fork here).
    auto made = allowlist_proxy_for(ctx, AllowlistProxy::Listen::from_sandbox);
    if (!made.ok()) {
        a.why = std::move(made).error();
        return a;
    }
    std::unique_ptr<AllowlistProxy> proxy = std::move(made).value();
    if (proxy) in.inner.proxy_sock = proxy->sandbox_end();
    // --tty: the pty instead, when fd 2 was a terminal (never the caller's terminal itself).
    if (ctx.tty.active() && (ctx.tty.std_fds & 4u) != 0) in.inner.stderr_fd = ctx.tty.slave;

    if (ctx.tty.active()) {
        char name[64];
        if (::ptsname_r(ctx.tty.master, name, sizeof name) != 0) {
            a.why = os_error("cannot name the pseudo-terminal (ptsname)", errno);
            return a;
        }
        in.console = name;
    }
    auto cmd = compile_bwrap(plan, *info, in);
    if (!cmd.ok()) {
        a.why = std::move(cmd).error();
        return a;
    }
    timeline::mark("bwrap command compiled");

    Launch launch;
    launch.program = info->path;
    launch.env = command_environment(ctx);
    if (proxy) {
        launch.env = with_proxy_environment(std::move(launch.env), kHttpProxyUrl, kSocksProxyUrl);
        launch.io = &proxy->io();
    }
    launch.pass_fds = std::move(cmd->pass_fds);
    // bwrap's options through `--args FD` when it has it: a plan of 10,000 rules is some
    // 40,000 arguments, which execve() would refuse (E2BIG) on the command line.
    UniqueFd args_fd;
    if (info->args_fd) {
        auto fd = sealed_memfd("sbxrun-bwrap-args", args_fd_data(*cmd));
        if (!fd.ok()) {
            a.why = std::move(fd).error();
            return a;
        }
        args_fd = std::move(fd).value();
        launch.argv = argv_with_args_fd(*cmd, args_fd.get());
        launch.pass_fds.push_back(args_fd.get());
    } else {
        launch.argv = std::move(cmd->argv);
    }
    launch.stderr_fd = channels->stderr_write.get();
    launch.bwrap = true;
    launch.own_process_group = ctx.policy.process.new_session;
    // bwrap's stdin and stdout (its stderr is the pipe above): inherited through sbxrun-inner
    // by the command, which makes the pty its controlling terminal. The host's pty, not one of
    // the sandbox's own devpts: /dev/tty (bound from the host) opens it, `tty` names it.
    launch.tty = ctx.tty;
    launch.tty.std_fds &= 3u;
    a = supervise(ctx, launch, *channels, "bwrap", cmd->approximated);
    if (a.ran) a.approximated = std::move(cmd->approximated);
    if (a.ran && lookups_read) a.lookups = read_lookups(lookups_read.get());
    if (proxy) {
        // Also when the command never started: the io_context and Asio's resolver thread end
        // here, before the next backend (which forks) is tried.
        ProxyReport report = proxy->finish();
        proxy.reset();
        if (a.ran) a.proxy = std::move(report);
    }
    return a;
}

}  // namespace sbx
