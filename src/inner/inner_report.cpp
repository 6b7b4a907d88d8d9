#include "inner/inner_report.hpp"

#include <charconv>

namespace sbx {

namespace {

Error bad(std::string_view data, const char* why) {
    std::string shown(data.substr(0, 80));
    return Error(ErrorKind::internal,
                 std::string("malformed report from sbxrun-inner (") + why + "): '" + shown + "'");
}

}  // namespace

InnerStream split_started(std::string_view data) noexcept {
    InnerStream s;
    if (data.substr(0, kStartedRecord.size()) == kStartedRecord) {
        s.started = true;
        data.remove_prefix(kStartedRecord.size());
        // The denial lines, whole lines only (a partial one is still on its way).
        std::size_t end = 0;
        while (end + 2 <= data.size() &&
               (data[end] == 'D' || data[end] == 'd' || data[end] == 'c') && data[end + 1] == ' ') {
            const auto nl = data.find('\n', end);
            if (nl == std::string_view::npos) break;
            end = nl + 1;
        }
        s.denials = data.substr(0, end);
        data.remove_prefix(end);
    }
    s.rest = data;
    return s;
}

Result<InnerReport> parse_inner_report(std::string_view data) {
    if (data.empty()) return bad(data, "empty");
    if (data.size() > kInnerReportMax) return bad(data, "too long");
    if (data.back() != '\n') return bad(data, "no final newline");
    std::string_view body = data.substr(0, data.size() - 1);
    if (body.find('\n') != std::string_view::npos) return bad(data, "more than one record");
    if (body.size() < 3 || body[1] != ' ') return bad(data, "no tag");
    char tag = body[0];
    std::string_view rest = body.substr(2);

    InnerReport r;
    if (tag == 'F') {
        if (rest.empty()) return bad(data, "empty failure message");
        r.kind = InnerReport::Kind::setup_failed;
        r.message = std::string(rest);
        return r;
    }
    int lo = 0, hi = 0;
    switch (tag) {
        case 'X':
            r.kind = InnerReport::Kind::exited, lo = 0, hi = 255;
            break;
        case 'S':
            r.kind = InnerReport::Kind::signaled, lo = 1, hi = 64;
            break;
        case 'E':
            r.kind = InnerReport::Kind::exec_failed, lo = 1, hi = 4095;
            break;
        default:
            return bad(data, "unknown tag");
    }
    if (rest.front() == '-' || rest.front() == '+') return bad(data, "bad number");
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), r.value);
    if (ec != std::errc() || ptr != rest.data() + rest.size()) return bad(data, "bad number");
    if (r.value < lo || r.value > hi) return bad(data, "number out of range");
    return r;
}

std::size_t format_inner_report(char* buf, char kind, int value) noexcept {
    std::size_t n = 0;
    buf[n++] = kind;
    buf[n++] = ' ';
    auto [ptr, ec] = std::to_chars(buf + n, buf + kInnerReportMax - 1, value);
    n = ec == std::errc() ? static_cast<std::size_t>(ptr - buf) : n;
    buf[n++] = '\n';
    return n;
}

std::size_t format_inner_failure(char* buf, std::string_view message) noexcept {
    std::size_t n = 0;
    buf[n++] = 'F';
    buf[n++] = ' ';
    if (message.empty()) message = "unknown failure";
    for (char c : message) {
        if (n + 1 >= kInnerReportMax) break;
        buf[n++] = (c == '\n' || c == '\r') ? ' ' : c;
    }
    buf[n++] = '\n';
    return n;
}

}  // namespace sbx
