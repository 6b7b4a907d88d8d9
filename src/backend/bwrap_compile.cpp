#include "backend/bwrap_compile.hpp"

#include <algorithm>

#include "backend/network_support.hpp"
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
void add_dev(ArgvBuilder& b, const std::string& console, bool fuse) {
    b.add({"--tmpfs", "/dev"});
    for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
        std::string p = std::string("/dev/") + node;
        b.add({"--dev-bind", p, p});
    }
    // For sbxrun-inner's deny watcher alone (inner/deny_watch.hpp), which opens it and then
    // detaches it: the command never has it. "-try": a host without one still runs.
    if (fuse) b.add({"--dev-bind-try", "/dev/fuse", "/dev/fuse"});
    b.add({"--dir", "/dev/pts", "--dir", "/dev/shm", "--symlink", "pts/ptmx", "/dev/ptmx",
           "--symlink", "/proc/self/fd", "/dev/fd", "--symlink", "/proc/self/fd/0", "/dev/stdin",
           "--symlink", "/proc/self/fd/1", "/dev/stdout", "--symlink", "/proc/self/fd/2",
           "/dev/stderr"});
    // A devpts entry exists while its pty is open, and sbxrun holds the master for the run:
    // the name cannot come to mean another file in between.
    if (!console.empty()) b.add({"--dev-bind", console, "/dev/console"});
}

// The sandbox's own /proc and /dev: rules there are not applied. Except /dev/shm, an empty
// directory of the sandbox's /dev where a policy may bind the host's (a workspace kept in
// /dev/shm was hidden, so bwrap failed at chdir and the run fell back to Landlock).
bool under_virtual(const std::string& dest) {
    return path_is_within(dest, "/proc") ||
           (path_is_within(dest, "/dev") && !path_is_within(dest, "/dev/shm"));
}

bool is_bind(OpKind kind) {
    return kind == OpKind::bind_ro || kind == OpKind::bind_rw || kind == OpKind::anchor;
}

// Whether `dest` lies strictly below one of `hidden` (denied directories).
bool below_any(std::string_view dest, const std::vector<std::string_view>& hidden) {
    return std::any_of(hidden.begin(), hidden.end(),
                       [&](std::string_view h) { return dest != h && path_is_within(dest, h); });
}

}  // namespace

BwrapPlan bwrap_plan(const MountPlan& plan) {
    BwrapPlan out;
    out.mounts.reserve(plan.ops.size());
    // What a denied directory holds the plan has left out already (leave_out_what_denial_hides:
    // protections, caches, pins), but for denied paths inside it: under bwrap there is nothing
    // to mount there, and a deny watcher inside another would be looked up through the outer
    // one before that one answers. A writable root of the policy's own inside one stays, and
    // compile_bwrap refuses the plan (a directory of mode 0000 cannot be walked through).
    std::vector<std::string_view> hidden;
    for (const auto& op : plan.ops)
        if (op.kind == OpKind::hide_dir) hidden.push_back(op.dest);
    for (const auto& op : plan.ops) {
        if (op.kind == OpKind::block_missing && op.after_run_under_bwrap) continue;
        if ((op.kind == OpKind::hide_dir || op.kind == OpKind::hide_file) &&
            below_any(op.dest, hidden))
            continue;
        BwrapMount m;
        m.op = &op;
        // Only a bind's op.fd is its source (block_missing's is where the placeholder goes).
        if (is_bind(op.kind) && op.fd >= 0 && static_cast<std::size_t>(op.fd) < plan.fds.size()) {
            m.fd = plan.fds[static_cast<std::size_t>(op.fd)].get();
        }
        out.mounts.push_back(m);
    }
    for (const auto& pin : plan.pins) out.pins.push_back(PinSpec{pin.link, pin.link_text});
    out.network = plan.network;
    out.dot_blocks = plan.dot_blocks;
    return out;
}

bool broker_blocks(const BwrapPlan& plan, const BwrapMount& m) {
    if (m.op->kind != OpKind::block_missing) return false;
    for (const auto& other : plan.mounts) {
        const OpKind k = other.op->kind;
        if ((k == OpKind::tmpfs || k == OpKind::hide_dir) &&
            path_is_within(m.op->dest, other.op->dest))
            return false;
    }
    return true;
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

Result<BwrapCommand> compile_bwrap(const BwrapPlan& plan, const BwrapInfo& bwrap,
                                   const BwrapInputs& in) {
    SBX_TRY(check_network_supported(plan.network, BackendKind::bwrap));
    // The allowlist's only way out is the listener sbxrun-inner hands to sbxrun's proxy: a run
    // without one would be network "none" in disguise, so it is refused as a bug instead.
    if (plan.network == NetworkMode::allowlist && !in.explain && in.inner.proxy_sock < 0)
        return Error(ErrorKind::internal,
                     "network.mode = \"allowlist\" without the proxy's socket");
    if (!bwrap.bind_fd) {
        return Error(ErrorKind::unsupported,
                     "bwrap " + bwrap.version + " lacks --bind-fd/--ro-bind-fd (needs 0.5 or newer)")
            .with_path(bwrap.path);
    }
    // A writable place inside a denied directory (bwrap_plan kept it): nothing in the sandbox
    // could reach it. Said here, in one line, so that the next backend (Landlock, which grants
    // by the rules and not by walking) is tried, instead of sbxrun-inner failing its checks.
    for (const auto& hidden : plan.mounts) {
        if (hidden.op->kind != OpKind::hide_dir) continue;
        for (const auto& m : plan.mounts) {
            if (m.op->dest == hidden.op->dest || !path_is_within(m.op->dest, hidden.op->dest))
                continue;
            return Error(ErrorKind::unsupported,
                         "filesystem.deny hides " + hidden.op->dest +
                             ", which holds the writable " + m.op->dest +
                             ": bwrap cannot reach a path inside a hidden directory");
        }
    }
    // Neither is optional (see below): a sandbox without them is not one sbxrun runs.
    if (!bwrap.as_pid_1) {
        return Error(ErrorKind::unsupported,
                     "bwrap " + bwrap.version + " lacks --as-pid-1 (needs 0.1.8 or newer)")
            .with_path(bwrap.path);
    }
    if (!bwrap.die_with_parent) {
        return Error(ErrorKind::unsupported,
                     "bwrap " + bwrap.version + " lacks --die-with-parent (needs 0.2 or newer)")
            .with_path(bwrap.path);
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
    b.add({"--die-with-parent"});
    if (in.inner.new_session && bwrap.new_session) b.add({"--new-session"});
    // Not --disable-userns: bwrap implements it with a second, nested user namespace that no
    // longer owns the mount namespace, so sbxrun-inner could neither pin nor mount devpts.
    // The inner stage's seccomp filter refuses CLONE_NEWUSER instead.
    // Only sbxrun-inner holds these, and only until it has pinned links and mounted devpts:
    // CAP_SYS_ADMIN for the mounts, CAP_SETPCAP to empty the bounding set afterwards (without
    // it an unprivileged caller's bounding set would keep CAP_SYS_ADMIN). --cap-drop ALL first,
    // because bwrap run by root would otherwise keep all of root's capabilities.
    b.add({"--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"});
    // And, when it answers name lookups (inner/dns_refuser.hpp), the two it needs to give the
    // sandbox's loopback the name servers' addresses and to listen on their port 53: both act
    // on the sandbox's own network namespace only, and are dropped with the others.
    if (in.inner.dns_log_fd >= 0)
        b.add({"--cap-add", "CAP_NET_ADMIN", "--cap-add", "CAP_NET_BIND_SERVICE"});
    if (in.status_fd >= 0 || in.explain) {
        if (bwrap.json_status_fd) b.add({"--json-status-fd", b.fd(in.status_fd)});
    }

    std::vector<VerifyMount> verify;
    // The denied paths the inner stage watches for reads (not one below /proc or /dev). None
    // lies below another: bwrap_plan left those out, and a watcher there would be looked up
    // through the outer one before that one has anyone to answer (the thirty-sixth review: the
    // run hung before the command).
    std::vector<DenyWatchSpec> deny_watch;
    if (in.watch_denied_reads) {
        for (const auto& m : plan.mounts) {
            const MountOp& op = *m.op;
            if ((op.kind == OpKind::hide_dir || op.kind == OpKind::hide_file) &&
                !under_virtual(op.dest))
                deny_watch.push_back({op.dest, op.kind == OpKind::hide_dir});
        }
    }
    bool virtual_done = false;
    auto add_virtual = [&] {
        if (virtual_done) return;
        b.add({"--proc", "/proc"});
        add_dev(b, in.console, !deny_watch.empty());
        virtual_done = true;
    };

    // A placeholder below a tmpfs exists on the host only, not in the sandbox's tree, so the
    // inner stage would not find it there: bwrap mounts those (over a mount point it makes).
    std::vector<std::string_view> fresh_trees;
    for (const auto& m : plan.mounts)
        if (m.op->kind == OpKind::tmpfs || m.op->kind == OpKind::hide_dir)
            fresh_trees.push_back(m.op->dest);
    auto below_fresh_tree = [&](std::string_view dest) {
        return std::any_of(fresh_trees.begin(), fresh_trees.end(),
                           [&](std::string_view t) { return path_is_within(dest, t); });
    };
    std::vector<VerifyMount> placeholders;
    std::vector<EntryBlock> entry_blocks;

    for (const auto& m : plan.mounts) {
        const MountOp& op = *m.op;
        if (op.dest != "/") add_virtual();  // after the root, before anything deeper
        // Under /dev/shm only what a bind of the host's brings is the host's: a rule for the
        // rest would only put a name in the sandbox's own empty directory (thirty-ninth review).
        const bool host_shm =
            !path_is_within(op.dest, "/dev/shm") ||
            std::any_of(plan.mounts.begin(), plan.mounts.end(), [&](const auto& b) {
                return is_bind(b.op->kind) && path_is_within(b.op->dest, "/dev/shm") &&
                       path_is_within(op.dest, b.op->dest);
            });
        if (op.dest != "/" && (under_virtual(op.dest) || !host_shm)) {
            const std::string why = std::string(to_string(op.kind)) + " " + op.dest +
                                    ": /proc and /dev are the sandbox's own (the host's are not "
                                    "visible there); rule not applied";
            out.notes.push_back(why);
            out.approximated.push_back(why);
            continue;
        }
        if (in.entry_broker && broker_blocks(plan, m)) {
            if (!in.explain && !m.parent_id)
                return Error(ErrorKind::internal,
                             "bwrap compile: no identity for the directory of " + op.dest);
            const std::string parent = path_parent(op.dest);
            const std::string name = op.dest.substr(parent == "/" ? 1 : parent.size() + 1);
            const auto id = m.parent_id.value_or(std::pair<dev_t, ino_t>{0, 0});
            auto it = std::find_if(entry_blocks.begin(), entry_blocks.end(),
                                   [&](const EntryBlock& b) { return b.path == parent; });
            if (it == entry_blocks.end()) {
                entry_blocks.push_back({parent,
                                        static_cast<std::uint64_t>(id.first),
                                        static_cast<std::uint64_t>(id.second),
                                        {}});
                it = entry_blocks.end() - 1;
            }
            it->names.push_back(name);
            continue;
        }
        // A missing descriptor would reach bwrap as "-1" (its failure, after the placeholders
        // were made), a missing identity would skip the placeholder's check: both are bugs.
        const bool has_source = op.kind != OpKind::tmpfs && op.kind != OpKind::hide_dir;
        if (!in.explain && has_source && m.fd < 0) {
            return Error(ErrorKind::internal, "bwrap compile: no descriptor for " +
                                                  std::string(to_string(op.kind)) + " " + op.dest);
        }
        if (!in.explain && op.kind == OpKind::block_missing && !m.placeholder_id) {
            return Error(ErrorKind::internal,
                         "bwrap compile: no identity for the placeholder at " + op.dest);
        }
        if (op.kind == OpKind::block_missing && in.inner_binds_placeholders &&
            !below_fresh_tree(op.dest)) {
            const auto id = m.placeholder_id.value_or(std::pair<dev_t, ino_t>{0, 0});
            placeholders.push_back({op.dest, static_cast<std::uint64_t>(id.first),
                                    static_cast<std::uint64_t>(id.second), true});
            continue;
        }
        const std::string fd = has_source ? b.fd(in.explain ? -1 : m.fd) : std::string();
        // Every bind is checked again inside the sandbox before anything runs (VerifyMount).
        if (is_bind(op.kind)) {
            verify.push_back({op.dest, static_cast<std::uint64_t>(op.dev),
                              static_cast<std::uint64_t>(op.ino), op.kind == OpKind::bind_ro});
        } else if (op.kind == OpKind::block_missing && m.placeholder_id) {
            verify.push_back({op.dest, static_cast<std::uint64_t>(m.placeholder_id->first),
                              static_cast<std::uint64_t>(m.placeholder_id->second), true});
        }
        switch (op.kind) {
            case OpKind::bind_ro:
            case OpKind::block_missing:
                b.add({"--ro-bind-fd", fd, op.dest});
                break;
            case OpKind::bind_rw:
            case OpKind::anchor:
                b.add({"--bind-fd", fd, op.dest});
                break;
            case OpKind::tmpfs:
                b.add({"--tmpfs", op.dest});
                break;
            case OpKind::hide_dir:
                b.add({"--perms", "0000", "--tmpfs", op.dest});
                break;
            case OpKind::hide_file:
                b.add({"--perms", "0000", "--ro-bind-data", fd, op.dest});
                break;
        }
    }
    add_virtual();

    // A writable HOME's new dot-entries: only the entry broker can refuse a name by its form.
    for (const auto& dot : plan.dot_blocks) {
        if (!in.entry_broker) {
            out.notes.push_back("new dot-entries at the top of " + dot.dir +
                                " can be made: without the entry broker (Landlock ABI 2 and "
                                "seccomp user notification) only the set's names are blocked");
            continue;
        }
        auto it = std::find_if(entry_blocks.begin(), entry_blocks.end(),
                               [&](const EntryBlock& b) { return b.path == dot.dir; });
        if (it == entry_blocks.end()) {
            entry_blocks.push_back({dot.dir,
                                    static_cast<std::uint64_t>(dot.dev),
                                    static_cast<std::uint64_t>(dot.ino),
                                    {}});
            it = entry_blocks.end() - 1;
        }
        it->dot_names = true;
    }

    InnerSpec inner = in.inner;
    inner.mount_devpts = true;
    inner.pins = plan.pins;
    inner.verify = std::move(verify);
    inner.placeholders = std::move(placeholders);
    if (!entry_blocks.empty()) {
        std::size_t names = 0;
        for (const auto& b : entry_blocks) names += b.names.size();
        out.notes.push_back(
            std::to_string(names) + " missing protected names in " +
            std::to_string(entry_blocks.size()) +
            " directories are kept by sbxrun-inner's entry broker, not placeholders: creating, "
            "removing or renaming onto them fails with EACCES, and so does any hard link or "
            "unix socket made directly in those directories, their parents, or a directory "
            "made there during the run");
    }
    inner.entry_blocks = std::move(entry_blocks);
    inner.deny_watch = std::move(deny_watch);

    std::string exe = in.inner_exe_fd >= 0 ? "/proc/self/fd/" + b.fd(in.inner_exe_fd)
                                           : std::string("/proc/self/fd/<fd>");
    out.command_at = b.argv.size();
    b.add({"--", exe});
    for (auto& a : to_args(inner)) b.argv.push_back(std::move(a));
    if (inner.report_fd >= 0) b.pass_fds.push_back(inner.report_fd);
    if (inner.stderr_fd >= 0) b.pass_fds.push_back(inner.stderr_fd);
    if (inner.dns_log_fd >= 0) b.pass_fds.push_back(inner.dns_log_fd);
    if (inner.proxy_sock >= 0) b.pass_fds.push_back(inner.proxy_sock);

    // bwrap refuses more than 9000 arguments in all (MAX_ARGS in bubblewrap.c; those read
    // through --args count too, and so do sbxrun-inner's after "--"). Said here, in one short
    // line, instead of as bwrap's failure after the descriptors are handed over; the plan may
    // still run under Landlock, which takes a rule per descriptor and has no such cap.
    const std::size_t count = b.argv.size() - 1 + (bwrap.args_fd ? 2 : 0);
    if (count > kBwrapMaxArgs) {
        return Error(ErrorKind::unsupported,
                     "the plan has " + std::to_string(plan.mounts.size()) +
                         " mount operations, which need " + std::to_string(count) +
                         " bwrap arguments; bwrap accepts at most " + std::to_string(kBwrapMaxArgs))
            .with_path(bwrap.path);
    }
    out.argv = std::move(b.argv);
    out.pass_fds = std::move(b.pass_fds);
    return out;
}

}  // namespace sbx
