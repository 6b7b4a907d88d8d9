// The command line (spec section 2) -> Invocation. Pure: no files opened, nothing printed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/import.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

enum class Action { run, explain, check, doctor, help, version, print_policy, trust_policy };
enum class ExplainFormat { text, json };
enum class BackendChoice { automatic, bwrap, landlock };
// --tty: whether the command gets a pseudo-terminal of its own (run/pty.hpp).
enum class TtyMode { automatic, always, never };

struct Invocation {
    Action action = Action::run;
    std::vector<std::string> policy_files;  // --policy, in order
    std::optional<ImportSource> import;     // --import KIND:FILE (the base under --policy)
    std::optional<std::string> workspace;   // --workspace
    std::optional<std::string> cwd;         // -C / --cwd
    BackendChoice backend = BackendChoice::automatic;
    TtyMode tty = TtyMode::automatic;  // --tty (auto: when stdin is a terminal)
    ExplainFormat explain_format = ExplainFormat::text;
    std::optional<int> status_fd;             // --status-fd
    std::optional<std::string> status_file;   // --status-file
    std::optional<double> timeout_seconds;    // --timeout (> 0, finite)
    int verbosity = 0;                        // -q: -1, -v: +1 (repeatable)
    std::optional<std::string> trust_policy;  // --trust-policy=PATH or its one operand
    std::vector<std::string> command;         // COMMAND ARG...
};

// argv[0] is skipped. Errors are ErrorKind::usage with a message naming the option.
// A run with no COMMAND is a usage error (unless --explain/--check/--doctor/... is given).
[[nodiscard]] Result<Invocation> parse_command_line(int argc, const char* const* argv);

// The --help text (kept in sync with man/sbxrun.1 by a test).
[[nodiscard]] std::string help_text();

}  // namespace sbx
