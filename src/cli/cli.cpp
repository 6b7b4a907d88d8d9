#include "cli/cli.hpp"

#include <getopt.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <string_view>

namespace sbx {
namespace {

// Values returned by getopt_long for options without a short form. Short options use their
// letter; everything else is above the char range so the two never collide.
enum LongOnly : int {
    opt_policy = 256,
    opt_import,
    opt_workspace,
    opt_backend,
    opt_tty,
    opt_explain,
    opt_explain_format,
    opt_check,
    opt_doctor,
    opt_status_fd,
    opt_status_file,
    opt_timeout,
    opt_print_policy,
    opt_trust_policy,
    opt_version,
    opt_help,
};

// One table drives getopt, the error messages and --help, so they cannot drift apart.
struct OptionSpec {
    const char* name;  // long name, without "--"
    int val;           // short letter or LongOnly value
    const char* arg;   // argument placeholder, nullptr for a flag; "[=X]" for an optional one
    const char* help;  // one line for --help
};

constexpr std::array<OptionSpec, 20> kOptions{{
    {"policy", opt_policy, "FILE", "policy file (.toml or .json); repeatable, later files win"},
    {"import", opt_import, "KIND:FILE",
     "start from a Codex config.toml (codex:FILE) or srt settings (srt:FILE)"},
    {"workspace", opt_workspace, "DIR", "directory ${workspace} stands for (default: .)"},
    {"cwd", 'C', "DIR", "working directory of the command (default: .)"},
    {"backend", opt_backend, "auto|bwrap|landlock", "force a backend (default: auto)"},
    {"tty", opt_tty, "auto|always|never",
     "give the command a terminal of its own (default: auto, when stdin is one)"},
    {"explain", opt_explain, nullptr, "print the resolved plan and backend argv; run nothing"},
    {"explain-format", opt_explain_format, "text|json",
     "format for --explain, --print-policy, --doctor (default: text)"},
    {"check", opt_check, nullptr, "validate the policy and resolve the plan; run nothing"},
    {"doctor", opt_doctor, nullptr, "report which backends work on this host and how to fix them"},
    {"print-policy", opt_print_policy, nullptr, "print the effective policy; run nothing"},
    {"trust-policy", opt_trust_policy, "[=PATH]",
     "approve <workspace>/.sbxrun.toml (or PATH) for discovery; run nothing"},
    {"status-fd", opt_status_fd, "N", "write the JSON status document to fd N (N >= 1)"},
    {"status-file", opt_status_file, "PATH", "write the JSON status document to PATH"},
    {"timeout", opt_timeout, "SECONDS", "kill the sandbox after SECONDS (e.g. 0.5)"},
    {"quiet", 'q', nullptr, "fewer diagnostics on stderr (repeatable)"},
    {"verbose", 'v', nullptr, "more diagnostics on stderr (repeatable)"},
    {"version", opt_version, nullptr, "print the version and exit"},
    {"help", opt_help, nullptr, "print this help and exit"},
    {nullptr, 0, nullptr, nullptr},
}};

// Upper bound for --timeout: large enough for any real use, small enough that converting it to
// milliseconds or nanoseconds never overflows.
constexpr double kMaxTimeoutSeconds = 1e9;

const OptionSpec* find_option(int val) {
    for (const auto& o : kOptions) {
        if (o.name != nullptr && o.val == val) return &o;
    }
    return nullptr;
}

bool optional_arg(const OptionSpec& o) {
    return o.arg != nullptr && o.arg[0] == '[';
}

std::string option_label(const OptionSpec& o) {
    std::string out = "--";
    out += o.name;
    return out;
}

Error usage(std::string msg) {
    return Error(ErrorKind::usage, std::move(msg));
}

Error bad_value(const char* option, const char* wanted, std::string_view got) {
    std::string msg = "--";
    msg += option;
    msg += ": expected ";
    msg += wanted;
    msg += ", got '";
    msg += got;
    msg += "'";
    return usage(std::move(msg));
}

// A plain decimal: digits with at most one '.', at least one digit. strtod alone would also take
// "1e3", "0x10", "inf", "nan" and leading blanks, none of which a careful caller writes.
Result<double> parse_seconds(std::string_view text) {
    constexpr const char* wanted = "a positive number of seconds";
    bool digit = false;
    bool dot = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            return bad_value("timeout", wanted, text);
        }
    }
    if (!digit || text.size() > 64) return bad_value("timeout", wanted, text);
    std::string copy(text);
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || errno == ERANGE || !(v > 0.0)) {
        return bad_value("timeout", wanted, text);
    }
    if (v > kMaxTimeoutSeconds) {
        return bad_value("timeout", "at most 1000000000 seconds", text);
    }
    return v;
}

// A file descriptor number. 0 is refused: stdin is never a sensible place for the status.
Result<int> parse_fd(std::string_view text) {
    constexpr const char* wanted = "a file descriptor number of 1 or more";
    if (text.empty() || text.size() > 10) return bad_value("status-fd", wanted, text);
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return bad_value("status-fd", wanted, text);
        v = v * 10 + (c - '0');
    }
    if (v < 1 || v > INT_MAX) return bad_value("status-fd", wanted, text);
    return static_cast<int>(v);
}

Result<std::string> non_empty(const char* option, const char* wanted, const char* arg) {
    if (arg[0] == '\0') return bad_value(option, wanted, arg);
    return std::string(arg);
}

// The option text as the user wrote it ("--pol=x" -> "--pol"), for messages.
std::string written_name(std::string_view element) {
    return std::string(element.substr(0, element.find('=')));
}

// getopt keeps its state in globals; one parse at a time.
std::mutex getopt_mutex;

// The options that select what sbxrun does, recorded as written so a conflict can name both.
struct ActionSeen {
    Action action;
    const char* name;
};

}  // namespace

Result<Invocation> parse_command_line(int argc, const char* const* argv) {
    // getopt_long wants char* const*; hand it private copies so nothing of the caller's is
    // touched even if getopt decided to permute (it does not in "+" mode).
    std::vector<std::string> storage;
    storage.reserve(argc > 0 ? static_cast<std::size_t>(argc) : 1);
    if (argc <= 0 || argv == nullptr) {
        storage.emplace_back("sbxrun");
    } else {
        for (int i = 0; i < argc; ++i) storage.emplace_back(argv[i] != nullptr ? argv[i] : "");
    }
    std::vector<char*> args;
    for (auto& s : storage) args.push_back(s.data());
    args.push_back(nullptr);
    const int nargs = static_cast<int>(storage.size());

    std::array<option, kOptions.size()> longopts{};
    for (std::size_t i = 0; i < kOptions.size(); ++i) {
        const auto& o = kOptions[i];
        const int has_arg = o.arg == nullptr  ? no_argument
                            : optional_arg(o) ? optional_argument
                                              : required_argument;
        longopts[i] = option{o.name, has_arg, nullptr, o.val};
    }

    Invocation inv;
    std::vector<ActionSeen> actions;

    std::lock_guard lock(getopt_mutex);
    optind = 0;  // 0, not 1: makes glibc re-initialise all of its state, not just the index
    opterr = 0;  // errors are ours to report, as values
    // '+': stop at the first non-option (so `sbxrun ls -l` gives -l to ls);
    // ':': report a missing argument as ':' rather than '?'.
    static constexpr const char* shortopts = "+:C:qv";

    for (;;) {
        const int element = optind == 0 ? 1 : optind;
        int longindex = -1;
        const int c = getopt_long(nargs, args.data(), shortopts, longopts.data(), &longindex);
        if (c == -1) break;

        const std::string_view text =
            element < nargs ? std::string_view(storage[static_cast<std::size_t>(element)])
                            : std::string_view();

        if (c == '?') {
            const OptionSpec* known = optopt != 0 ? find_option(optopt) : nullptr;
            if (known != nullptr && known->arg == nullptr && text.starts_with("--")) {
                return usage(option_label(*known) + ": takes no argument");
            }
            if (optopt != 0 && optopt < 256) {
                return usage(std::string("unknown option '-") + static_cast<char>(optopt) +
                             "' (try 'sbxrun --help')");
            }
            return usage("unknown option '" + written_name(text) + "' (try 'sbxrun --help')");
        }
        if (c == ':') {
            const OptionSpec* known = find_option(optopt);
            std::string name = known != nullptr ? option_label(*known) : written_name(text);
            if (optopt == 'C' && !text.starts_with("--")) name = "-C";
            return usage(name + ": missing argument " + (known ? known->arg : "VALUE"));
        }
        // getopt_long accepts any unambiguous prefix of a long name; sbxrun does not, so that a
        // script written today keeps its meaning when options are added later.
        if (longindex >= 0 && text.starts_with("--")) {
            const std::string full = std::string("--") + longopts[longindex].name;
            if (written_name(text) != full) {
                return usage("unknown option '" + written_name(text) + "' (did you mean '" + full +
                             "'?)");
            }
        }

        switch (c) {
            case opt_policy: {
                auto v = non_empty("policy", "a file name", optarg);
                if (!v) return std::move(v).error();
                inv.policy_files.push_back(std::move(*v));
                break;
            }
            case opt_import: {
                if (inv.import) return usage("--import: given more than once");
                auto v = parse_import_spec(optarg);
                if (!v) return std::move(v).error();
                inv.import = std::move(*v);
                break;
            }
            case opt_workspace: {
                auto v = non_empty("workspace", "a directory", optarg);
                if (!v) return std::move(v).error();
                inv.workspace = std::move(*v);
                break;
            }
            case 'C': {
                auto v = non_empty("cwd", "a directory", optarg);
                if (!v) return std::move(v).error();
                inv.cwd = std::move(*v);
                break;
            }
            case opt_backend: {
                const std::string_view v = optarg;
                if (v == "auto") {
                    inv.backend = BackendChoice::automatic;
                } else if (v == "bwrap") {
                    inv.backend = BackendChoice::bwrap;
                } else if (v == "landlock") {
                    inv.backend = BackendChoice::landlock;
                } else {
                    return bad_value("backend", "auto, bwrap or landlock", v);
                }
                break;
            }
            case opt_tty: {
                const std::string_view v = optarg;
                if (v == "auto") {
                    inv.tty = TtyMode::automatic;
                } else if (v == "always") {
                    inv.tty = TtyMode::always;
                } else if (v == "never") {
                    inv.tty = TtyMode::never;
                } else {
                    return bad_value("tty", "auto, always or never", v);
                }
                break;
            }
            case opt_explain_format: {
                const std::string_view v = optarg;
                if (v == "text") {
                    inv.explain_format = ExplainFormat::text;
                } else if (v == "json") {
                    inv.explain_format = ExplainFormat::json;
                } else {
                    return bad_value("explain-format", "text or json", v);
                }
                break;
            }
            case opt_status_fd: {
                auto v = parse_fd(optarg);
                if (!v) return std::move(v).error();
                inv.status_fd = *v;
                break;
            }
            case opt_status_file: {
                auto v = non_empty("status-file", "a file name", optarg);
                if (!v) return std::move(v).error();
                inv.status_file = std::move(*v);
                break;
            }
            case opt_timeout: {
                auto v = parse_seconds(optarg);
                if (!v) return std::move(v).error();
                inv.timeout_seconds = *v;
                break;
            }
            case 'q':
                --inv.verbosity;
                break;
            case 'v':
                ++inv.verbosity;
                break;
            case opt_explain:
                actions.push_back({Action::explain, "--explain"});
                break;
            case opt_check:
                actions.push_back({Action::check, "--check"});
                break;
            case opt_doctor:
                actions.push_back({Action::doctor, "--doctor"});
                break;
            case opt_print_policy:
                actions.push_back({Action::print_policy, "--print-policy"});
                break;
            case opt_trust_policy:
                if (optarg != nullptr) {
                    auto v = non_empty("trust-policy", "a file name", optarg);
                    if (!v) return std::move(v).error();
                    inv.trust_policy = std::move(*v);
                }
                actions.push_back({Action::trust_policy, "--trust-policy"});
                break;
            case opt_version:
                actions.push_back({Action::version, "--version"});
                break;
            case opt_help:
                actions.push_back({Action::help, "--help"});
                break;
            default:
                return Error(ErrorKind::internal, "unhandled option code from getopt");
        }
    }

    for (int i = optind; i < nargs; ++i)
        inv.command.push_back(storage[static_cast<std::size_t>(i)]);

    // --help, then --version, win over everything else (as is usual); the other actions exclude
    // each other, since each one means "do this instead of running".
    auto has = [&](Action a) {
        for (const auto& s : actions) {
            if (s.action == a) return true;
        }
        return false;
    };
    if (has(Action::help)) {
        inv.action = Action::help;
        return inv;
    }
    if (has(Action::version)) {
        inv.action = Action::version;
        return inv;
    }
    for (const auto& s : actions) {
        if (s.action != actions.front().action) {
            return usage(std::string(actions.front().name) + " and " + s.name +
                         " cannot be used together");
        }
    }
    if (!actions.empty()) inv.action = actions.front().action;

    switch (inv.action) {
        case Action::run:
            if (inv.command.empty()) return usage("no command given (try 'sbxrun --help')");
            // execvp("") fails inside bwrap's namespaces, where it read as bwrap failing (121,
            // "no backend can run here": eighth outside review): a usage error, said here.
            if (inv.command.front().empty()) return usage("the command name is empty");
            break;
        case Action::doctor:
        case Action::print_policy:
            if (!inv.command.empty()) {
                return usage(std::string(actions.front().name) + " takes no command, got '" +
                             inv.command.front() + "'");
            }
            break;
        case Action::trust_policy:
            // `sbxrun --trust-policy PATH` (as the refusal message suggests) as well as
            // `--trust-policy=PATH`: getopt only attaches an optional argument written with '='.
            if (!inv.command.empty()) {
                if (inv.trust_policy || inv.command.size() > 1) {
                    return usage("--trust-policy takes one policy file, got '" +
                                 inv.command.back() + "' too");
                }
                if (inv.command.front().empty())
                    return bad_value("trust-policy", "a file name", "");
                inv.trust_policy = inv.command.front();
                inv.command.clear();
            }
            break;
        default:
            break;  // --explain and --check may show a command, and need none
    }
    return inv;
}

std::string help_text() {
    std::string out =
        "usage: sbxrun [OPTIONS] [--] COMMAND [ARG...]\n"
        "Run COMMAND in a sandbox described by a policy (see sbxrun(1), sbxrun-policy(5)).\n"
        "Option parsing stops at COMMAND, so `sbxrun ls -l` passes -l to ls.\n"
        "\n"
        "options:\n";
    for (const auto& o : kOptions) {
        if (o.name == nullptr) continue;
        std::string left = "  ";
        if (o.val < 256) {
            left += "-";
            left += static_cast<char>(o.val);
            left += ", ";
        } else {
            left += "    ";
        }
        left += "--";
        left += o.name;
        if (o.arg != nullptr) {
            if (!optional_arg(o)) left += " ";
            left += o.arg;
        }
        if (left.size() < 38) {
            left.resize(38, ' ');
        } else {
            left += "  ";
        }
        out += left;
        out += o.help;
        out += "\n";
    }
    out +=
        "\n"
        "exit status (the status document of --status-fd/--status-file is the authority):\n"
        "  N        the command exited with status N         (exited)\n"
        "  128+N    the command was killed by signal N       (signaled)\n"
        "  120      a protected path changed during the run  (integrity_violation)\n"
        "  121      no backend can run on this host          (unavailable)\n"
        "  122      the policy cannot be enforced here       (needs_approval)\n"
        "  124      --timeout expired                        (timed_out)\n"
        "  125      usage error or invalid policy            (usage_error, policy_error)\n"
        "  126      the command cannot be executed           (not_executable)\n"
        "  127      the command was not found                (not_found)\n";
    return out;
}

}  // namespace sbx
