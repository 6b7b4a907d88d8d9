#include "cli/cli.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

using sbx::Action;
using sbx::BackendChoice;
using sbx::ErrorKind;
using sbx::ExplainFormat;
using sbx::Invocation;

namespace {

// Parses "sbxrun" followed by `args`.
sbx::Result<Invocation> parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"sbxrun"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(nullptr);
    return sbx::parse_command_line(static_cast<int>(argv.size() - 1), argv.data());
}

Invocation parse_ok(std::initializer_list<const char*> args) {
    auto r = parse(args);
    if (!r) FAIL("unexpected error: " << r.error().render());
    return std::move(r).value();
}

// The usage message for a command line that must be refused.
std::string parse_error(std::initializer_list<const char*> args) {
    auto r = parse(args);
    if (r) FAIL("expected a usage error");
    CHECK(r.error().kind == ErrorKind::usage);
    return r.error().message;
}

}  // namespace

TEST_CASE("a bare command runs with the defaults", "[cli]") {
    auto inv = parse_ok({"make", "-j4"});
    CHECK(inv.action == Action::run);
    CHECK(inv.command == std::vector<std::string>{"make", "-j4"});
    CHECK(inv.policy_files.empty());
    CHECK_FALSE(inv.workspace);
    CHECK_FALSE(inv.cwd);
    CHECK(inv.backend == BackendChoice::automatic);
    CHECK(inv.explain_format == ExplainFormat::text);
    CHECK_FALSE(inv.status_fd);
    CHECK_FALSE(inv.status_file);
    CHECK_FALSE(inv.timeout_seconds);
    CHECK(inv.verbosity == 0);
}

TEST_CASE("option parsing stops at the command and at --", "[cli]") {
    CHECK(parse_ok({"ls", "-l", "--policy", "x"}).command ==
          std::vector<std::string>{"ls", "-l", "--policy", "x"});
    CHECK(parse_ok({"--", "ls", "-l"}).command == std::vector<std::string>{"ls", "-l"});
    CHECK(parse_ok({"-q", "--", "--weird-name"}).command ==
          std::vector<std::string>{"--weird-name"});
    CHECK(parse_ok({"--", "--"}).command == std::vector<std::string>{"--"});
    CHECK(parse_ok({"-"}).command == std::vector<std::string>{"-"});
}

TEST_CASE("every option is parsed into the invocation", "[cli]") {
    auto inv = parse_ok({"--policy",    "a.toml",    "--policy=b.json",
                         "--workspace", "/w",        "-C",
                         "/w/sub",      "--backend", "landlock",
                         "--status-fd", "3",         "--status-file",
                         "/tmp/s.json", "--timeout", "0.5",
                         "-v",          "-v",        "-q",
                         "--",          "true"});
    CHECK(inv.action == Action::run);
    CHECK(inv.policy_files == std::vector<std::string>{"a.toml", "b.json"});
    CHECK(inv.workspace == "/w");
    CHECK(inv.cwd == "/w/sub");
    CHECK(inv.backend == BackendChoice::landlock);
    CHECK(inv.status_fd == 3);
    CHECK(inv.status_file == "/tmp/s.json");
    REQUIRE(inv.timeout_seconds);
    CHECK(*inv.timeout_seconds == Approx(0.5));
    CHECK(inv.verbosity == 1);
    CHECK(inv.command == std::vector<std::string>{"true"});
}

TEST_CASE("short options cluster and take attached arguments", "[cli]") {
    auto inv = parse_ok({"-qq", "-C/tmp", "-vCdir", "x"});
    CHECK(inv.verbosity == -1);
    CHECK(inv.cwd == "dir");  // the last -C wins
    CHECK(parse_ok({"--cwd=/a", "x"}).cwd == "/a");
    CHECK(parse_ok({"--quiet", "--quiet", "--verbose", "x"}).verbosity == -1);
}

TEST_CASE("later values of single-valued options win", "[cli]") {
    auto inv = parse_ok({"--backend", "bwrap", "--backend", "auto", "--timeout", "3", "--timeout",
                         "7", "--workspace", "/a", "--workspace", "/b", "x"});
    CHECK(inv.backend == BackendChoice::automatic);
    CHECK(*inv.timeout_seconds == Approx(7.0));
    CHECK(inv.workspace == "/b");
}

TEST_CASE("actions", "[cli]") {
    CHECK(parse_ok({"--explain", "make"}).action == Action::explain);
    CHECK(parse_ok({"--explain"}).action == Action::explain);
    CHECK(parse_ok({"--check"}).action == Action::check);
    CHECK(parse_ok({"--check", "--", "make"}).command == std::vector<std::string>{"make"});
    CHECK(parse_ok({"--doctor"}).action == Action::doctor);
    CHECK(parse_ok({"--print-policy"}).action == Action::print_policy);
    CHECK(parse_ok({"--version"}).action == Action::version);
    CHECK(parse_ok({"--help"}).action == Action::help);
    CHECK(parse_ok({"--explain", "--explain", "x"}).action == Action::explain);

    auto json = parse_ok({"--explain-format", "json", "--explain", "x"});
    CHECK(json.explain_format == ExplainFormat::json);
    CHECK(parse_ok({"--explain-format=text", "--doctor"}).explain_format == ExplainFormat::text);
}

TEST_CASE("--help and --version win over other actions", "[cli]") {
    CHECK(parse_ok({"--check", "--help"}).action == Action::help);
    CHECK(parse_ok({"--version", "--help"}).action == Action::help);
    CHECK(parse_ok({"--doctor", "--version"}).action == Action::version);
    CHECK(parse_ok({"--version", "make"}).action == Action::version);
}

TEST_CASE("conflicting actions are a usage error naming both", "[cli]") {
    auto msg = parse_error({"--explain", "--check", "x"});
    CHECK(msg.find("--explain") != std::string::npos);
    CHECK(msg.find("--check") != std::string::npos);
    CHECK_FALSE(parse({"--doctor", "--print-policy"}).ok());
    CHECK_FALSE(parse({"--check", "--doctor"}).ok());
}

TEST_CASE("doctor and print-policy take no command", "[cli]") {
    CHECK(parse_error({"--doctor", "ls"}).find("--doctor") != std::string::npos);
    CHECK(parse_error({"--print-policy", "--", "ls"}).find("'ls'") != std::string::npos);
}

TEST_CASE("running needs a command", "[cli]") {
    CHECK(parse_error({}) == "no command given (try 'sbxrun --help')");
    CHECK(parse_error({"--"}) == "no command given (try 'sbxrun --help')");
    CHECK(parse_error({"-q", "--policy", "p.toml"}) == "no command given (try 'sbxrun --help')");
}

TEST_CASE("--timeout takes a positive finite decimal", "[cli]") {
    CHECK(*parse_ok({"--timeout", "10", "x"}).timeout_seconds == Approx(10.0));
    CHECK(*parse_ok({"--timeout", ".25", "x"}).timeout_seconds == Approx(0.25));
    CHECK(*parse_ok({"--timeout", "2.", "x"}).timeout_seconds == Approx(2.0));
    CHECK(*parse_ok({"--timeout", "1000000000", "x"}).timeout_seconds == Approx(1e9));

    CHECK(parse_error({"--timeout", "10s", "x"}) ==
          "--timeout: expected a positive number of seconds, got '10s'");
    for (const char* bad : {"", "0", "0.0", "-1", "+1", "1e999", "1e3", "nan", "inf", "0x10", " 1",
                            "1 ", ".", "1.2.3", "1,5", "1000000001"}) {
        INFO("value: '" << bad << "'");
        auto msg = parse_error({"--timeout", bad, "x"});
        CHECK(msg.rfind("--timeout: expected ", 0) == 0);
        CHECK(msg.find(std::string("got '") + bad + "'") != std::string::npos);
    }
}

TEST_CASE("--status-fd takes a descriptor number of 1 or more", "[cli]") {
    CHECK(parse_ok({"--status-fd", "1", "x"}).status_fd == 1);
    CHECK(parse_ok({"--status-fd", "2147483647", "x"}).status_fd == 2147483647);
    for (const char* bad : {"0", "-1", "", "3x", "2147483648", "99999999999", " 3", "+3"}) {
        INFO("value: '" << bad << "'");
        auto msg = parse_error({"--status-fd", bad, "x"});
        CHECK(msg.rfind("--status-fd: expected ", 0) == 0);
    }
}

TEST_CASE("enumerated values are checked", "[cli]") {
    CHECK(parse_ok({"--backend", "bwrap", "x"}).backend == BackendChoice::bwrap);
    CHECK(parse_error({"--backend", "docker", "x"}) ==
          "--backend: expected auto, bwrap or landlock, got 'docker'");
    CHECK(parse_error({"--backend", "BWRAP", "x"}).find("'BWRAP'") != std::string::npos);
    CHECK(parse_error({"--explain-format", "yaml", "--explain"}) ==
          "--explain-format: expected text or json, got 'yaml'");
}

TEST_CASE("empty path arguments are refused", "[cli]") {
    CHECK(parse_error({"--policy", "", "x"}).rfind("--policy: ", 0) == 0);
    CHECK(parse_error({"--workspace", "", "x"}).rfind("--workspace: ", 0) == 0);
    CHECK(parse_error({"-C", "", "x"}).rfind("--cwd: ", 0) == 0);
    CHECK(parse_error({"--status-file=", "x"}).rfind("--status-file: ", 0) == 0);
}

TEST_CASE("unknown and malformed options are named", "[cli]") {
    CHECK(parse_error({"--frobnicate", "x"}) ==
          "unknown option '--frobnicate' (try 'sbxrun --help')");
    CHECK(parse_error({"--frobnicate=3", "x"}) ==
          "unknown option '--frobnicate' (try 'sbxrun --help')");
    CHECK(parse_error({"-x", "ls"}) == "unknown option '-x' (try 'sbxrun --help')");
    CHECK(parse_error({"-qx", "ls"}) == "unknown option '-x' (try 'sbxrun --help')");
    CHECK(parse_error({"--help=yes"}) == "--help: takes no argument");
    CHECK(parse_error({"--policy"}) == "--policy: missing argument FILE");
    CHECK(parse_error({"-C"}) == "-C: missing argument DIR");
    CHECK(parse_error({"--cwd"}) == "--cwd: missing argument DIR");
    CHECK(parse_error({"--timeout"}) == "--timeout: missing argument SECONDS");
}

TEST_CASE("abbreviated long options are refused", "[cli]") {
    CHECK(parse_error({"--pol", "p.toml", "x"}) ==
          "unknown option '--pol' (did you mean '--policy'?)");
    CHECK(parse_error({"--verb", "x"}).find("'--verbose'") != std::string::npos);
    // Ambiguous prefixes are unknown options too.
    CHECK(parse_error({"--p", "x"}).find("'--p'") != std::string::npos);
}

TEST_CASE("an option argument may look like an option", "[cli]") {
    auto inv = parse_ok({"--policy", "--check", "x"});
    CHECK(inv.policy_files == std::vector<std::string>{"--check"});
    CHECK(inv.action == Action::run);
}

TEST_CASE("the parser can be called again and again", "[cli]") {
    // getopt keeps global state; a parse that stopped early must not leak into the next one.
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(parse({"-qx", "ls"}).ok());
        CHECK_FALSE(parse({"--timeout"}).ok());
        auto inv = parse_ok({"-v", "make", "-k"});
        CHECK(inv.verbosity == 1);
        CHECK(inv.command == std::vector<std::string>{"make", "-k"});
        CHECK(parse_ok({"-C", "d", "x"}).cwd == "d");
    }
}

TEST_CASE("argv is not modified", "[cli]") {
    std::string a0 = "sbxrun", a1 = "-v", a2 = "ls", a3 = "-l";
    const char* argv[] = {a0.c_str(), a1.c_str(), a2.c_str(), a3.c_str(), nullptr};
    auto r = sbx::parse_command_line(4, argv);
    REQUIRE(r);
    CHECK(std::string(argv[1]) == "-v");
    CHECK(std::string(argv[3]) == "-l");
    CHECK(argv[2] == a2.c_str());
}

TEST_CASE("--trust-policy takes its file with '=' or as its one operand", "[cli]") {
    auto plain = parse_ok({"--trust-policy"});
    CHECK(plain.action == Action::trust_policy);
    CHECK_FALSE(plain.trust_policy.has_value());
    CHECK(plain.command.empty());
    CHECK(parse_ok({"--trust-policy=a/.sbxrun.toml"}).trust_policy == "a/.sbxrun.toml");
    auto operand = parse_ok({"--trust-policy", "b/.sbxrun.toml"});
    CHECK(operand.trust_policy == "b/.sbxrun.toml");
    CHECK(operand.command.empty());
    CHECK(parse_ok({"-q", "--trust-policy", "--", "c"}).trust_policy == "c");
    CHECK(parse_error({"--trust-policy=a", "b"}) ==
          "--trust-policy takes one policy file, got 'b' too");
    CHECK(parse_error({"--trust-policy", "a", "b"}) ==
          "--trust-policy takes one policy file, got 'b' too");
    CHECK(parse_error({"--trust-policy="}) == "--trust-policy: expected a file name, got ''");
    CHECK(parse_error({"--trust-policy", "--check"}) ==
          "--trust-policy and --check cannot be used together");
    CHECK(parse_error({"--trust-pol"}) ==
          "unknown option '--trust-pol' (did you mean '--trust-policy'?)");
}

TEST_CASE("a missing argv is a usage error, not a crash", "[cli]") {
    auto r = sbx::parse_command_line(0, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::usage);
}

TEST_CASE("help lists every option and every exit code", "[cli]") {
    const std::string help = sbx::help_text();
    for (const char* opt :
         {"--policy FILE", "--workspace DIR", "-C, --cwd DIR", "--backend auto|bwrap|landlock",
          "--explain ", "--explain-format text|json", "--check", "--doctor", "--print-policy",
          "--status-fd N", "--status-file PATH", "--timeout SECONDS", "-q, --quiet",
          "-v, --verbose", "--version", "--help", "--trust-policy[=PATH]"}) {
        INFO(opt);
        CHECK(help.find(opt) != std::string::npos);
    }
    for (const char* code : {"120", "121", "122", "124", "125", "126", "127", "128+N"}) {
        INFO(code);
        CHECK(help.find(code) != std::string::npos);
    }
    // Every option line of the help names an option the parser accepts.
    std::size_t line_start = 0;
    int seen = 0;
    while (line_start < help.size()) {
        const auto line_end = help.find('\n', line_start);
        const std::string line = help.substr(line_start, line_end - line_start);
        line_start = line_end == std::string::npos ? help.size() : line_end + 1;
        const auto dashes = line.find("--");
        const auto first = line.find_first_not_of(' ');
        if (first == std::string::npos || line[first] != '-' || dashes == std::string::npos ||
            dashes > 8)
            continue;
        // "--name ARG", "--name" or "--name[=ARG]" (an optional argument, given with '=').
        const auto name_end = line.find_first_of(" [", dashes);
        const std::string name = line.substr(dashes, name_end - dashes);
        const bool takes_arg = line[name_end] == ' ' && line[name_end + 1] != ' ';
        ++seen;
        INFO(name);
        auto r = takes_arg ? parse({name.c_str(), "1", "x"}) : parse({name.c_str(), "x"});
        if (!r) CHECK(r.error().message.find("unknown option") == std::string::npos);
    }
    CHECK(seen >= 16);
}

namespace {

std::string read_man_page(const std::string& name) {
    const char* root = std::getenv("SBXRUN_SOURCE_ROOT");
    if (root == nullptr) FAIL("SBXRUN_SOURCE_ROOT is not set (run this test through meson test)");
    std::ifstream in(std::string(root) + "/man/" + name);
    if (!in) FAIL("cannot read " << root << "/man/" << name);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The page's source with mdoc's option markup undone, so that "--policy" reads as the user sees
// it: "\-" is a hyphen and "Fl x" renders as "-x".
std::string rendered_options(const std::string& page) {
    std::string out;
    std::istringstream lines(page);
    for (std::string line; std::getline(lines, line);) {
        // replace(pos, n, 1, '-'), not replace(pos, n, "-"): gcc 12 at -O3 reports a bogus
        // memcpy overlap for the one-character literal (-Werror=restrict, GCC PR 105329).
        for (std::size_t p; (p = line.find("\\-")) != std::string::npos;)
            line.replace(p, 2, 1, '-');
        if (line.rfind(".", 0) == 0) {
            for (std::size_t p = 0; (p = line.find("Fl ", p)) != std::string::npos;) {
                const bool word = p == 0 || line[p - 1] == ' ' || line[p - 1] == '.';
                if (word) {
                    line.replace(p, 3, 1, '-');
                } else {
                    p += 3;
                }
            }
        }
        out += line;
        out += '\n';
    }
    return out;
}

// "--name" as a whole option: not the start of a longer one such as "--explain-format".
bool mentions_option(const std::string& text, const std::string& option) {
    for (std::size_t p = 0; (p = text.find(option, p)) != std::string::npos; p += option.size()) {
        const std::size_t after = p + option.size();
        if (after == text.size()) return true;
        const char c = text[after];
        if (!(c == '-' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return true;
    }
    return false;
}

std::vector<std::string> long_options_in(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t p = 0; (p = text.find("--", p)) != std::string::npos;) {
        std::size_t end = p + 2;
        while (end < text.size() && (text[end] == '-' || (text[end] >= 'a' && text[end] <= 'z')))
            ++end;
        if (end > p + 2 && (p == 0 || text[p - 1] == ' ' || text[p - 1] == '\n')) {
            out.push_back(text.substr(p, end - p));
        }
        p = end;
    }
    return out;
}

}  // namespace

TEST_CASE("every option of --help is documented in sbxrun.1, and the other way round",
          "[cli][man]") {
    const std::string page = rendered_options(read_man_page("sbxrun.1"));
    const std::string help = sbx::help_text();
    const auto help_options = long_options_in(help);
    REQUIRE(help_options.size() >= 16);
    for (const auto& opt : help_options) {
        INFO(opt);
        CHECK(mentions_option(page, opt));
    }
    CHECK(mentions_option(page, "-C"));
    CHECK(mentions_option(page, "-q"));
    CHECK(mentions_option(page, "-v"));

    // Each entry of the OPTIONS section is an option the parser knows.
    const auto start = page.find(".Sh OPTIONS");
    REQUIRE(start != std::string::npos);
    const std::string section = page.substr(start, page.find(".Sh ", start + 1) - start);
    std::istringstream lines(section);
    int entries = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(".It -", 0) != 0) continue;
        for (const auto& opt : long_options_in(line)) {
            ++entries;
            INFO(opt);
            CHECK(mentions_option(help, opt));
        }
    }
    CHECK(entries >= 16);
}
