#include "inner/denial_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <iterator>

namespace sbx {
namespace {

constexpr const char* kOpNames[] = {"create", "write", "remove", "rename",  "chmod",
                                    "chown",  "utime", "xattr",  "connect", "send",
                                    "socket", "read",  "link"};

bool plain(unsigned char c) {
    return c > 0x20 && c != 0x7f && c != '\\';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool parse_count(std::string_view s, std::uint64_t& out) {
    if (s.empty()) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

// Undo the \xHH escapes of a report path; false on a malformed one.
bool unescape(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '\\') {
            out += in[i];
            continue;
        }
        if (i + 3 >= in.size() || in[i + 1] != 'x') return false;
        const int hi = hex_value(in[i + 2]), lo = hex_value(in[i + 3]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 3;
    }
    return true;
}

static_assert(std::size(kOpNames) == static_cast<std::size_t>(RefusedOp::link) + 1,
              "a name for every RefusedOp");

}  // namespace

const char* to_string(RefusedOp op) {
    return kOpNames[static_cast<int>(op)];
}

std::optional<RefusedOp> refused_op_from(std::string_view word) {
    for (std::size_t i = 0; i < std::size(kOpNames); ++i)
        if (word == kOpNames[i]) return static_cast<RefusedOp>(i);
    return std::nullopt;
}

void DenialLog::add(RefusedOp op, std::string_view path, std::uint64_t times) {
    if (times == 0) return;
    std::string key;
    key.reserve(1 + std::min(path.size(), kMaxPath + 3));
    key += static_cast<char>('0' + static_cast<int>(op));
    if (path.size() > kMaxPath) {
        key.append(path.substr(0, kMaxPath));
        key += "...";
    } else {
        key.append(path);
    }
    if (auto it = index_.find(key); it != index_.end()) {
        list_[it->second].count += times;
        return;
    }
    if (list_.size() >= kMaxDistinct) {
        dropped_ += times;
        return;
    }
    Refusal r{op, key.substr(1), times};
    if (stream_fd_ >= 0) {
        const std::string line = denial_line(r);
        if (streamed_ + line.size() > kMaxStreamBytes) {
            dropped_ += times;
            return;
        }
        const char* p = line.data();
        std::size_t left = line.size();
        while (left > 0) {
            const ssize_t n = ::write(stream_fd_, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // the reader is gone: nobody left to tell
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        streamed_ += line.size();
    }
    list_.push_back(std::move(r));
    index_.emplace(std::move(key), list_.size() - 1);
}

std::string denial_line(const Refusal& r) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "D ";
    out += to_string(r.op);
    out += ' ';
    out += std::to_string(r.count);
    out += ' ';
    for (char c : r.path) {
        const auto u = static_cast<unsigned char>(c);
        if (plain(u)) {
            out += c;
        } else {
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    out += '\n';
    return out;
}

std::string DenialLog::closing_lines() const {
    std::string out;
    for (std::size_t i = 0; i < list_.size(); ++i)
        if (list_[i].count > 1)
            out += "c " + std::to_string(i) + " " + std::to_string(list_[i].count) + "\n";
    if (dropped_ != 0) out += "d " + std::to_string(dropped_) + "\n";
    return out;
}

std::string DenialLog::lines() const {
    std::string out;
    for (const auto& r : list_) out += denial_line(r);
    if (dropped_ != 0) out += "d " + std::to_string(dropped_) + "\n";
    return out;
}

void parse_denial_lines(std::string_view text, std::vector<Refusal>& out, std::uint64_t& dropped) {
    const std::size_t base = out.size();
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.size() > 2 && line.substr(0, 2) == "d ") {
            std::uint64_t n = 0;
            if (parse_count(line.substr(2), n)) dropped += n;
            continue;
        }
        if (line.size() > 2 && line.substr(0, 2) == "c ") {
            const std::string_view rest = line.substr(2);
            const auto sp = rest.find(' ');
            std::uint64_t index = 0, count = 0;
            if (sp != std::string_view::npos && parse_count(rest.substr(0, sp), index) &&
                parse_count(rest.substr(sp + 1), count) && count > 0 && index < out.size() - base)
                out[base + index].count = count;
            continue;
        }
        if (line.size() < 2 || line.substr(0, 2) != "D ") continue;
        std::string_view rest = line.substr(2);
        const auto sp1 = rest.find(' ');
        if (sp1 == std::string_view::npos) continue;
        const auto op = refused_op_from(rest.substr(0, sp1));
        rest.remove_prefix(sp1 + 1);
        const auto sp2 = rest.find(' ');
        if (!op || sp2 == std::string_view::npos) continue;
        Refusal r;
        r.op = *op;
        if (!parse_count(rest.substr(0, sp2), r.count) || r.count == 0) continue;
        // A file's path is absolute; a destination ("1.2.3.4:443") is not a path.
        if (!unescape(rest.substr(sp2 + 1), r.path) || r.path.empty() ||
            (r.path[0] == '/') == is_network(r.op))
            continue;
        out.push_back(std::move(r));
    }
}

}  // namespace sbx
