// What the entry brokers saw the sandbox refuse (issue 15): the raw half of the status
// document's denials.filesystem, before sbxrun names the rule behind each one.
//
// Who records: the broker that answers the command's entry calls (inner/entry_broker.hpp under
// bwrap, run/entry_notify.hpp under Landlock) already resolves each call to a directory and a
// name. When it refuses a call itself (a protected name) or lets the kernel go on with a call the
// kernel is about to refuse (a read-only mount under bwrap; no Landlock right under Landlock), it
// adds the entry here. The observer never decides: a wrong prediction makes the report wrong,
// never the sandbox weaker. Calls no broker sees (link, chmod, truncate, xattrs) are not recorded:
// the report is never complete.
//
// Bounded: each distinct (op, path) is kept once with a count, at most kMaxDistinct of them;
// refusals of further paths are counted only (`dropped`). A command making a million refused
// calls costs a million counter increments, not memory.
//
// Under bwrap sbxrun-inner writes the log on report_fd, after "C" and before its final record
// (inner/inner_report.hpp), one line per entry:
//   "D <op> <count> <path>\n"   <path> with every byte below 0x21, 0x7f and '\' as \xHH
//   "d <dropped>\n"             when something was dropped
// The command cannot write on that pipe (it never holds it, and sbxrun-inner is not dumpable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sbx {

// What the refused call would have done to its path.
enum class FsOp : unsigned char {
    create,  // a new file, directory, symlink, fifo or socket
    write,   // an existing file opened for writing or truncation
    remove,  // unlink or rmdir
    rename,  // either side of a rename
};

[[nodiscard]] const char* to_string(FsOp op);
[[nodiscard]] std::optional<FsOp> fs_op_from(std::string_view word);

struct FsRefusal {
    FsOp op = FsOp::create;
    std::string path;  // absolute, as the sandbox saw it
    std::uint64_t count = 0;

    bool operator==(const FsRefusal&) const = default;
};

class DenialLog {
public:
    static constexpr std::size_t kMaxDistinct = 256;
    static constexpr std::size_t kMaxPath = 4096;  // longer paths are cut (and marked "...")

    // May throw std::bad_alloc: the brokers catch it (the kernel still refuses the call).
    void add(FsOp op, std::string_view path);

    [[nodiscard]] const std::vector<FsRefusal>& refusals() const { return list_; }
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }
    [[nodiscard]] bool empty() const { return list_.empty() && dropped_ == 0; }

    // The report lines above.
    [[nodiscard]] std::string lines() const;

private:
    std::vector<FsRefusal> list_;
    std::unordered_map<std::string, std::size_t> index_;  // op byte + path -> list_ index
    std::uint64_t dropped_ = 0;
};

// Parse report lines (the "D"/"d" lines of `lines()`), appending to `out` and adding to
// `dropped`. A malformed line is skipped: the log is a report, and its writer is sbxrun-inner.
void parse_denial_lines(std::string_view text, std::vector<FsRefusal>& out, std::uint64_t& dropped);

}  // namespace sbx
