// The argv encoding of InnerSpec. Every scalar is always written, so parse_inner_args() starts
// from nothing implicit and to_args()/parse_inner_args() are exact inverses (unit-tested).
//
//   --verify DEV:INO:ro|rw PATH     (repeated, in order)
//   --placeholder DEV:INO PATH      (repeated, in order: bound read-only onto itself)
//   --entry-block DEV:INO PATH      (repeated, in order: a directory of the entry broker)
//   --entry-name NAME               (repeated, >= 1 after each --entry-block: its blocked names)
//   --pin PATH TEXT                 (repeated, in order; TEXT: what the link says)
//   --devpts
//   --landlock ABI:FS:NET:SCOPED    (only when spec.landlock; decimal numbers)
//   --landlock-rule FD:ACCESS       (repeated, only when spec.landlock)
//   --landlock-connect PORT         (repeated, only when spec.landlock: TCP connect allowed)
//   --seccomp none|base|no_network|netns|tcp_only
//   --unix-sockets allow|refuse
//   --new-session yes|no
//   --ctty                          (only when spec.controlling_tty)
//   --report-fd N   --stderr-fd N   (-1 allowed: none)
//   --keep-fd N                     (repeated)
//   --chdir DIR                     (only when non-empty)
//   --nofile N                      (only when non-zero: the command's soft RLIMIT_NOFILE)
//   --dns-log FD                    (only when >= 0: answer name lookups, log them there)
//   --proxy-sock FD                 (only when >= 0: send the proxy listener over it)
//   --deny-watch dir|file PATH      (repeated, in order: a denied path whose reads are watched)
//   -- COMMAND [ARG...]             (at least the command)
#include "inner/inner_spec.hpp"

#include <charconv>
#include <optional>
#include <string_view>

namespace sbx {

namespace {

Error usage(std::string msg) {
    return Error(ErrorKind::usage, std::move(msg));
}

// Strict decimal: digits only (an optional leading '-' when allow_negative), whole string used.
template <class T>
bool parse_number(std::string_view s, T& out) {
    if (s.empty() || s.front() == '+') return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_fd(std::string_view s, int& out, bool allow_none) {
    if (!parse_number(s, out)) return false;
    return out >= 0 || (allow_none && out == -1);
}

// Split "a:b:c" into exactly n parts.
bool split(std::string_view s, std::size_t n, std::string_view* parts) {
    for (std::size_t i = 0; i < n; ++i) {
        auto colon = s.find(':');
        if (i + 1 == n) {
            if (colon != std::string_view::npos) return false;
            parts[i] = s;
        } else {
            if (colon == std::string_view::npos) return false;
            parts[i] = s.substr(0, colon);
            s.remove_prefix(colon + 1);
        }
    }
    return true;
}

std::optional<SeccompProfile> seccomp_from_string(std::string_view s) {
    for (auto p :
         {SeccompProfile::none, SeccompProfile::base, SeccompProfile::no_network,
          SeccompProfile::netns, SeccompProfile::tcp_only, SeccompProfile::no_network_observed}) {
        if (s == to_string(p)) return p;
    }
    return std::nullopt;
}

}  // namespace

const char* to_string(SeccompProfile p) {
    switch (p) {
        case SeccompProfile::none:
            return "none";
        case SeccompProfile::base:
            return "base";
        case SeccompProfile::no_network:
            return "no_network";
        case SeccompProfile::netns:
            return "netns";
        case SeccompProfile::tcp_only:
            return "tcp_only";
        case SeccompProfile::no_network_observed:
            return "no_network_observed";
    }
    return "base";
}

std::vector<std::string> to_args(const InnerSpec& spec) {
    std::vector<std::string> a;
    for (const auto& v : spec.verify) {
        a.emplace_back("--verify");
        a.push_back(std::to_string(v.dev) + ":" + std::to_string(v.ino) + ":" +
                    (v.read_only ? "ro" : "rw"));
        a.push_back(v.path);
    }
    for (const auto& v : spec.placeholders) {
        a.emplace_back("--placeholder");
        a.push_back(std::to_string(v.dev) + ":" + std::to_string(v.ino));
        a.push_back(v.path);
    }
    for (const auto& b : spec.entry_blocks) {
        a.emplace_back("--entry-block");
        a.push_back(std::to_string(b.dev) + ":" + std::to_string(b.ino));
        a.push_back(b.path);
        for (const auto& n : b.names) {
            a.emplace_back("--entry-name");
            a.push_back(n);
        }
        if (b.dot_names) a.emplace_back("--entry-dot-names");
    }
    for (const auto& p : spec.pins) {
        a.emplace_back("--pin");
        a.push_back(p.path);
        a.push_back(p.text);
    }
    if (spec.mount_devpts) a.emplace_back("--devpts");
    if (spec.landlock) {
        const auto& l = spec.landlock_spec;
        a.emplace_back("--landlock");
        a.push_back(std::to_string(l.abi) + ":" + std::to_string(l.handled_fs) + ":" +
                    std::to_string(l.handled_net) + ":" + std::to_string(l.scoped));
        for (const auto& r : l.rules) {
            a.emplace_back("--landlock-rule");
            a.push_back(std::to_string(r.fd) + ":" + std::to_string(r.access));
        }
        for (auto port : l.connect_ports) {
            a.emplace_back("--landlock-connect");
            a.push_back(std::to_string(port));
        }
    }
    a.emplace_back("--seccomp");
    a.emplace_back(to_string(spec.seccomp));
    a.emplace_back("--unix-sockets");
    a.emplace_back(spec.refuse_unix_sockets ? "refuse" : "allow");
    a.emplace_back("--new-session");
    a.emplace_back(spec.new_session ? "yes" : "no");
    if (spec.controlling_tty) a.emplace_back("--ctty");
    a.emplace_back("--report-fd");
    a.push_back(std::to_string(spec.report_fd));
    a.emplace_back("--stderr-fd");
    a.push_back(std::to_string(spec.stderr_fd));
    for (int fd : spec.keep_fds) {
        a.emplace_back("--keep-fd");
        a.push_back(std::to_string(fd));
    }
    if (!spec.chdir.empty()) {
        a.emplace_back("--chdir");
        a.push_back(spec.chdir);
    }
    if (spec.nofile_soft != 0) {
        a.emplace_back("--nofile");
        a.push_back(std::to_string(spec.nofile_soft));
    }
    if (spec.dns_log_fd >= 0) {
        a.emplace_back("--dns-log");
        a.push_back(std::to_string(spec.dns_log_fd));
    }
    if (spec.proxy_sock >= 0) {
        a.emplace_back("--proxy-sock");
        a.push_back(std::to_string(spec.proxy_sock));
    }
    for (const auto& w : spec.deny_watch) {
        a.emplace_back("--deny-watch");
        a.emplace_back(w.directory ? "dir" : "file");
        a.push_back(w.path);
    }
    if (spec.trace_origin_ns != 0) {
        a.emplace_back("--trace-timing");
        a.push_back(std::to_string(spec.trace_origin_ns));
    }
    a.emplace_back("--");
    a.insert(a.end(), spec.argv.begin(), spec.argv.end());
    return a;
}

Result<InnerSpec> parse_inner_args(const std::vector<std::string>& args) {
    InnerSpec spec;
    bool seen_landlock = false, seen_seccomp = false, seen_session = false, seen_report = false,
         seen_stderr = false, seen_chdir = false, seen_devpts = false, seen_unix = false,
         seen_nofile = false, seen_ctty = false, seen_dns = false, seen_proxy = false,
         seen_trace = false;
    bool saw_dashdash = false;
    std::size_t i = 0;
    auto value = [&](const std::string& opt) -> Result<std::string_view> {
        if (i + 1 >= args.size()) return usage("option " + opt + " needs a value");
        return std::string_view(args[++i]);
    };
    auto once = [](bool& seen, const std::string& opt) -> Status {
        if (seen) return usage("option " + opt + " given twice");
        seen = true;
        return {};
    };
    for (; i < args.size(); ++i) {
        const std::string& opt = args[i];
        if (opt == "--") {
            ++i;
            saw_dashdash = true;
            break;
        }
        if (opt == "--devpts") {
            SBX_TRY(once(seen_devpts, opt));
            spec.mount_devpts = true;
            continue;
        }
        if (opt == "--ctty") {
            SBX_TRY(once(seen_ctty, opt));
            spec.controlling_tty = true;
            continue;
        }
        if (opt == "--entry-dot-names") {
            if (spec.entry_blocks.empty())
                return usage("--entry-dot-names before any --entry-block");
            if (spec.entry_blocks.back().dot_names)
                return usage("option " + opt + " given twice for one --entry-block");
            spec.entry_blocks.back().dot_names = true;
            continue;
        }
        auto v = value(opt);
        if (!v) return std::move(v).error();
        std::string_view val = *v;
        if (opt == "--verify") {
            std::string_view p[3];
            VerifyMount vm;
            if (!split(val, 3, p) || !parse_number(p[0], vm.dev) || !parse_number(p[1], vm.ino) ||
                (p[2] != "ro" && p[2] != "rw"))
                return usage("--verify needs DEV:INO:ro|rw PATH, got '" + std::string(val) + "'");
            vm.read_only = p[2] == "ro";
            auto path = value(opt);
            if (!path) return std::move(path).error();
            if (path->empty() || path->front() != '/' ||
                path->find('\0') != std::string_view::npos)
                return usage("--verify needs an absolute path, got '" + std::string(*path) + "'");
            vm.path = std::string(*path);
            spec.verify.push_back(std::move(vm));
        } else if (opt == "--placeholder") {
            std::string_view p[2];
            VerifyMount vm;
            if (!split(val, 2, p) || !parse_number(p[0], vm.dev) || !parse_number(p[1], vm.ino))
                return usage("--placeholder needs DEV:INO PATH, got '" + std::string(val) + "'");
            auto path = value(opt);
            if (!path) return std::move(path).error();
            if (path->size() < 2 || path->front() != '/' || path->back() == '/' ||
                path->find('\0') != std::string_view::npos)
                return usage("--placeholder needs an absolute path, got '" + std::string(*path) +
                             "'");
            vm.path = std::string(*path);
            spec.placeholders.push_back(std::move(vm));
        } else if (opt == "--entry-block") {
            std::string_view p[2];
            EntryBlock eb;
            if (!split(val, 2, p) || !parse_number(p[0], eb.dev) || !parse_number(p[1], eb.ino))
                return usage("--entry-block needs DEV:INO PATH, got '" + std::string(val) + "'");
            auto path = value(opt);
            if (!path) return std::move(path).error();
            if (path->empty() || path->front() != '/' || path->find('\0') != std::string_view::npos)
                return usage("--entry-block needs an absolute path, got '" + std::string(*path) +
                             "'");
            if (!spec.entry_blocks.empty() && spec.entry_blocks.back().names.empty() &&
                !spec.entry_blocks.back().dot_names)
                return usage("--entry-block " + spec.entry_blocks.back().path +
                             " has no --entry-name");
            eb.path = std::string(*path);
            spec.entry_blocks.push_back(std::move(eb));
        } else if (opt == "--entry-name") {
            if (spec.entry_blocks.empty()) return usage("--entry-name before any --entry-block");
            if (val.empty() || val == "." || val == ".." ||
                val.find('/') != std::string_view::npos || val.find('\0') != std::string_view::npos)
                return usage("--entry-name needs a file name, got '" + std::string(val) + "'");
            spec.entry_blocks.back().names.emplace_back(val);
        } else if (opt == "--pin") {
            if (val.empty() || val.front() != '/' || val.find('\0') != std::string_view::npos)
                return usage("--pin needs an absolute path, got '" + std::string(val) + "'");
            auto text = value(opt);
            if (!text) return std::move(text).error();
            if (text->empty() || text->find('\0') != std::string_view::npos)
                return usage("--pin needs the link's text after its path");
            spec.pins.push_back(PinSpec{std::string(val), std::string(*text)});
        } else if (opt == "--landlock") {
            SBX_TRY(once(seen_landlock, opt));
            std::string_view p[4];
            auto& l = spec.landlock_spec;
            if (!split(val, 4, p) || !parse_number(p[0], l.abi) || l.abi < 1 ||
                !parse_number(p[1], l.handled_fs) || !parse_number(p[2], l.handled_net) ||
                !parse_number(p[3], l.scoped))
                return usage("--landlock needs ABI:FS:NET:SCOPED, got '" + std::string(val) + "'");
            spec.landlock = true;
        } else if (opt == "--landlock-rule") {
            std::string_view p[2];
            LandlockRule r;
            if (!split(val, 2, p) || !parse_fd(p[0], r.fd, false) || !parse_number(p[1], r.access))
                return usage("--landlock-rule needs FD:ACCESS, got '" + std::string(val) + "'");
            spec.landlock_spec.rules.push_back(r);
        } else if (opt == "--landlock-connect") {
            std::uint64_t port = 0;
            if (!parse_number(val, port) || port == 0 || port > 65535)
                return usage("--landlock-connect needs a TCP port, got '" + std::string(val) + "'");
            spec.landlock_spec.connect_ports.push_back(static_cast<std::uint16_t>(port));
        } else if (opt == "--seccomp") {
            SBX_TRY(once(seen_seccomp, opt));
            auto p = seccomp_from_string(val);
            if (!p) return usage("--seccomp: unknown profile '" + std::string(val) + "'");
            spec.seccomp = *p;
        } else if (opt == "--unix-sockets") {
            SBX_TRY(once(seen_unix, opt));
            if (val != "allow" && val != "refuse")
                return usage("--unix-sockets needs allow or refuse, got '" + std::string(val) +
                             "'");
            spec.refuse_unix_sockets = val == "refuse";
        } else if (opt == "--new-session") {
            SBX_TRY(once(seen_session, opt));
            if (val != "yes" && val != "no")
                return usage("--new-session needs yes or no, got '" + std::string(val) + "'");
            spec.new_session = val == "yes";
        } else if (opt == "--report-fd" || opt == "--stderr-fd") {
            bool report = opt == "--report-fd";
            SBX_TRY(once(report ? seen_report : seen_stderr, opt));
            if (!parse_fd(val, report ? spec.report_fd : spec.stderr_fd, true))
                return usage(opt + " needs a descriptor number, got '" + std::string(val) + "'");
        } else if (opt == "--keep-fd") {
            int fd = -1;
            if (!parse_fd(val, fd, false))
                return usage("--keep-fd needs a descriptor number, got '" + std::string(val) + "'");
            spec.keep_fds.push_back(fd);
        } else if (opt == "--chdir") {
            SBX_TRY(once(seen_chdir, opt));
            if (val.empty()) return usage("--chdir needs a directory");
            spec.chdir = std::string(val);
        } else if (opt == "--nofile") {
            SBX_TRY(once(seen_nofile, opt));
            if (!parse_number(val, spec.nofile_soft) || spec.nofile_soft == 0)
                return usage("--nofile needs a positive number, got '" + std::string(val) + "'");
        } else if (opt == "--dns-log") {
            SBX_TRY(once(seen_dns, opt));
            if (!parse_fd(val, spec.dns_log_fd, false))
                return usage("--dns-log needs a descriptor number, got '" + std::string(val) + "'");
        } else if (opt == "--proxy-sock") {
            SBX_TRY(once(seen_proxy, opt));
            if (!parse_fd(val, spec.proxy_sock, false))
                return usage("--proxy-sock needs a descriptor number, got '" + std::string(val) +
                             "'");
        } else if (opt == "--deny-watch") {
            if (val != "dir" && val != "file")
                return usage("--deny-watch needs dir|file PATH, got '" + std::string(val) + "'");
            DenyWatchSpec w;
            w.directory = val == "dir";
            auto path = value(opt);
            if (!path) return std::move(path).error();
            if (path->empty() || path->front() != '/' || path->find('\0') != std::string_view::npos)
                return usage("--deny-watch needs an absolute path, got '" + std::string(*path) +
                             "'");
            w.path = std::string(*path);
            spec.deny_watch.push_back(std::move(w));
        } else if (opt == "--trace-timing") {
            SBX_TRY(once(seen_trace, opt));
            if (!parse_number(val, spec.trace_origin_ns) || spec.trace_origin_ns == 0)
                return usage("--trace-timing needs a positive number, got '" + std::string(val) +
                             "'");
        } else {
            return usage("unknown option '" + opt + "'");
        }
    }
    if (!spec.landlock && !spec.landlock_spec.rules.empty())
        return usage("--landlock-rule without --landlock");
    if (!spec.landlock && !spec.landlock_spec.connect_ports.empty())
        return usage("--landlock-connect without --landlock");
    if (!spec.entry_blocks.empty() && spec.entry_blocks.back().names.empty() &&
        !spec.entry_blocks.back().dot_names)
        return usage("--entry-block " + spec.entry_blocks.back().path + " has no --entry-name");
    if (!saw_dashdash) return usage("missing '--' before the command");
    if (i == args.size()) return usage("no command after '--'");
    spec.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    if (spec.argv.front().empty()) return usage("the command name is empty");
    return spec;
}

}  // namespace sbx
