// Performing a mediated metadata call (inner/metadata_calls.hpp: chmod, chown, utimes, xattrs)
// for a process a seccomp filter stopped: the policy-free half of both metadata brokers,
// sbxrun's under the Landlock backend (run/metadata_notify.hpp) and sbxrun-inner's under bwrap
// (inner/entry_broker.hpp). Each decides with its own rules on the descriptor resolved here,
// then calls perform_metadata_call on that same descriptor: the object decided is the object
// changed, whatever the command does to its memory or its tree meanwhile.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <ctime>
#include <string>
#include <vector>

#include "inner/denial_log.hpp"
#include "inner/metadata_calls.hpp"
#include "inner/notify_request.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// The object the call names, as a descriptor of ours, resolved once as the kernel would for the
// caller: the caller's descriptor (pidfd_getfd) for the f* calls and utimensat(fd, NULL); for a
// path, openat2(O_PATH, RESOLVE_NO_MAGICLINKS) from its dirfd or cwd, O_NOFOLLOW for the l*
// variants and AT_SYMLINK_NOFOLLOW. A path that is exactly one of the caller's own descriptors
// in /proc (/proc/self/fd/N and /proc/TGID/fd/N from its thread group leader's table,
// /proc/thread-self/fd/N and /proc/TID/fd/N from its thread's, as the kernel shows them; glibc's
// lchmod and fchmodat(AT_SYMLINK_NOFOLLOW) go through them), or /dev/stdin, /dev/stdout,
// /dev/stderr, /dev/fd/N where those are the usual links to /proc/self/fd, is that descriptor,
// taken like an f* call's. Any other magic link is ELOOP (it would reach the broker's own
// /proc/self), and so is a path that goes on below one. 0 or an errno, which is the call's
// answer.
[[nodiscard]] int resolve_metadata_object(NotifyRequest& rq, const metadata_calls::Call& c,
                                          UniqueFd& obj);

// What the call asks, read from the caller's memory (check still_valid() after).
struct MetadataArgs {
    mode_t mode = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    bool now = false;
    timespec times[2]{};
    std::string name;
    std::vector<char> value;
    int xflags = 0;
};
// 0 or the errno the kernel would answer for these arguments (EFAULT, EINVAL, ERANGE, E2BIG).
[[nodiscard]] int read_metadata_args(NotifyRequest& rq, const metadata_calls::Call& c,
                                     MetadataArgs& a);

// The call, on `obj`: 0 or errno. The caller clears its effective capabilities first (the
// command's are empty, as root too: CapsCleared).
[[nodiscard]] int perform_metadata_call(const metadata_calls::Call& c, int obj,
                                        const MetadataArgs& a);

// What a call may do to the top of a writable root, which is also an entry of the directory it
// sits in, outside the roots (${tmpdir} = /tmp as root: chmod 0777 /tmp took the host's sticky
// bit away, found by an outside review). Its mode, owner and xattrs stay as they are; a chmod or
// chown to what it already is succeeds without doing anything (tar extracting an archive's "./"
// into the workspace, rsync -a into "."), and its times may change (nothing depends on them).
enum class TopChange { refuse, perform, nothing_to_do };
[[nodiscard]] TopChange top_change(const metadata_calls::Call& c, const MetadataArgs& a,
                                   const struct stat& st);

// The denial report's name for the call.
[[nodiscard]] RefusedOp metadata_report_op(metadata_calls::Op op);

}  // namespace sbx
