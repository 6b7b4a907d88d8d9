#include "run/metadata_notify.hpp"

#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include "inner/entry_calls.hpp"
#include "inner/entry_perform.hpp"
#include "inner/metadata_calls.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/metadata_perform.hpp"
#include "inner/notify_request.hpp"
#include "run/connect_guard.hpp"
#include "run/entry_notify.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

using metadata_calls::Call;

struct Request : NotifyRequest {
    const Call& call;
    Request(const seccomp_notif& n, const Call& c, int listener)
        : NotifyRequest{n, listener, {}}, call(c) {}
};

int decide(Request& rq, const MetadataGuard& guard, bool& alive, DenialLog* log) {
    // Resolution too runs without capabilities: root's CAP_DAC_READ_SEARCH would reach objects
    // through directories the command cannot search.
    CapsCleared caps;
    if (!caps.ok()) return EPERM;
    UniqueFd obj;
    MetadataArgs args;
    int err = resolve_metadata_object(rq, rq.call, obj);
    if (err == 0) err = read_metadata_args(rq, rq.call, args);
    // Everything read from the command so far was read from the process that made this call,
    // not from a process that reused its pid in between.
    alive = rq.still_valid();
    if (!alive || err != 0) return err;
    mode_t mode = 0;
    std::vector<std::string> names;
    auto chain = ancestry(obj.get(), &mode, &names);
    if (!chain) return chain.error().sys_errno != 0 ? chain.error().sys_errno : EPERM;
    struct stat st {};
    if (!chain->empty() && guard.is_root(chain->front()) && ::fstat(obj.get(), &st) == 0) {
        switch (top_change(rq.call, args, st)) {
            case TopChange::nothing_to_do:
                return 0;
            case TopChange::perform:
                return perform_metadata_call(rq.call, obj.get(), args);
            case TopChange::refuse:
                break;  // may_change refuses it
        }
    }
    if (!guard.may_change(*chain, mode, &names)) {
        // For the report: the object by the path the kernel has for it.
        note_refusal_at(log, metadata_report_op(rq.call.op), obj.get());
        return EPERM;
    }
    return perform_metadata_call(rq.call, obj.get(), args);
}

}  // namespace

void answer_metadata_call(int listener, const MetadataGuard& guard, const ConnectGuard* connect,
                          PendingConnects* pending, DenialLog* log) noexcept {
    seccomp_notif n;
    std::memset(&n, 0, sizeof n);
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) return;  // its process is gone
    const bool native = n.data.arch == metadata_calls::kNativeArch;
    if (native && connect != nullptr && pending != nullptr && n.data.nr == SYS_connect) {
        answer_connect_call(listener, n, *connect, *pending, log);
        return;
    }
    // socket(AF_INET/AF_INET6) with network "none" (inner/metadata_filter.hpp's
    // observe_sockets): noted, and refused as the base filter refuses every other family.
    if (native && n.data.nr == SYS_socket) {
        if (log != nullptr) {
            try {
                log->add(RefusedOp::socket,
                         static_cast<int>(n.data.args[0]) == AF_INET6 ? "inet6" : "inet");
            } catch (...) {
                // the report loses one line; the call is refused all the same
            }
        }
        answer_errno(listener, n.id, EAFNOSUPPORT);
        return;
    }
    if (const auto* entry = native ? entry_calls::find(static_cast<long>(n.data.nr)) : nullptr) {
        answer_entry_call(listener, n, *entry, guard, log);
        return;
    }
    if (const auto* link =
            native ? entry_calls::find_link(static_cast<long>(n.data.nr)) : nullptr) {
        answer_link_call(listener, n, *link, guard, log);
        return;
    }
    if (native && n.data.nr == SYS_truncate) {
        answer_truncate_call(listener, n, guard, log);
        return;
    }
    int err = EPERM;
    bool alive = true;
    const Call* call = native ? metadata_calls::find(static_cast<long>(n.data.nr)) : nullptr;
    if (call != nullptr) {
        try {
            Request rq(n, *call, listener);
            err = decide(rq, guard, alive, log);
        } catch (...) {
            err = ENOMEM;  // an allocation failed: refuse
        }
    }
    if (!alive) return;
    answer_errno(listener, n.id, err);
}

int receive_listener(int sock) noexcept {
    return receive_fd(sock, false);
}

}  // namespace sbx
