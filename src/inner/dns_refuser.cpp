#include "inner/dns_refuser.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "inner/fds.hpp"
#include "inner/metadata_filter.hpp"
#include "inner/seccomp_filter.hpp"

namespace sbx {
namespace {

// The answering process (start_dns_refuser), for stop_dns_refuser(); 0: none.
pid_t g_answerer = 0;

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// A name server's address, parsed.
struct Server {
    int family = AF_INET;
    in_addr v4{};
    in6_addr v6{};
};

std::optional<Server> parse_server(const std::string& text) {
    Server s;
    if (::inet_pton(AF_INET, text.c_str(), &s.v4) == 1) return s;
    s.family = AF_INET6;
    if (::inet_pton(AF_INET6, text.c_str(), &s.v6) == 1) return s;
    return std::nullopt;
}

// Whether the sandbox's loopback already answers for the address (127.0.0.0/8, ::1).
bool on_loopback(const Server& s) {
    if (s.family == AF_INET) return (ntohl(s.v4.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&s.v6);
}

// Give the loopback interface of our network namespace the address `s` (RTM_NEWADDR), so that
// queries sent to it arrive here. An address it already has is fine.
bool add_to_loopback(const Server& s) {
    UniqueFd nl(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!nl) return false;
    struct {
        nlmsghdr nh;
        ifaddrmsg ifa;
        alignas(NLMSG_ALIGNTO) unsigned char attrs[2 * RTA_SPACE(sizeof(in6_addr))];
    } req{};
    const std::size_t alen = s.family == AF_INET ? sizeof(in_addr) : sizeof(in6_addr);
    const void* addr = s.family == AF_INET ? static_cast<const void*>(&s.v4) : &s.v6;
    req.nh.nlmsg_type = RTM_NEWADDR;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
    req.nh.nlmsg_seq = 1;
    req.ifa.ifa_family = static_cast<unsigned char>(s.family);
    req.ifa.ifa_prefixlen = static_cast<unsigned char>(alen * 8);
    req.ifa.ifa_scope = RT_SCOPE_HOST;
    req.ifa.ifa_index = ::if_nametoindex("lo");
    if (req.ifa.ifa_index == 0) return false;
    std::size_t len = NLMSG_LENGTH(sizeof(ifaddrmsg));
    for (unsigned short type : {IFA_LOCAL, IFA_ADDRESS}) {
        auto* rta = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(len));
        rta->rta_type = type;
        rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(alen));
        std::memcpy(RTA_DATA(rta), addr, alen);
        len = NLMSG_ALIGN(len) + RTA_ALIGN(rta->rta_len);
    }
    req.nh.nlmsg_len = static_cast<unsigned>(len);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(nl.get(), &req, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return false;
    alignas(nlmsghdr) char buf[512];
    const ssize_t n = ::recv(nl.get(), buf, sizeof buf, 0);
    if (n < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr)))) return false;
    const auto* h = reinterpret_cast<const nlmsghdr*>(buf);
    if (h->nlmsg_type != NLMSG_ERROR) return false;
    const int err = -static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
    return err == 0 || err == EEXIST;
}

UniqueFd listen_on(const Server& s) {
    UniqueFd fd(::socket(s.family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return fd;
    int rc;
    if (s.family == AF_INET) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(53);
        a.sin_addr = s.v4;
        rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
        const int only = 1;
        (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(53);
        a.sin6_addr = s.v6;
        rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    if (rc != 0) fd.reset();
    return fd;
}

void write_line(int fd, const std::string& line) {
    std::string out = line + "\n";
    // Non-blocking: a full pipe loses a name from the report, never stalls an answer.
    ssize_t n;
    do {
        n = ::write(fd, out.data(), out.size());
    } while (n < 0 && errno == EINTR);
}

[[noreturn]] void serve(const DnsRefuser& r, int log_fd) {
    std::vector<pollfd> pfds;
    for (const auto& s : r.sockets) pfds.push_back({s.get(), POLLIN, 0});
    // The first kDnsNamesLogged distinct names are written whole; the next ones only counted,
    // each as a line "+1", up to kDnsNamesCounted (pipe space: 64 names of 253 bytes and 4096
    // short lines fit the 64 KiB a pipe holds, so nothing waits on sbxrun).
    std::vector<std::string> logged;
    std::vector<std::size_t> counted;
    unsigned char query[1500];
    unsigned char answer[kDnsAnswerMax];
    for (;;) {
        if (::poll(pfds.data(), pfds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            ::_exit(0);
        }
        for (const pollfd& p : pfds) {
            if ((p.revents & POLLIN) == 0) continue;
            sockaddr_storage from{};
            socklen_t flen = sizeof from;
            const ssize_t n =
                ::recvfrom(p.fd, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&from), &flen);
            if (n <= 0) continue;
            std::string name;
            auto len = dns_nxdomain_answer(query, static_cast<std::size_t>(n), answer, name);
            if (!len) continue;
            // Logged before the answer: once the command has its answer, the name is in the
            // pipe, whenever the run ends after it.
            if (std::find(logged.begin(), logged.end(), name) == logged.end()) {
                const std::size_t h = std::hash<std::string>{}(name);
                if (logged.size() < kDnsNamesLogged) {
                    logged.push_back(name);
                    write_line(log_fd, name);
                } else if (counted.size() < kDnsNamesCounted &&
                           std::find(counted.begin(), counted.end(), h) == counted.end()) {
                    counted.push_back(h);
                    write_line(log_fd, "+1");
                }
            }
            (void)::sendto(p.fd, answer, *len, 0, reinterpret_cast<sockaddr*>(&from), flen);
        }
    }
}

}  // namespace

std::vector<std::string> resolv_conf_nameservers(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty() && out.size() < 3) {
        const std::size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        constexpr std::string_view kKey = "nameserver";
        if (line.substr(0, kKey.size()) != kKey || line.size() == kKey.size() ||
            !blank(line[kKey.size()]))
            continue;
        std::string_view value = trim(line.substr(kKey.size()));
        const std::size_t end = value.find_first_of(" \t#;");
        value = value.substr(0, end);
        if (value.empty() || value.find('%') != std::string_view::npos) continue;
        std::string v(value);
        if (parse_server(v)) out.push_back(std::move(v));
    }
    if (out.empty()) out.emplace_back("127.0.0.1");
    return out;
}

std::optional<std::string> decode_logged_name(std::string_view line) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*' ||
            c == '.') {
            out += c;
            continue;
        }
        if (c != '\\' || i + 3 >= line.size() || line[i + 1] != 'x') return std::nullopt;
        const int hi = hex(line[i + 2]), lo = hex(line[i + 3]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 3;
    }
    return out;
}

std::optional<std::size_t> dns_nxdomain_answer(const unsigned char* q, std::size_t len,
                                               unsigned char* out, std::string& name) {
    name.clear();
    if (len < 12) return std::nullopt;
    const unsigned flags = (unsigned(q[2]) << 8) | q[3];
    const unsigned qdcount = (unsigned(q[4]) << 8) | q[5];
    // A query (QR clear), standard opcode 0, one question.
    if ((flags & 0x8000u) != 0 || ((flags >> 11) & 0xFu) != 0 || qdcount != 1) return std::nullopt;
    // The question's name: labels of 1..63 bytes up to the root, 255 bytes in all, no
    // compression (a question is the first name of the message: nothing to point back to).
    std::size_t at = 12;
    for (;;) {
        if (at >= len) return std::nullopt;
        const unsigned l = q[at];
        if (l == 0) break;
        if (l > 63 || at + 1 + l > len || at + 1 + l - 12 > 254) return std::nullopt;
        if (!name.empty()) name += '.';
        for (std::size_t i = at + 1; i < at + 1 + l; ++i) {
            const unsigned char c = q[i];
            // A label is any bytes: all but a host name's letters are written \xHH, so that a
            // name is one plain line (no newline, no '+': see start_dns_refuser) on any path.
            if (c >= 'A' && c <= 'Z') {
                name += static_cast<char>(c - 'A' + 'a');
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                       c == '*') {
                name += static_cast<char>(c);
            } else {
                static constexpr char kHex[] = "0123456789abcdef";
                name += "\\x";
                name += kHex[c >> 4];
                name += kHex[c & 15];
            }
        }
        at += 1 + l;
    }
    const std::size_t question_end = at + 1 + 4;  // the root label, QTYPE, QCLASS
    if (question_end > len || question_end > kDnsAnswerMax) return std::nullopt;
    std::memcpy(out, q, question_end);
    // QR, the opcode (0), RD as asked, RA; Z and the flags of the query cleared; NXDOMAIN.
    out[2] = static_cast<unsigned char>(0x80u | (q[2] & 0x01u));
    out[3] = 0x80u | 0x03u;
    out[4] = 0;
    out[5] = 1;                  // QDCOUNT
    std::memset(out + 6, 0, 6);  // ANCOUNT, NSCOUNT, ARCOUNT
    return question_end;
}

DnsRefuser open_dns_refuser(const char* resolv_conf) {
    DnsRefuser r;
    // No resolv.conf is glibc's "127.0.0.1" too (resolv_conf_nameservers of nothing).
    UniqueFd f(::open(resolv_conf, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    std::string text;
    char buf[4096];
    ssize_t n;
    // A resolv.conf is a few hundred bytes; more than 64 KiB is not one.
    while (f && text.size() < 65536 && (n = ::read(f.get(), buf, sizeof buf)) > 0)
        text.append(buf, static_cast<std::size_t>(n));
    for (const auto& text_addr : resolv_conf_nameservers(text)) {
        auto s = parse_server(text_addr);
        if (!s) continue;
        if (!on_loopback(*s) && !add_to_loopback(*s)) continue;
        if (UniqueFd fd = listen_on(*s)) r.sockets.push_back(std::move(fd));
    }
    return r;
}

Status start_dns_refuser(DnsRefuser refuser, int log_fd) {
    if (refuser.sockets.empty() || log_fd < 0) return {};
    // Built before the fork (it allocates); loaded by the child.
    auto helper = build_helper_filter();
    if (!helper) return std::move(helper).error();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return os_error("fork the name-lookup answerer", errno);
    if (pid == 0) {
        // Ends with sbxrun-inner, whatever ends it; the terminal's signals are the command's.
        (void)::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        (void)::prctl(PR_SET_NAME, "sbxrun-dns", 0, 0, 0);  // what ps and top show
        if (::getppid() != parent) ::_exit(0);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU})
            ::signal(sig, SIG_IGN);
        std::vector<int> keep{log_fd};
        for (const auto& s : refuser.sockets) keep.push_back(s.get());
        if (!close_fds_except(keep)) ::_exit(0);
        // Not 0, 1, 2 either: the command's terminal is none of this process's business.
        for (int fd = 0; fd <= 2; ++fd)
            if (std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
        const int fl = ::fcntl(log_fd, F_GETFL);
        if (fl >= 0) (void)::fcntl(log_fd, F_SETFL, fl | O_NONBLOCK);
        // It parses what the command sends: should that ever go wrong, it can make no socket
        // (a unix one would reach whatever socket file the sandbox shows) and read no memory
        // but its own. Without the filter it serves nothing: lookups then fail at once.
        if (load_seccomp(*helper) != 0) ::_exit(0);
        serve(refuser, log_fd);
    }
    g_answerer = pid;
    return {};
}

void stop_dns_refuser() noexcept {
    if (g_answerer <= 0) return;
    ::kill(g_answerer, SIGKILL);
    while (::waitpid(g_answerer, nullptr, 0) < 0 && errno == EINTR) {
    }
    g_answerer = 0;
}

}  // namespace sbx
