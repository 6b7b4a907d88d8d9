// The second seccomp filter of the Landlock backend: metadata calls go to sbxrun.
//
// Landlock has no access right for chmod, chown, utimes or xattrs, so without this filter file
// permissions alone decide them, outside the writable roots and on protected paths alike. The
// calls of inner/metadata_calls.hpp return SECCOMP_RET_USER_NOTIF: the command blocks and
// sbxrun (run/metadata_notify.hpp) decides and performs each one itself. The file-attribute
// calls (FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, file_setattr: chattr) fail with EPERM everywhere.
//
// Hand-written BPF, not libseccomp: libseccomp 2.5.4 does not know the newest calls by name,
// and the program is a flat list of comparisons. A foreign ABI's call falls through to ALLOW
// here; the base filter (seccomp_filter.hpp) kills the process for it, and KILL wins.
#pragma once

#include "inner/seccomp_filter.hpp"
#include "util/result.hpp"

namespace sbx {

// What else of the command's network calls the Landlock backend's filter sends to sbxrun.
struct NetworkMediation {
    // network.mode = "allowlist": connect(2), which sbxrun makes itself; sendto, sendmsg and
    // sendmmsg with MSG_FASTOPEN fail with EOPNOTSUPP (run/connect_guard.hpp).
    bool guard_connect = false;
    // network.mode = "none": socket(AF_INET) and socket(AF_INET6), which sbxrun notes for the
    // denial report and refuses (EAFNOSUPPORT); the base filter's no_network_observed profile
    // leaves them to this one.
    bool observe_sockets = false;
};

[[nodiscard]] Result<SeccompProgram> build_metadata_filter(NetworkMediation network);

// The entry broker's filter under bwrap (inner/entry_broker.hpp): the entry calls of
// inner/entry_calls.hpp go to sbxrun-inner (open/openat only with O_CREAT, O_TRUNC or for
// writing), with link/linkat and truncate (for the denial report), and every metadata call of
// inner/metadata_calls.hpp, which sbxrun-inner performs; chattr's ioctls and file_setattr are
// refused (EPERM). `observe_network` (network.mode "none" or "allowlist"): connect, sendto
// with an address, sendmsg and sendmmsg too, for the denial report (inner/net_observe.hpp),
// but not sendmsg on `handover_fd`: the child sends the listener on it once the filter is
// loaded, and would wait for a broker that has no listener yet. (The descriptor is closed at
// exec; a command that makes another one with that number and sends datagrams to addresses on
// it hides them from the report, which decides nothing.)
// It also gives the command back the two refusals its parent's base filter leaves out for the
// broker's sake (build_seccomp's `broker_parent`): openat2 fails with ENOSYS,
// process_vm_readv with EPERM.
[[nodiscard]] Result<SeccompProgram> build_entry_filter(bool observe_network, int handover_fd);

// The filter sbxrun-inner's name answerer (inner/dns_refuser.hpp) adds to the one it inherits:
// it serves sockets made before it started and parses what the command sends it, so it makes
// no socket (socket, socketpair: EAFNOSUPPORT) and reads no other process's memory
// (process_vm_readv: EPERM, which the base filter's broker_parent variant leaves to
// sbxrun-inner itself).
[[nodiscard]] Result<SeccompProgram> build_helper_filter();

// The only filter of sbxrun-inner's deny watcher (inner/deny_watch.hpp), which starts before
// sbxrun-inner loads its own: an allowlist of read, write, ppoll/poll, close and the exits;
// anything else, or another ABI, kills it (and the watched paths then answer ENOTCONN).
[[nodiscard]] Result<SeccompProgram> build_deny_watch_filter();

// Load it with SECCOMP_FILTER_FLAG_NEW_LISTENER. Async-signal-safe: the listener fd (>= 0,
// close-on-exec) or -errno.
[[nodiscard]] int load_metadata_filter(const SeccompProgram& program) noexcept;

// Send `fd` over the connected unix socket `sock` (SCM_RIGHTS). Async-signal-safe: 0 or errno.
[[nodiscard]] int send_fd(int sock, int fd) noexcept;

// Receive a descriptor sent with send_fd (close-on-exec); -1 if none arrived. `wait`: block
// until one arrives or the sender closes its end.
[[nodiscard]] int receive_fd(int sock, bool wait) noexcept;

}  // namespace sbx
