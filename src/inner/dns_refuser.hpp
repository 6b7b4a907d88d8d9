// Name lookups in a sandbox without a network fail at once, and sbxrun learns which names the
// command tried (bwrap backend, network.mode = "none").
//
// Why: the sandbox's network namespace has only a loopback interface, so a lookup's query to
// the name server /etc/resolv.conf names fails with "network unreachable", which resolvers
// report as a *temporary* failure (EAI_AGAIN, "Temporary failure in name resolution"): npm
// retries it for over a minute, pip five times, before the command says anything useful.
// sbxrun-inner instead answers every query itself, in the sandbox's own namespace: it gives
// that namespace's loopback interface the addresses of the name servers (nothing of the host
// changes), listens on their port 53 (UDP), and answers each query "no such name" (NXDOMAIN),
// which resolvers take as final (EAI_NONAME; npm's ENOTFOUND). Each name asked for is written,
// once, as a line on a pipe that sbxrun reads after the run (the status document's
// denials.network and the last line on stderr).
//
// The answering process is a child of sbxrun-inner, made before the command starts, with no
// capabilities, the inner stage's seccomp filter, not dumpable, and only its sockets and the
// pipe open. The command can kill it (same uid): lookups then fail with "connection refused",
// still at once; nothing it could send the process reaches more than the parser below.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// The name servers of a resolv.conf text, as written (at most 3, glibc's MAXNS): the value of
// each "nameserver" line that is a numeric IPv4 or IPv6 address without a zone ("%eth0").
// Without any, "127.0.0.1": where glibc then sends its queries.
[[nodiscard]] std::vector<std::string> resolv_conf_nameservers(std::string_view text);

// The answer to the DNS query `q`: the same id and question, QR and RA set, RD copied,
// RCODE 3 (NXDOMAIN), no records. Written to `out` (at least 12 + 260 bytes); its length, or
// nullopt when `q` is not a standard query with one well-formed question (then nothing is
// answered). `name` gets the question's name, dotted, lower-cased, without the final dot,
// every byte but [a-z0-9_*-] of a label written \xHH (a '.' inside a label too).
inline constexpr std::size_t kDnsAnswerMax = 12 + 256 + 4;
[[nodiscard]] std::optional<std::size_t> dns_nxdomain_answer(const unsigned char* q,
                                                             std::size_t len, unsigned char* out,
                                                             std::string& name);

// The listening sockets, one per name server, bound in the sandbox's network namespace.
struct DnsRefuser {
    std::vector<UniqueFd> sockets;
};

// In sbxrun-inner, while it still holds CAP_NET_ADMIN (the loopback addresses) and
// CAP_NET_BIND_SERVICE (port 53). A name server that cannot be served is skipped: lookups to
// it then fail as they would without this (unreachable), and nothing else changes.
[[nodiscard]] DnsRefuser open_dns_refuser(const char* resolv_conf = "/etc/resolv.conf");

// A name as dns_nxdomain_answer wrote it, back to its bytes (each \xHH one byte), for sbxrun to
// carry as it carries paths: raw, escaped once where it is shown. nullopt for a line that is not
// such a name (a byte outside [a-z0-9._*-] or a malformed escape): the answerer parses what the
// command sends, so its pipe is read as untrusted too.
[[nodiscard]] std::optional<std::string> decode_logged_name(std::string_view line);

// Fork the answering process; this process keeps none of the sockets. log_fd: where each
// distinct name is written as one line (the first kDnsNamesLogged), and each further distinct
// name as a line "+1" (up to kDnsNamesCounted more). A logged name never holds '+' or a
// newline (dns_nxdomain_answer escapes them).
inline constexpr std::size_t kDnsNamesLogged = 64;
inline constexpr std::size_t kDnsNamesCounted = 4096;
[[nodiscard]] Status start_dns_refuser(DnsRefuser refuser, int log_fd);

// Once the command has ended: kill and reap the answering process, if one was started, so that
// end_orphans() finds nothing left (it would otherwise spend a /proc scan and a millisecond's
// sleep on it, at the end of every run). Async-signal-safe.
void stop_dns_refuser() noexcept;

}  // namespace sbx
