// What the entry brokers saw the sandbox refuse (issue 15): the raw half of the status
// document's denials.filesystem (and, under bwrap, of denials.network's connections to
// addresses: inner/net_observe.hpp), before sbxrun names the rule behind each one.
//
// Who records: the broker that answers the command's entry calls (inner/entry_broker.hpp under
// bwrap, run/entry_notify.hpp under Landlock) already resolves each call to a directory and a
// name. When it refuses a call itself (a protected name) or lets the kernel go on with a call the
// kernel is about to refuse (a read-only mount under bwrap; no Landlock right under Landlock), it
// adds the entry here. The observer never decides: a wrong prediction makes the report wrong,
// never the sandbox weaker. What each backend's broker sees is listed in sbxrun(1), STATUS
// DOCUMENT; what no broker sees is not recorded.
//
// Bounded: each distinct (op, path) is kept once with a count, at most kMaxDistinct of them;
// refusals of further paths are counted only (`dropped`). A command making a million refused
// calls costs a million counter increments, not memory.
//
// Under bwrap sbxrun-inner streams the log on report_fd, after "C" and before its final record
// (inner/inner_report.hpp): each entry when it is first seen, so that a run ended by a timeout
// (which kills sbxrun-inner) still reports what came before, then the counts at the end:
//   "D <op> <count> <path>\n"   <path> with every byte below 0x21, 0x7f and '\' as \xHH
//   "c <index> <count>\n"       the count of the index-th "D" line, when it grew
//   "d <dropped>\n"             when something was dropped
// The streamed lines stay within kMaxStreamBytes, so that they and the final record fit in
// what sbxrun keeps of the pipe (64 KiB: an outside review filled it with 250 long paths and
// the later refusals, and the final record, were lost). The command cannot write on that pipe
// (it never holds it, and sbxrun-inner is not dumpable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sbx {

// What the refused call would have done to its path (or where it would have connected).
enum class RefusedOp : unsigned char {
    create,  // a new file, directory, symlink, fifo or socket
    write,   // an existing file opened for writing or truncation
    remove,  // unlink or rmdir
    rename,  // either side of a rename
    // Metadata calls, seen under Landlock, where sbxrun answers them (run/metadata_notify.hpp).
    chmod,  // chmod, fchmod, fchmodat
    chown,  // chown, lchown, fchown, fchownat
    utime,  // utime, utimes, utimensat, futimesat
    xattr,  // setxattr and removexattr, and their l/f variants
    // Network calls: under bwrap with network.mode "none" or "allowlist"
    // (inner/net_observe.hpp) and under Landlock with "allowlist" (run/connect_guard.hpp) the
    // path is "ADDRESS:PORT"; under Landlock with "none", "inet" or "inet6".
    connect,  // connect(2) to an address the sandbox has no route to, or may not reach
    send,     // a datagram sent to one (sendto, sendmsg, sendmmsg)
    socket,   // socket(AF_INET or AF_INET6) refused (Landlock, network "none")
    // A filesystem.deny path read (looked up below, opened, listed, access(2) or chdir):
    // under bwrap, seen by sbxrun-inner's deny watcher (inner/deny_watch.hpp).
    read,
    // A hard link of a file the command may not change (protected, or outside every writable
    // root) made into a writable directory: the path is the file's. The kernel answers EXDEV
    // (a mount of its own under bwrap, Landlock's REFER under Landlock) where the host, on the
    // same file system, would have made it. A link made where writes are refused is a create.
    link,
};

// Whether `op` is one of the network calls (its path is a destination, not a file).
[[nodiscard]] constexpr bool is_network(RefusedOp op) {
    return op == RefusedOp::connect || op == RefusedOp::send || op == RefusedOp::socket;
}

[[nodiscard]] const char* to_string(RefusedOp op);
[[nodiscard]] std::optional<RefusedOp> refused_op_from(std::string_view word);

struct Refusal {
    RefusedOp op = RefusedOp::create;
    std::string path;  // absolute, as the sandbox saw it
    std::uint64_t count = 0;

    bool operator==(const Refusal&) const = default;
};

class DenialLog {
public:
    static constexpr std::size_t kMaxDistinct = 256;
    static constexpr std::size_t kMaxPath = 4096;  // longer paths are cut (and marked "...")
    static constexpr std::size_t kMaxStreamBytes = 40 * 1024;

    // Write each new entry's line on `fd` as it is added (sbxrun-inner's report_fd); an entry
    // whose line would pass kMaxStreamBytes is dropped instead. Async-signal-safe writes.
    void stream_to(int fd) { stream_fd_ = fd; }

    // May throw std::bad_alloc: the brokers catch it (the kernel still refuses the call).
    // `times`: how many refusals this one stands for (the deny watcher counts its own).
    void add(RefusedOp op, std::string_view path, std::uint64_t times = 1);
    // Refusals of paths past another recorder's bound (the deny watcher's).
    void add_dropped(std::uint64_t n) { dropped_ += n; }

    [[nodiscard]] const std::vector<Refusal>& refusals() const { return list_; }
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }
    [[nodiscard]] bool empty() const { return list_.empty() && dropped_ == 0; }

    // The report lines above: every entry with its count, then "d" (not streamed).
    [[nodiscard]] std::string lines() const;
    // After streaming: the "c" lines of the counts that grew, then "d".
    [[nodiscard]] std::string closing_lines() const;

private:
    std::vector<Refusal> list_;
    std::unordered_map<std::string, std::size_t> index_;  // op byte + path -> list_ index
    std::uint64_t dropped_ = 0;
    int stream_fd_ = -1;
    std::size_t streamed_ = 0;  // bytes written on stream_fd_
};

// One "D" line (with its newline).
[[nodiscard]] std::string denial_line(const Refusal& r);

// Parse report lines ("D", "c" and "d"), appending to `out` and adding to `dropped`. A
// malformed line is skipped: the log is a report, and its writer is sbxrun-inner.
void parse_denial_lines(std::string_view text, std::vector<Refusal>& out, std::uint64_t& dropped);

}  // namespace sbx
