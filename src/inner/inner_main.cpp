// sbxrun-inner: the last stage, inside the sandbox. See inner/inner_spec.hpp for the contract
// and inner/inner_report.hpp for the record it leaves on report_fd.
//
// Order: parse args -> pin symlinks -> devpts -> /proc/sys read-only -> drop every capability
// (bounding, ambient, effective/permitted/inheritable) -> no_new_privs -> setsid -> Landlock ->
// seccomp -> chdir -> give the command the caller's stderr -> close stray fds -> run the command as
// a child, report how it ended. Any failure before exec: "sbxrun-inner: <what>: <strerror>" on
// stderr, an "F <message>" record on report_fd, exit kInnerSetupFailed.
//
// The bwrap argument set this stage needs (verified with bwrap 0.8.0 on kernel 6.18, as root
// and as an unprivileged user):
//
//   bwrap --unshare-user --unshare-all (or the wanted subset) --die-with-parent
//         --cap-drop ALL --cap-add CAP_SYS_ADMIN --cap-add CAP_SETPCAP
//         --ro-bind / / ... (the plan's mounts)
//         --tmpfs /dev --dev-bind /dev/null /dev/null --dev-bind /dev/zero /dev/zero
//         --dev-bind /dev/full /dev/full --dev-bind /dev/random /dev/random
//         --dev-bind /dev/urandom /dev/urandom --dev-bind /dev/tty /dev/tty (as wanted)
//         --dir /dev/pts --symlink pts/ptmx /dev/ptmx --proc /proc
//         --json-status-fd S  [--chdir is left to us]
//         /proc/self/fd/N --devpts --pin ... --report-fd R --stderr-fd E -- CMD...
//
// - NOT --dev: it makes bwrap map uid 0 and switch into a second user namespace that no longer
//   owns the mount namespace, so pinning fails with EPERM. /dev is a tmpfs with device binds and
//   this stage mounts a fresh devpts (bwrap's --symlink provides /dev/ptmx -> pts/ptmx).
// - --unshare-user is explicit so that root gets a user namespace too (uid inside = caller's
//   uid: 0 for root, e.g. 1001 for an unprivileged caller).
// - --cap-drop ALL first: as root bwrap otherwise keeps every capability. CAP_SYS_ADMIN is for
//   open_tree/move_mount and the devpts mount; CAP_SETPCAP is for PR_CAPBSET_DROP, without it an
//   unprivileged caller's bounding set would keep CAP_SYS_ADMIN. Both are dropped here.
// - N is an inherited O_RDONLY descriptor of the sbxrun-inner binary (static, so it needs no
//   libraries from the sandbox's view); bwrap execs /proc/self/fd/N through the sandbox's /proc.
// - bwrap's --new-session is not needed: this stage calls setsid() itself.
// Inside the command: CapInh/CapPrm/CapEff/CapBnd/CapAmb all 0, NoNewPrivs 1, `umount` fails,
// pinned links give EBUSY for rm/mv/ln -sfn, ptys work (script -qc true /dev/null).
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "inner/caps.hpp"
#include "inner/command_parent.hpp"
#include "inner/deny_watch.hpp"
#include "inner/dev_nodes.hpp"
#include "inner/devpts.hpp"
#include "inner/dns_refuser.hpp"
#include "inner/entry_broker.hpp"
#include "inner/fds.hpp"
#include "inner/inner_report.hpp"
#include "inner/inner_spec.hpp"
#include "inner/landlock_apply.hpp"
#include "inner/mount_table.hpp"
#include "inner/pin.hpp"
#include "inner/placeholder_bind.hpp"
#include "inner/proc_sys.hpp"
#include "inner/proxy_listener.hpp"
#include "inner/seccomp_filter.hpp"
#include "inner/verify_mounts.hpp"
#include "inner/write_layer.hpp"
#include "util/timeline.hpp"
#include "util/unique_fd.hpp"

namespace {

int fail(int report_fd, const sbx::Error& e) {
    std::string line = "sbxrun-inner: " + e.render();
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    if (report_fd >= 0) {
        char buf[sbx::kInnerReportMax];
        std::size_t len = sbx::format_inner_failure(buf, line);
        ssize_t n;
        do {
            n = ::write(report_fd, buf, len);
        } while (n < 0 && errno == EINTR);
    }
    return sbx::kInnerSetupFailed;
}

// --tty under bwrap: the command's pty is the host's, which has no name in the sandbox's own
// devpts, so ttyname() (tty, ssh, Python's os.ttyname) would fail. bwrap binds it onto
// /dev/console; the descriptors that are it (0, 1 and the stderr to give) are reopened there.
sbx::Status name_the_terminal(int stderr_fd) {
    struct stat want {};
    if (::fstat(STDIN_FILENO, &want) != 0) return sbx::os_error("fstat the terminal", errno);
    sbx::UniqueFd console(::open("/dev/console", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
    if (!console) return sbx::os_error("open the terminal as /dev/console", errno, "/dev/console");
    struct stat got {};
    if (::fstat(console.get(), &got) != 0 || !S_ISCHR(got.st_mode) || got.st_rdev != want.st_rdev)
        return sbx::Error(sbx::ErrorKind::os, "/dev/console is not the command's terminal")
            .with_path("/dev/console");
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, stderr_fd}) {
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != want.st_rdev)
            continue;
        if (::dup3(console.get(), fd, 0) < 0)
            return sbx::os_error("reopen the terminal as /dev/console", errno);
    }
    return {};
}

bool user_notification_available() {
    std::uint32_t action = SECCOMP_RET_USER_NOTIF;
    return ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

sbx::Status setup(const sbx::InnerSpec& spec, std::optional<sbx::PreparedBroker>& broker,
                  sbx::UniqueFd& write_layer) {
    using sbx::timeline::mark;
    for (const auto& v : spec.verify) SBX_TRY(sbx::verify_mount(v));
    mark("mounts verified");
    for (const auto& p : spec.placeholders) SBX_TRY(sbx::bind_placeholder_read_only(p));
    for (const auto& p : spec.pins) SBX_TRY(sbx::pin_symlink(p));
    mark("placeholders bound, links pinned");
    // Now, before anything else here looks at a denied path (a lookup there waits for the
    // watcher's answer). Not watched (no /dev/fuse to open): their reads are refused unseen.
    if (!spec.deny_watch.empty()) {
        const bool watched = sbx::start_deny_watch(spec.deny_watch).ok();
        mark(watched ? "denied paths watched" : "denied paths not watched (no /dev/fuse)");
    }
    if (spec.mount_devpts) SBX_TRY(sbx::mount_private_devpts());
    if (spec.mount_devpts && spec.controlling_tty) SBX_TRY(name_the_terminal(spec.stderr_fd));
    // mount_devpts means "inside bwrap's mount namespace", where /proc is ours to remount.
    if (spec.mount_devpts) SBX_TRY(sbx::make_proc_sys_readonly());
    if (spec.mount_devpts) SBX_TRY(sbx::make_dev_nodes_readonly());
    if (spec.mount_devpts)
        SBX_TRY(sbx::reopen_dev_nodes({STDIN_FILENO, STDOUT_FILENO, spec.stderr_fd}));
    mark("devpts mounted, /proc/sys and /dev's nodes read-only");
    // While CAP_NET_ADMIN and CAP_NET_BIND_SERVICE are still held (the answerer starts below,
    // under the seccomp filter and without them).
    sbx::DnsRefuser dns;
    if (spec.dns_log_fd >= 0) dns = sbx::open_dns_refuser();
    // network.mode = "allowlist": the sandbox's only way out, made before the command exists.
    if (spec.proxy_sock >= 0) SBX_TRY(sbx::hand_over_proxy_listener(spec.proxy_sock));
    SBX_TRY(sbx::drop_all_capabilities());
    mark("capabilities dropped");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return sbx::os_error("set no_new_privs", errno);
    // EPERM: already a process group leader, e.g. bwrap --new-session did it for us.
    if (spec.new_session && ::setsid() < 0 && !(errno == EPERM && ::getsid(0) == ::getpid()))
        return sbx::os_error("setsid", errno);
    if (spec.landlock) SBX_TRY(sbx::apply_landlock(spec.landlock_spec));
    mark("session, Landlock");
    // The entry broker (inner/entry_broker.hpp): P listed and the child's ruleset built here, in
    // the sandbox's view and without capabilities; entered by the command's child only.
    // Under bwrap the mounts are final now: read once, for the broker's rules and the write
    // layer's.
    std::optional<std::vector<sbx::MountPoint>> mounts;
    if (spec.mount_devpts) {
        mounts = sbx::read_mount_table();
        if (!mounts) return sbx::Error(sbx::ErrorKind::os, "cannot read /proc/self/mountinfo");
    }
    // Under bwrap always, blocked names or not: the broker also performs the command's metadata
    // calls, which a descriptor the caller handed over would otherwise carry to the host's file.
    // (A kernel without seccomp user notification, before 5.0, keeps that gap: SECURITY.md.)
    if (!spec.entry_blocks.empty() || (spec.mount_devpts && user_notification_available())) {
        // Network "none" or "allowlist" under bwrap: a namespace whose only way out is
        // loopback, where the broker notes connections to elsewhere (inner/net_observe.hpp).
        const bool observe_network = spec.seccomp == sbx::SeccompProfile::netns;
        auto b = sbx::prepare_entry_broker(spec.entry_blocks, mounts, observe_network);
        if (!b) return std::move(b).error();
        broker.emplace(std::move(b).value());
    }
    if (broker) mark("entry broker prepared");
    // Under bwrap: no FIFO or device of a read-only place opens for writing
    // (inner/write_layer.hpp). Without Landlock the gap stays (--explain says so).
    if (spec.mount_devpts && sbx::landlock_effective_abi() >= 1) {
        auto layer =
            sbx::prepare_write_layer(*mounts, {STDIN_FILENO, STDOUT_FILENO, spec.stderr_fd});
        if (!layer) return std::move(layer).error();
        write_layer = std::move(layer).value();
        mark("write layer prepared");
    }
    SBX_TRY(sbx::install_seccomp(spec.seccomp, spec.refuse_unix_sockets, broker.has_value()));
    mark("seccomp built and loaded");
    SBX_TRY(sbx::start_dns_refuser(std::move(dns), spec.dns_log_fd));
    if (!spec.chdir.empty() && ::chdir(spec.chdir.c_str()) != 0)
        return sbx::os_error("chdir " + spec.chdir, errno, spec.chdir);
    // bwrap sets PWD to where it started us; the command must see the directory by the path
    // it was given (a workspace reached through a symlink), as a shell's cd would say it.
    if (!spec.chdir.empty() && ::setenv("PWD", spec.chdir.c_str(), 1) != 0)
        return sbx::os_error("setenv PWD", errno);
    if (spec.stderr_fd >= 0 && spec.stderr_fd != STDERR_FILENO &&
        ::dup2(spec.stderr_fd, STDERR_FILENO) < 0)
        return sbx::os_error("give the command its stderr (dup2)", errno);
    SBX_TRY(sbx::restore_nofile(spec.nofile_soft));
    std::vector<int> keep = spec.keep_fds;
    keep.push_back(spec.report_fd);
    if (write_layer) keep.push_back(write_layer.get());
    if (broker) {
        keep.push_back(broker->ruleset.get());
        keep.push_back(broker->parent_sock.get());
        keep.push_back(broker->child_sock.get());
    }
    SBX_TRY(sbx::close_fds_except(std::move(keep)));
    sbx::keep_deny_watch_going();
    mark("setup done");
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    // Not dumpable, before anything else: the command runs as our child with our uid, and a
    // dumpable parent's /proc/PID/fd would let it reopen the report pipe and speak for us.
    // (exec makes the command itself dumpable again; this covers only this stage.)
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return fail(-1, sbx::os_error("make sbxrun-inner non-dumpable", errno));
    sbx::end_on_early_signals();
    std::vector<std::string> args(argv + 1, argv + argc);
    auto spec = sbx::parse_inner_args(args);
    if (!spec) return fail(-1, spec.error());
    if (spec->trace_origin_ns != 0) {
        sbx::timeline::start_at("sbxrun-inner", static_cast<std::int64_t>(spec->trace_origin_ns));
        sbx::timeline::mark("arguments parsed");
    }
    const int report_fd = spec->report_fd;
    // The command must not inherit the report channel.
    if (report_fd >= 0 && ::fcntl(report_fd, F_SETFD, FD_CLOEXEC) != 0)
        return fail(-1, sbx::os_error("report fd " + std::to_string(report_fd), errno));

    std::optional<sbx::PreparedBroker> broker;
    sbx::UniqueFd write_layer;
    if (auto st = setup(*spec, broker, write_layer); !st) return fail(report_fd, st.error());
    auto code = sbx::run_command_and_report(*spec, broker ? &*broker : nullptr, write_layer.get());
    if (!code) return fail(report_fd, code.error());
    return *code;
}
