#include "backend/bwrap_compile.hpp"

#include "fs/path.hpp"

namespace sbx {
namespace {

class ArgvBuilder {
public:
    void add(std::initializer_list<std::string> args) {
        for (const auto& a : args) argv.push_back(a);
    }
    // An fd argument: remembered for inheritance; "<fd>" when --explain has none yet.
    std::string fd(int n) {
        if (n < 0) return "<fd>";
        pass_fds.push_back(n);
        return std::to_string(n);
    }

    std::vector<std::string> argv;
    std::vector<int> pass_fds;
};

// /dev without bwrap's --dev: see the header for why. The device nodes are the usual safe set.
void add_dev(ArgvBuilder& b) {
    b.add({"--tmpfs", "/dev"});
    for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
        std::string p = std::string("/dev/") + node;
        b.add({"--dev-bind", p, p});
    }
    b.add({"--dir", "/dev/pts", "--dir", "/dev/shm", "--symlink", "pts/ptmx", "/dev/ptmx",
           "--symlink", "/proc/self/fd", "/dev/fd", "--symlink", "/proc/self/fd/0", "/dev/stdin",
           "--symlink", "/proc/self/fd/1", "/dev/stdout", "--symlink", "/proc/self/fd/2",
           "/dev/stderr"});
}

bool under_virtual(const std::string& dest) {
    return path_is_within(dest, "/proc") || path_is_within(dest, "/dev");
}

}  // namespace

std::size_t count_ops(const MountPlan& plan, OpKind kind) {
    std::size_t n = 0;
    for (const auto& op : plan.ops) n += op.kind == kind ? 1 : 0;
    return n;
}

std::string args_fd_data(const BwrapCommand& cmd) {
    std::string data;
    for (std::size_t i = 1; i < cmd.command_at && i < cmd.argv.size(); ++i) {
        data += cmd.argv[i];
        data += '\0';
    }
    return data;
}

std::vector<std::string> argv_with_args_fd(const BwrapCommand& cmd, int fd) {
    std::vector<std::string> argv{cmd.argv.front(), "--args", std::to_string(fd)};
    argv.insert(argv.end(), cmd.argv.begin() + static_cast<std::ptrdiff_t>(cmd.command_at),
                cmd.argv.end());
    return argv;
}

Result<BwrapCommand> compile_bwrap(const MountPlan& plan, const BwrapInfo& bwrap,
                                   const BwrapInputs& in) {
    if (!bwrap.bind_fd) {
        return Error(ErrorKind::unsupported,
                     "bwrap " + bwrap.version + " lacks --bind-fd/--ro-bind-fd (needs 0.5 or newer)")
            .with_path(bwrap.path);
    }
    if (!bwrap.as_pid_1) {
        return Error(ErrorKind::unsupported,
                     "bwrap " + bwrap.version + " lacks --as-pid-1 (needs 0.1.8 or newer)")
            .with_path(bwrap.path);
    }
    if (in.empty_data_fds.size() != count_ops(plan, OpKind::hide_file) ||
        in.placeholder_fds.size() != count_ops(plan, OpKind::block_missing)) {
        return Error(ErrorKind::internal, "bwrap compile: descriptor lists do not match the plan");
    }

    ArgvBuilder b;
    BwrapCommand out;
    b.add({bwrap.path, "--unshare-all", "--unshare-user"});
    if (plan.network == NetworkMode::full) b.add({"--share-net"});
    // sbxrun-inner is the pid namespace's init, not bwrap: bwrap's init would be a process in
    // the sandbox with the command's uid, dumpable and without our seccomp filter, so the
    // command could write code into it through /proc/1/mem and make any system call the
    // filter refuses (found by an outside review). sbxrun-inner is not dumpable, reaps what
    // the command leaves, and as init cannot be killed from inside.
    b.add({"--as-pid-1"});
    if (bwrap.die_with_parent) b.add({"--die-with-parent"});
    if (in.inner.new_session && bwrap.new_session) b.add({"--new-session"});
    // Not --disable-userns: bwrap implements it with a second, nested user namespace that no
    // longer owns the mount namespace, so sbxrun-inner could neither pin nor mount devpts.
    // The inner stage's seccomp filter refuses CLONE_NEWUSER instead.
    // Only sbxrun-inner holds these, and only until it has pinned links and mounted devpts:
    // CAP_SYS_ADMIN for the mounts, CAP_SETPCAP to empty the bounding set afterwards (without
    // it an unprivileged caller's bounding set would keep CAP_SYS_ADMIN). --cap-drop ALL first,
    // because bwrap run by root would otherwise keep all of root's capabilities.
    b.add({"--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"});
    if (in.status_fd >= 0 || in.explain) {
        if (bwrap.json_status_fd) b.add({"--json-status-fd", b.fd(in.status_fd)});
    }

    std::size_t hide_i = 0;
    std::size_t block_i = 0;
    std::vector<VerifyMount> verify;
    bool virtual_done = false;
    auto add_virtual = [&] {
        if (virtual_done) return;
        b.add({"--proc", "/proc"});
        add_dev(b);
        virtual_done = true;
    };

    for (const auto& op : plan.ops) {
        if (op.dest != "/") add_virtual();  // after the root, before anything deeper
        if (op.dest != "/" && under_virtual(op.dest)) {
            out.notes.push_back(std::string(to_string(op.kind)) + " " + op.dest +
                                ": /proc and /dev are the sandbox's own; rule not applied");
            // Keep the fd lists aligned with the ops even when an op is skipped.
            if (op.kind == OpKind::hide_file) ++hide_i;
            if (op.kind == OpKind::block_missing) ++block_i;
            continue;
        }
        auto src = [&](int index) {
            int n = (index >= 0 && index < static_cast<int>(plan.fds.size()))
                        ? plan.fds[static_cast<std::size_t>(index)].get()
                        : -1;
            return b.fd(in.explain ? -1 : n);
        };
        // Every bind is checked again inside the sandbox before anything runs (VerifyMount).
        if (op.kind == OpKind::bind_ro || op.kind == OpKind::bind_rw ||
            op.kind == OpKind::anchor) {
            verify.push_back({op.dest, static_cast<std::uint64_t>(op.dev),
                              static_cast<std::uint64_t>(op.ino), op.kind == OpKind::bind_ro});
        } else if (op.kind == OpKind::block_missing && block_i < in.placeholder_ids.size()) {
            const auto& id = in.placeholder_ids[block_i];
            verify.push_back({op.dest, static_cast<std::uint64_t>(id.first),
                              static_cast<std::uint64_t>(id.second), true});
        }
        switch (op.kind) {
            case OpKind::bind_ro: b.add({"--ro-bind-fd", src(op.fd), op.dest}); break;
            case OpKind::bind_rw:
            case OpKind::anchor: b.add({"--bind-fd", src(op.fd), op.dest}); break;
            case OpKind::tmpfs: b.add({"--tmpfs", op.dest}); break;
            case OpKind::hide_dir: b.add({"--perms", "0000", "--tmpfs", op.dest}); break;
            case OpKind::hide_file:
                b.add({"--perms", "0000", "--ro-bind-data", b.fd(in.empty_data_fds[hide_i++]),
                       op.dest});
                break;
            case OpKind::block_missing:
                b.add({"--ro-bind-fd", b.fd(in.placeholder_fds[block_i++]), op.dest});
                break;
        }
    }
    add_virtual();

    InnerSpec inner = in.inner;
    inner.mount_devpts = true;
    inner.pins.clear();
    for (const auto& pin : plan.pins) inner.pins.push_back(PinSpec{pin.link, pin.link_text});
    inner.verify = std::move(verify);

    std::string exe = in.inner_exe_fd >= 0 ? "/proc/self/fd/" + b.fd(in.inner_exe_fd)
                                           : std::string("/proc/self/fd/<fd>");
    out.command_at = b.argv.size();
    b.add({"--", exe});
    for (auto& a : to_args(inner)) b.argv.push_back(std::move(a));
    if (inner.report_fd >= 0) b.pass_fds.push_back(inner.report_fd);
    if (inner.stderr_fd >= 0) b.pass_fds.push_back(inner.stderr_fd);

    // bwrap refuses more than 9000 arguments in all (MAX_ARGS in bubblewrap.c; those read
    // through --args count too, and so do sbxrun-inner's after "--"). Said here, in one short
    // line, instead of as bwrap's failure after the descriptors are handed over; the plan may
    // still run under Landlock, which takes a rule per descriptor and has no such cap.
    const std::size_t count = b.argv.size() - 1 + (bwrap.args_fd ? 2 : 0);
    if (count > kBwrapMaxArgs) {
        return Error(ErrorKind::unsupported,
                     "the plan has " + std::to_string(plan.ops.size()) +
                         " mount operations, which need " + std::to_string(count) +
                         " bwrap arguments; bwrap accepts at most " + std::to_string(kBwrapMaxArgs))
            .with_path(bwrap.path);
    }
    out.argv = std::move(b.argv);
    out.pass_fds = std::move(b.pass_fds);
    return out;
}

}  // namespace sbx
