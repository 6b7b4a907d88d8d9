// The contract between sbxrun and sbxrun-inner, the last stage before the command.
//
// sbxrun-inner runs inside the sandbox as bwrap's payload (the Landlock backend takes the same
// steps from the same spec in sbxrun's own forked child: inner/direct_exec.hpp). It does what
// bwrap cannot do for us, in this order:
//   pin symlinks (needs CAP_SYS_ADMIN in the sandbox's user namespace) -> mount devpts ->
//   drop every capability and the bounding set -> no_new_privs -> setsid ->
//   Landlock -> seccomp -> close stray fds -> exec.
// sbxrun-inner stays as the command's parent and writes one record on report_fd saying how the
// command ended (exited N / killed by signal N / exec failed with errno / setup failed), so the
// caller can tell 126/127 and 128+N from the command's own exit status (inner/inner_report.hpp).
//
// The spec travels as argv; to_args() and parse_inner_args() are exact inverses, unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sbx {

struct LandlockRule {
    int fd = -1;               // an inherited O_PATH descriptor (number as seen by the inner stage)
    std::uint64_t access = 0;  // LANDLOCK_ACCESS_FS_* allowed beneath it

    bool operator==(const LandlockRule&) const = default;
};

struct LandlockSpec {
    int abi = 0;                    // ABI the masks were computed for (>= 1)
    std::uint64_t handled_fs = 0;   // LANDLOCK_ACCESS_FS_* handled
    std::uint64_t handled_net = 0;  // LANDLOCK_ACCESS_NET_* handled (ABI >= 4)
    std::uint64_t scoped = 0;       // LANDLOCK_SCOPE_* (ABI >= 6)
    std::vector<LandlockRule> rules;
    // TCP ports connect(2) may reach (ABI >= 4, with handled_net): the allowlist proxy's.
    std::vector<std::uint16_t> connect_ports;

    bool operator==(const LandlockSpec&) const = default;
};

// A directory that keeps only some of the rights its walk wanted, because protected or denied
// entries lie beneath it (the top of a writable root with a protected .git, say). Landlock
// cannot give it creation rights without giving them to the protected entries too, so the
// Landlock backend's supervisor performs the creations, removals and renames the policy allows
// in it, and the writes to new entries beneath it (run/entry_notify.hpp). Made by the
// Landlock compile (backend/landlock_compile.hpp), read by the guard (run/metadata_guard.hpp);
// never passed to sbxrun-inner.
struct LandlockRestrictedDir {
    int fd = -1;                       // the directory (a rule's descriptor)
    std::string path;                  // for messages
    std::uint64_t want = 0;            // what the policy grants beneath it
    std::uint64_t self = 0;            // what its own rule grants
    std::vector<std::string> towards;  // its entries that are or lead to a hole (sorted)
    // A writable HOME's top: no new dot-entry (util/home_dot_names.hpp).
    bool dot_names = false;
};

enum class SeccompProfile {
    none,        // no filter
    base,        // refuse ptrace of others, io_uring, TIOCSTI/TIOCLINUX, keyctl, new mount API...
    no_network,  // base + socket() refused for every family but AF_UNIX
    netns,       // base + socket() refused for every family a network namespace does not
                 // isolate (all but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK): bwrap, network none
    tcp_only,    // base + socket() refused for every family but AF_UNIX, AF_INET and AF_INET6,
                 // and for those two anything but a TCP stream: Landlock, network allowlist
    no_network_observed,  // no_network, but socket(AF_INET/AF_INET6) is left to the second
                          // filter, which sends it to sbxrun to be noted and refused
                          // (inner/metadata_filter.hpp): Landlock, network none
};

// A mount bwrap was asked to make, as the inner stage must find it before anything runs:
// `path` resolves without any symlink to the inode the plan checked, is a mount root, and is
// read-only or writable as planned. bwrap mounts by destination *path*, which a host process
// could swap between planning and mounting; this check is what makes "what is mounted is what
// was checked" true for bwrap too (a mismatch refuses the run).
struct VerifyMount {
    std::string path;
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    bool read_only = true;

    bool operator==(const VerifyMount&) const = default;
};

// A symlink to bind onto itself (inner/pin.hpp), with the text the plan read from it: the
// inner stage pins it only if it still says that, so a link swapped between planning and
// pinning refuses the run instead of being protected in its new form.
struct PinSpec {
    std::string path;
    std::string text;

    bool operator==(const PinSpec&) const = default;
};

// A directory whose missing protected names sbxrun-inner's entry broker keeps from being
// created (inner/entry_broker.hpp), under bwrap, instead of placeholders on the host. The inner
// stage finds `path` without a symlink, checks it is the inode the plan checked, and refuses
// creating, removing or renaming onto any of `names` in it (compared without case).
struct EntryBlock {
    std::string path;
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::vector<std::string> names;  // no '/', not "." or ".."; at least one, unless dot_names
    // Also every name starting with a dot (util/home_dot_names.hpp): a
    // writable HOME's top (plan/home_dotfiles.hpp).
    bool dot_names = false;

    bool operator==(const EntryBlock&) const = default;
};

// A denied path (a hide op of the plan) whose reads sbxrun-inner watches (inner/deny_watch.hpp).
struct DenyWatchSpec {
    std::string path;  // absolute, as bwrap mounted it
    bool directory = true;

    bool operator==(const DenyWatchSpec&) const = default;
};

struct InnerSpec {
    std::vector<PinSpec> pins;        // symlinks to bind onto themselves (open_tree + move_mount)
    std::vector<VerifyMount> verify;  // checked before pinning, in order
    // Placeholders for missing protected names (fs/placeholder.hpp) that the inner stage binds
    // read-only onto themselves (inner/placeholder_bind.hpp) instead of bwrap: a bwrap mount
    // costs ~50 system calls (realpath, a mountinfo parse per remount), this ~5, and the
    // built-in policy has one per missing @agent-config name. `read_only` is always true.
    std::vector<VerifyMount> placeholders;
    // Non-empty: the command runs under the entry broker (inner/entry_broker.hpp), which keeps
    // these directories' missing protected names from being created.
    std::vector<EntryBlock> entry_blocks;
    bool mount_devpts = false;        // fresh devpts on /dev/pts and /dev/ptmx -> pts/ptmx
    bool landlock = false;
    LandlockSpec landlock_spec;  // meaningful (and carried by to_args) only when landlock
    SeccompProfile seccomp = SeccompProfile::base;
    // network.unix_sockets = "block": socket(AF_UNIX, ...) also refused (EAFNOSUPPORT), on top
    // of any profile; socketpair(AF_UNIX) keeps working (it has no address, reaches nothing).
    bool refuse_unix_sockets = false;
    bool new_session = true;        // setsid()
    // --tty (run/pty.hpp): fd 0 is the command's own pty; the command runs in a session of its
    // own (setsid in the forked child, whatever new_session says) with it as the controlling
    // terminal (TIOCSCTTY), so it leads its own foreground job.
    bool controlling_tty = false;
    int report_fd = -1;             // one InnerReport record (inner/inner_report.hpp); -1: none
    int stderr_fd = -1;             // dup'ed onto fd 2 just before exec (the caller's real stderr
                                    // when fd 2 is bwrap's captured stderr pipe); -1: keep fd 2
    std::vector<int> keep_fds;      // fds the command may inherit besides 0, 1, 2
    std::string chdir;              // working directory of the command ("" = leave as is)
    // The soft RLIMIT_NOFILE the command gets back (0 = leave as is): sbxrun raises its own to
    // the hard limit to hold one descriptor per rule, the command keeps the caller's, because
    // select() breaks on descriptors above 1024 (what systemd does for its services too).
    std::uint64_t nofile_soft = 0;
    // bwrap with network.mode = "none": answer the command's name lookups "no such name" at
    // once and write each name to this pipe (inner/dns_refuser.hpp); -1: none.
    int dns_log_fd = -1;
    // bwrap with network.mode = "allowlist": listen on 127.0.0.1:3128 in the sandbox and send
    // the listening socket to sbxrun over this unix socket (inner/proxy_listener.hpp); -1: none.
    int proxy_sock = -1;
    // bwrap: the plan's denied paths, watched for reads (inner/deny_watch.hpp); empty: none.
    std::vector<DenyWatchSpec> deny_watch;
    // SBXRUN_TRACE_TIMING: sbxrun's timeline origin (util/timeline.hpp), for this stage's own
    // lines; 0: no timeline.
    std::uint64_t trace_origin_ns = 0;
    std::vector<std::string> argv;  // the command; argv[0] looked up in PATH

    bool operator==(const InnerSpec&) const = default;
};

[[nodiscard]] const char* to_string(SeccompProfile p);

// argv for sbxrun-inner, without argv[0]: options, "--", the command.
[[nodiscard]] std::vector<std::string> to_args(const InnerSpec& spec);

// The inverse of to_args(); args excludes argv[0]. Errors are ErrorKind::usage.
[[nodiscard]] Result<InnerSpec> parse_inner_args(const std::vector<std::string>& args);

// Exit code of sbxrun-inner when it fails *before* exec (the caller maps it; an exec failure is
// reported on report_fd and exits 126 or 127 as a shell would; a signal exits 128+N).
inline constexpr int kInnerSetupFailed = 121;

}  // namespace sbx
