// The Landlock backend: no namespaces, so the plan is compiled into a Landlock ruleset (with
// what Landlock cannot express approximated, escalated or weakened, as the policy says), which
// sbxrun's own forked child enforces together with seccomp before it execs the command
// (inner/direct_exec.hpp: no sbxrun-inner here, and sbxrun is the command's parent).
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "app/backend_run.hpp"
#include "backend/landlock_compile.hpp"
#include "fs/path.hpp"
#include "inner/direct_exec.hpp"
#include "inner/landlock_apply.hpp"
#include "run/allowlist_proxy.hpp"
#include "run/environment.hpp"
#include "run/metadata_guard.hpp"
#include "util/timeline.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

struct Prepared {
    LandlockCompiled compiled;
    InnerSpec inner;
};

Result<Prepared> prepare(const RunContext& ctx) {
    int abi = landlock_effective_abi();
    if (abi < 1) {
        return Error(ErrorKind::unsupported,
                     "Landlock is not available on this kernel (it needs Linux 5.13 or newer "
                     "with 'landlock' in the lsm= boot parameter)");
    }
    // The terminals the command may reopen by name: its own pty under --tty, else those of
    // sbxrun's fds 0-2 (which it inherits).
    RealDirLister lister(
        ctx.tty.active() ? std::vector<int>{ctx.tty.slave} : std::vector<int>{0, 1, 2},
        ctx.tty.active() ? std::vector<int>{} : std::vector<int>{0, 1, 2});
    auto compiled =
        compile_landlock(ctx.plan, abi, ctx.policy.backend.on_unenforceable.value, lister);
    if (!compiled.ok()) return std::move(compiled).error();
    Prepared p{std::move(compiled).value(), {}};
    // Metadata calls are mediated (run/metadata_notify.hpp); chattr's are not worth it and are
    // refused everywhere: permission given up, so it is an approximation in every mode.
    p.compiled.approximated.push_back(
        "file attributes (chattr: FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, file_setattr) cannot be "
        "changed, in the writable roots either");
    p.inner.landlock = true;
    p.inner.landlock_spec = p.compiled.spec;
    // Without a network namespace the seccomp filter is what keeps the network off; Landlock's
    // TCP rules (ABI 4+) and scopes (ABI 6+) are further layers inside the spec.
    // With the allowlist only TCP sockets are let through, for Landlock to confine to the proxy.
    // With none, sbxrun's own filter takes socket(AF_INET/AF_INET6) to note the command's wish
    // for the network before refusing it (no_network_observed; inner/metadata_filter.hpp).
    p.inner.seccomp = ctx.plan.network == NetworkMode::full ? SeccompProfile::base
                      : ctx.plan.network == NetworkMode::allowlist
                          ? SeccompProfile::tcp_only
                          : SeccompProfile::no_network_observed;
    // Landlock (ABI <= 7) has no right for connect(2) on a pathname socket: refusing
    // socket(AF_UNIX) is the only way to keep host services' socket files out of reach.
    p.inner.refuse_unix_sockets =
        effective_unix_sockets(ctx.policy.network).value == UnixSockets::block;
    p.inner.new_session = ctx.policy.process.new_session;
    p.inner.controlling_tty = ctx.tty.active();
    p.inner.chdir = ctx.host.command_cwd;
    p.inner.nofile_soft = ctx.host.nofile_soft;
    p.inner.argv = ctx.inv.command;
    return p;
}

}  // namespace

Preview preview_landlock(const RunContext& ctx) {
    Preview pv;
    auto p = prepare(ctx);
    if (!p.ok()) {
        pv.why = std::move(p).error();
        return pv;
    }
    pv.available = true;
    // What runs is the command itself; what its parent applies first is shown in
    // sbxrun-inner's argument syntax, the one form in which the whole spec can be read.
    pv.argv = ctx.inv.command;
    std::string applied = "applied before exec:";
    for (const auto& a : to_args(p->inner)) applied += " " + a;
    pv.notes.push_back(std::move(applied));
    if (ctx.plan.network == NetworkMode::allowlist) {
        pv.notes.push_back(
            "network allowlist: sbxrun's proxy listens on a port of the host's 127.0.0.1 chosen "
            "when the run starts; the Landlock ruleset lets connect(2) reach that port only "
            "(--landlock-connect PORT), and the command's HTTP_PROXY, HTTPS_PROXY, http_proxy "
            "and https_proxy name it, ALL_PROXY and all_proxy name it as socks5h:// (the "
            "proxy speaks both), NO_PROXY and no_proxy are removed");
    }
    for (const auto& line : p->compiled.approximated) pv.notes.push_back("approximated: " + line);
    for (const auto& line : p->compiled.weakened) pv.notes.push_back("weakened: " + line);
    return pv;
}

Attempt run_landlock(const RunContext& ctx) {
    Attempt a;
    auto p = prepare(ctx);
    if (!p.ok()) {
        a.why = std::move(p).error();
        return a;
    }
    timeline::mark("Landlock ruleset and seccomp compiled");
    auto channels = open_channels(false);
    if (!channels.ok()) {
        a.why = std::move(channels).error();
        return a;
    }
    p->inner.report_fd = channels->report_write.get();
    std::vector<std::string> env = command_environment(ctx);
    // network.mode = "allowlist": the proxy listens on the host's loopback before the child is
    // forked, and its port is the one TCP port the child's ruleset lets connect(2) reach. Its
    // resolver thread can start only once the loop runs, after that fork (the same argument
    // as for bwrap, run/allowlist_proxy.hpp); nothing is forked while the command runs.
    auto made = allowlist_proxy_for(ctx, AllowlistProxy::Listen::host_loopback);
    if (!made.ok()) {
        a.why = std::move(made).error();
        return a;
    }
    std::unique_ptr<AllowlistProxy> proxy = std::move(made).value();
    if (proxy) {
        p->inner.landlock_spec.connect_ports = {proxy->port()};
        env = with_proxy_environment(std::move(env), proxy->url(), proxy->socks_url());
    }
    auto direct = DirectExec::prepare(p->inner, env);
    if (!direct.ok()) {
        a.why = std::move(direct).error();
        return a;
    }

    // Metadata calls (chmod, chown, utimes, xattrs) have no Landlock right, and the entry
    // changes at the top of a root with protected entries none that Landlock can give: sbxrun
    // answers them itself, with the compiled rules as the guard (run/metadata_notify.hpp,
    // run/entry_notify.hpp).
    auto guard = MetadataGuard::from_spec(p->compiled.spec, p->compiled.restricted);
    if (!guard.ok()) {
        a.why = std::move(guard).error();
        return a;
    }
    timeline::mark("prepared for fork");
    std::vector<FileId> roots;
    for (const auto& op : ctx.plan.ops)
        if (op.kind == OpKind::bind_rw)
            roots.push_back(
                {static_cast<std::uint64_t>(op.dev), static_cast<std::uint64_t>(op.ino)});
    guard->keep_roots_as_they_are(std::move(roots));
    std::vector<FileId> handed;
    for (const int fd : p->compiled.handed_over)
        if (struct stat st{}; ::fstat(fd, &st) == 0) handed.push_back(id_of(st));
    // The pinned links' own metadata too: Landlock has no rule for a link, and one below the
    // top of a root had the directory's write rights (fortieth review: utimensat on it). The
    // command has not started: what lstat finds is what the plan pinned.
    for (const Pin& pin : ctx.plan.pins)
        if (struct stat st{}; ::lstat(pin.link.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
            handed.push_back(id_of(st));
    guard->keep_as_they_are(std::move(handed));
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        a.why = os_error("socketpair for the metadata listener", errno);
        return a;
    }
    UniqueFd sock_parent(sv[0]), sock_child(sv[1]);
    // network.mode = "allowlist": sbxrun makes the command's connections, to the proxy only
    // (Landlock's TCP rules match the port on any address).
    ConnectGuard connect_guard;
    if (proxy) {
        connect_guard.proxy_port = proxy->port();
        connect_guard.unix_refused = p->inner.refuse_unix_sockets;
    }
    NetworkMediation mediation;
    mediation.guard_connect = proxy != nullptr;
    mediation.observe_sockets = p->inner.seccomp == SeccompProfile::no_network_observed;
    if (Status st = direct->mediate_metadata(sock_child.get(), mediation); !st) {
        a.why = std::move(st).error();
        return a;
    }

    Launch launch;
    launch.program = ctx.inv.command.front();  // names the launch; exec_in_child does the exec
    launch.argv = ctx.inv.command;
    launch.env = env;
    launch.exec_in_child = [&d = *direct] { d.run(); };
    launch.child_fds = direct->fds();
    launch.end_orphans = true;
    launch.tty = ctx.tty;
    launch.metadata_sock = sock_parent.get();
    launch.metadata_guard = &*guard;
    launch.connect_guard = proxy ? &connect_guard : nullptr;
    DenialLog denials;  // what the entry calls met (run/entry_notify.hpp), for the report
    launch.denial_log = &denials;
    launch.io = proxy ? &proxy->io() : nullptr;
    a = supervise(ctx, launch, *channels, "the Landlock sandbox", p->compiled.approximated,
                  p->compiled.weakened);
    if (proxy) {
        ProxyReport report = proxy->finish();
        proxy.reset();
        if (a.ran) a.proxy = std::move(report);
    }
    if (!a.ran) return a;
    a.approximated = std::move(p->compiled.approximated);
    a.weakened = std::move(p->compiled.weakened);
    return a;
}

}  // namespace sbx
