#include "plan/command_words.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace sbx {
namespace {

// A command value's words as the shell would split its simple commands: quotes and
// backslashes taken off, "" between two simple commands (";", "&", "|", "(", ")", "{", "}", a
// new line), and "$" for a word with an expansion in it (what it names is not known here).
// `pipes`, when given, gets the index of each "" that is a pipe ("|", "|&"; not "||"): what
// the command before it prints is the next one's input.
std::vector<std::string> shell_words(std::string_view v,
                                     std::vector<std::size_t>* pipes = nullptr) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, dynamic = false;
    auto end_word = [&] {
        // An assignment keeps its name ("PATH=$X:y" is "PATH=$"): it is no program.
        if (in_word && dynamic) {
            const auto eq = word.find('=');
            const bool name = eq != std::string::npos && eq > 0 &&
                              word.find_first_not_of(
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789_") == eq &&
                              !(word[0] >= '0' && word[0] <= '9');
            words.push_back(name ? word.substr(0, eq + 1) + "$" : std::string("$"));
        } else if (in_word) {
            words.push_back(word);
        }
        word.clear();
        in_word = dynamic = false;
    };
    for (std::size_t i = 0; i < v.size() && words.size() < 256; ++i) {
        const char c = v[i];
        if (c == '\'') {
            const auto close = v.find('\'', i + 1);
            if (close == std::string_view::npos) break;
            word.append(v.substr(i + 1, close - i - 1));
            in_word = true;
            i = close;
        } else if (c == '"') {
            for (++i; i < v.size() && v[i] != '"'; ++i) {
                if (v[i] == '\\' && i + 1 < v.size())
                    ++i;
                else if (v[i] == '$' || v[i] == '`')
                    dynamic = true;
                word.push_back(v[i]);
            }
            in_word = true;
        } else if (c == '\\') {
            if (i + 1 < v.size() && v[i + 1] != '\n') word.push_back(v[i + 1]);
            ++i;
            in_word = true;
        } else if (c == '$' || c == '`') {
            dynamic = in_word = true;
        } else if (c == ' ' || c == '\t') {
            end_word();
        } else if (std::string_view(";&|(){}\n<>").find(c) != std::string_view::npos) {
            end_word();
            // A redirection's file is no program: "<" before a file read, ">" before one
            // written ("&>" and ">&" too; "2>&1" leaves a word "1", which names nothing).
            if (c == '&' && i + 1 < v.size() && v[i + 1] == '>') continue;
            if (c == '<' || c == '>') {
                while (i + 1 < v.size() && (v[i + 1] == '>' || v[i + 1] == '&' || v[i + 1] == '|'))
                    ++i;
                words.emplace_back(c == '<' ? "<" : ">");
            } else if (c == '|' && i + 1 < v.size() && v[i + 1] == '|') {
                words.emplace_back();  // "||": a list, not a pipe
                ++i;
            } else {
                if (c == '|' && pipes != nullptr) pipes->push_back(words.size());
                words.emplace_back();
            }
        } else {
            word.push_back(c);
            in_word = true;
        }
    }
    end_word();
    return words;
}

std::string_view base_name(std::string_view program) {
    const auto slash = program.rfind('/');
    return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), w) != names.end();
}

// Interpreters whose first operand is the script they run ("python3 tools/x.py", "sh x.sh"),
// and their options that take an argument ("python3 -W ignore x.py").
bool interpreter(std::string_view program) {
    const std::string_view b = base_name(program);
    return b.starts_with("python") || b.starts_with("pypy") ||
           one_of(b, {"sh", "bash", "dash", "zsh", "ksh", "fish", "node", "nodejs", "perl", "ruby",
                      "php", "lua", "tclsh", "deno", "bun", "pwsh", "tsx", "ts-node", "busybox"});
}
bool shell(std::string_view program) {
    return one_of(base_name(program), {"sh", "bash", "dash", "zsh", "ksh", "busybox"});
}
bool option_with_argument(std::string_view program, std::string_view o) {
    if (shell(program)) return one_of(o, {"-o", "-O", "+o", "+O", "--rcfile", "--init-file"});
    if (base_name(program).starts_with("python") || base_name(program).starts_with("pypy"))
        return one_of(o, {"-W", "-X", "--check-hash-based-pycs"});
    return one_of(o, {"-r", "--require", "--import", "--loader", "-I", "-M", "--conditions"});
}

// Script files by their ending: named anywhere in a command ("cat x.sh | sh", "uv run x.py",
// "bundle exec ruby x.rb", "flock f x.sh"), they are what it runs (review 52).
bool script_name(std::string_view w) {
    for (std::string_view ext : {".py", ".sh", ".bash", ".zsh", ".fish", ".js", ".mjs", ".cjs",
                                 ".ts", ".mts", ".rb", ".pl", ".php", ".lua", ".tcl"})
        if (w.size() > ext.size() && w.ends_with(ext)) return true;
    return false;
}

// Words that only start a simple command ("env A=1 x", "exec x", "then x"), and the wrappers
// that run the rest ("timeout 20 x", "nice -n 1 x"): skipped with their options and numbers.
bool command_prefix(std::string_view w) {
    return one_of(
        w, {"env",    "exec", "command", "nohup", "time", "nice",  "ionice", "timeout", "stdbuf",
            "setsid", "chrt", "taskset", "xargs", "sudo", "doas",  "strace", "ltrace",  "watch",
            "then",   "do",   "else",    "elif",  "if",   "while", "until",  "!"});
}

// Runners of a package's local programs: "npx x" runs node_modules/.bin/x.
bool package_runner(std::string_view w) {
    return one_of(base_name(w), {"npx", "bunx", "pnpx"});
}

bool redirection(std::string_view w) {
    return w == "<" || w == ">";
}

// A simple command's program: past assignments ("A=1 x"), "--", redirections (">/dev/null x":
// the marker and its file), and the wrappers that run the rest with their options and numbers
// ("timeout -k 5 20 x", "nice -n 1 x", "exec x"); env's -C or --chdir is joined to `dir`. The
// index of the program, or of the "" that ends the command when it has none. Both readings
// take the program here: review 56's "command rm -f build/app" was rm's to one and not the
// other's.
std::size_t program_index(const std::vector<std::string>& words, std::size_t i, std::string& dir,
                          std::string* split = nullptr) {
    auto at_end = [&](std::size_t k) { return k >= words.size() || words[k].empty(); };
    auto join = [&](const std::string& d) { dir = dir.empty() || d[0] == '/' ? d : dir + "/" + d; };
    while (!at_end(i)) {
        const std::string& w = words[i];
        const auto eq = w.find('=');
        if ((eq != std::string::npos && eq > 0 && w.find('/') > eq) || w == "--") {
            ++i;
        } else if (redirection(w)) {
            i += at_end(i + 1) ? 1 : 2;
        } else if (command_prefix(w)) {
            const bool env = w == "env";
            ++i;
            // A number starts with a digit: "sh" is all of "smhd" too, and was skipped as a
            // duration after exec, command, nohup or then (review 55).
            while (!at_end(i) &&
                   (words[i].starts_with('-') ||
                    (words[i][0] >= '0' && words[i][0] <= '9' &&
                     words[i].find_first_not_of("0123456789.smhd") == std::string::npos))) {
                if (env && (words[i] == "-C" || words[i] == "--chdir") && !at_end(i + 1)) {
                    join(words[i + 1]);
                    ++i;
                } else if (env && words[i].starts_with("--chdir=") && words[i].size() > 8) {
                    join(words[i].substr(8));
                } else if (env && (words[i] == "-S" || words[i] == "--split-string") &&
                           !at_end(i + 1)) {
                    // env -S 'sh lint.sh --all': a command line of its own (review 59).
                    if (split != nullptr) *split = words[i + 1];
                    ++i;
                } else if (env && words[i].starts_with("-S") && words[i].size() > 2) {
                    if (split != nullptr) *split = words[i].substr(2);
                } else if (env && words[i].starts_with("--split-string=")) {
                    if (split != nullptr) *split = words[i].substr(15);
                } else if (one_of(words[i],
                                  {"-n", "-u", "-k", "-s", "-o", "-e", "-a", "-g", "-p", "-E"})) {
                    ++i;
                }
                ++i;
            }
        } else {
            break;
        }
    }
    return i;
}

// The files a command value runs: the program of each of its simple commands named by a path
// ("tools/fsmon.sh", "./x"; an alias's "!" dropped; "A=1 x", "env x", "timeout 20 x", "true; x",
// "a && x" each reach x), a file "." or "source" reads, an interpreter's script with or without
// a slash ("python3 fsmon.py", "sh -e x.sh", "python3 -W ignore x.py", "python3 -m tools.x" as
// tools/x.py), what "sh -c '...'" runs, a package runner's program ("npx x": node_modules/.bin/
// x), each taken from the directory a "cd" or "env -C" before it moved to (review 50 and 51's
// spellings). `dir` is that directory, relative to the work tree. A program found in PATH, or
// one named through an expansion ($X, backticks), is not known here; nor is what an
// interpreter's code (python3 -c) imports.
void program_paths(std::string_view v, int depth, std::string dir, std::vector<std::string>& out) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (!v.empty() && v.front() == '!') v.remove_prefix(1);
    const std::vector<std::string> words = shell_words(v);
    auto add = [&](const std::string& w) {
        if (w.empty() || w == "$" || out.size() >= 32) return;
        std::string_view rel = w;
        if (!dir.empty())
            while (rel.starts_with("./")) rel.remove_prefix(2);
        const std::string path = dir.empty() || w[0] == '/' ? w : dir + "/" + std::string(rel);
        if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
    };
    std::size_t i = 0;
    auto at_end = [&](std::size_t k) { return k >= words.size() || words[k].empty(); };
    while (i < words.size()) {
        // One simple command, from words[i] to the next "".
        std::string command_dir = dir;
        std::string split;
        i = program_index(words, i, command_dir, &split);
        if (!split.empty() && depth < 2) program_paths(split, depth + 1, command_dir, out);
        if (!at_end(i)) {
            const std::string program = words[i];
            std::swap(dir, command_dir);
            std::size_t to = i + 1;  // cd's directory, past its options ("cd -P x", "cd -- x")
            while (program == "cd" && !at_end(to) && words[to].starts_with('-')) ++to;
            if (program == "cd" && !at_end(to) && words[to] != "$") {
                // Later commands of the value run there.
                command_dir = command_dir.empty() || words[to][0] == '/'
                                  ? words[to]
                                  : command_dir + "/" + words[to];
                std::swap(dir, command_dir);
            } else {
                if (program.find('/') != std::string::npos) add(program);
                if ((program == "." || program == "source") && !at_end(i + 1)) add(words[i + 1]);
                if (package_runner(program) && !at_end(i + 1) &&
                    words[i + 1].find('/') == std::string::npos)
                    add("node_modules/.bin/" + words[i + 1]);
                if (interpreter(program)) {
                    for (std::size_t a = i + 1; !at_end(a); ++a) {
                        const std::string& w = words[a];
                        // A shell's -c, also among its other options ("sh -ec", "bash -lc":
                        // review 59).
                        const bool dash_c =
                            w == "-c" || (shell(program) && w.size() > 2 && w[0] == '-' &&
                                          w[1] != '-' && w.find('c') != std::string::npos);
                        if (dash_c && !at_end(a + 1) && depth < 2) {
                            program_paths(words[a + 1], depth + 1, dir, out);
                            break;
                        }
                        // python -m pkg.mod (or -mpkg.mod): the module, and each package's
                        // __init__.py on the way, which Python runs first (review 52).
                        if (w.starts_with("-m") && !shell(program) &&
                            (w.size() > 2 || !at_end(a + 1))) {
                            std::string module = w.size() > 2 ? w.substr(2) : words[a + 1];
                            std::replace(module.begin(), module.end(), '.', '/');
                            for (auto slash = module.find('/'); slash != std::string::npos;
                                 slash = module.find('/', slash + 1))
                                add(module.substr(0, slash) + "/__init__.py");
                            add(module + ".py");
                            add(module + "/__init__.py");
                            add(module + "/__main__.py");
                            break;
                        }
                        // Code, not a file (node -e, perl -e, ruby -e; a shell's -e is errexit).
                        if ((w == "-e" || w == "--eval" || w == "-p") && !shell(program)) break;
                        if (w == "<" && !at_end(a + 1)) {  // sh < x.sh
                            add(words[a + 1]);
                            break;
                        }
                        if (w == ">") {  // what the command writes
                            if (!at_end(a + 1)) ++a;
                            continue;
                        }
                        if (w == "run" && one_of(base_name(program), {"deno", "bun"})) continue;
                        if (option_with_argument(program, w)) {
                            ++a;
                            continue;
                        }
                        if (w.starts_with('-')) continue;  // its options ("bash -e x.sh")
                        add(w);
                        break;
                    }
                }
                std::swap(dir, command_dir);
            }
        }
        // Any word of it that names a script by its ending ("uv run x.py", "cat x.sh | sh"); not
        // the program itself named without a slash, which the shell looks up in PATH
        // (credential.helper = gcloud.sh is git's credential-gcloud.sh: review 54).
        for (std::size_t k = i; !at_end(k); ++k)
            if (k == i && words[k].find('/') == std::string::npos)
                continue;
            else if (words[k] == ">" && !at_end(k + 1))
                ++k;  // a file the command writes ("sh gen.sh > out.sh")
            else if (words[k] != "<" && !words[k].starts_with('-') && script_name(words[k]) &&
                     words[k].find('=') == std::string::npos)
                add(words[k]);
        while (!at_end(i)) ++i;
        ++i;  // past the ""
    }
}

// What mentioned_words collects.
struct Mentions {
    std::vector<std::string> words;     // words that may name a file: at most 64
    std::vector<std::string> run_dirs;  // directories whose files a command runs: at most 16
};

// What a reading of one command value carries into the commands nested in it.
struct MentionContext {
    int depth = 0;
    // No program's operands are exempt: the value substitutes a command's output ("sh $(rm -v
    // tools/a)" runs what rm printed) or gives a name a meaning of its own ("rm() { "$@"; }").
    bool no_exemptions = false;
    // The directories the value's own PATH= puts first (review 57: "PATH=node_modules/.bin:$PATH
    // eslint ." runs node_modules/.bin/eslint): a program named without a slash may be there.
    std::vector<std::string> path_dirs;
};

// The text of each command substitution in `v`: "$(...)", "<(...)" and ">(...)", quoted or
// not (review 57: rm -rf "$(tools/list.sh)" runs tools/list.sh in double quotes too); not
// "$((...))", arithmetic. Nested ones are found by reading these.
std::vector<std::string_view> substitutions(std::string_view v) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i + 1 < v.size() && out.size() < 16; ++i) {
        if (v[i + 1] != '(' || (v[i] != '$' && v[i] != '<' && v[i] != '>')) continue;
        if (v[i] == '$' && i + 2 < v.size() && v[i + 2] == '(') continue;
        std::size_t j = i + 1;
        for (int open = 0; j < v.size(); ++j) {
            if (v[j] == '(') ++open;
            if (v[j] == ')' && --open == 0) break;
        }
        out.push_back(v.substr(i + 2, std::min(j, v.size()) - i - 2));
        i = j;
    }
    return out;
}

// Whether a value defines a shell function ("name()", "function name") or an alias: a name it
// then uses may be anything ("rm() { "$@"; }; rm build/x", "alias rm=sh": review 57).
bool defines_names(std::string_view v, const std::vector<std::string>& words) {
    for (std::size_t i = v.find('('); i != std::string_view::npos; i = v.find('(', i + 1)) {
        std::size_t j = i + 1;
        while (j < v.size() && (v[j] == ' ' || v[j] == '\t')) ++j;
        if (j < v.size() && v[j] == ')') return true;
    }
    return std::find(words.begin(), words.end(), "function") != words.end() ||
           std::find(words.begin(), words.end(), "alias") != words.end();
}

// The directories each "PATH=" of the raw value puts in PATH, quotes taken off: relative ones
// as written (an empty entry and "." are the directory the command runs in), "$PWD/x" as x;
// any other expansion is not known here.
void path_assignments(std::string_view v, std::vector<std::string>& dirs) {
    for (std::size_t at = v.find("PATH="); at != std::string_view::npos;
         at = v.find("PATH=", at + 5)) {
        if (at > 0 && std::string_view(" \t;&|(\n\"'").find(v[at - 1]) == std::string_view::npos)
            continue;  // MANPATH=, X_PATH=
        std::string value;
        for (std::size_t i = at + 5; i < v.size(); ++i) {
            if (v[i] == '"' || v[i] == '\'') continue;
            if (std::string_view(" \t;&|\n").find(v[i]) != std::string_view::npos) break;
            value.push_back(v[i]);
        }
        std::size_t from = 0;
        for (std::size_t colon = 0; colon != std::string::npos && dirs.size() < 16;
             from = colon + 1) {
            colon = value.find(':', from);
            std::string entry =
                value.substr(from, colon == std::string::npos ? colon : colon - from);
            for (const char* pwd : {"${PWD}", "$PWD"})
                if (entry.starts_with(pwd)) entry = "." + entry.substr(std::strlen(pwd));
            if (entry.empty()) entry = ".";
            if (entry.find('$') != std::string::npos || entry.find('`') != std::string::npos)
                continue;
            if (std::find(dirs.begin(), dirs.end(), entry) == dirs.end()) dirs.push_back(entry);
        }
    }
}

// The shell's own commands: never looked up in PATH.
bool shell_builtin(std::string_view w) {
    return one_of(
        w, {"cd",      "pushd",    "popd",    "export", "set",   "unset",   "eval",   "exec",
            "source",  ".",        "alias",   "trap",   "wait",  "shift",   "return", "exit",
            "echo",    "printf",   "test",    "[",      "true",  "false",   "read",   "local",
            "declare", "readonly", "command", "type",   "umask", "ulimit",  ":",      "fi",
            "done",    "esac",     "for",     "case",   "in",    "function"});
}

// Programs that never run what their file operands hold, nor hand it on by themselves, and have
// no option that runs a program: removers, makers, modes, and readers whose output is text
// ("rm -f build/app", "tail -n 50 build/test.log"; review 56 and 57's false 120s). Not sort
// (--compress-program runs one: review 58), less (LESSOPEN), echo or printf (printf -v sets a
// variable, PATH too). Only as the system's: named without a slash, or in /bin or /usr/bin (a
// work tree's ./rm is whatever it holds).
bool inert_program(std::string_view program) {
    if (program.find('/') != std::string_view::npos && !program.starts_with("/bin/") &&
        !program.starts_with("/usr/bin/"))
        return false;
    return one_of(
        base_name(program),
        {"rm",       "rmdir",   "unlink",    "touch",    "mkdir",   "chmod",    "chown",   "chgrp",
         "truncate", "shred",   "test",      "[",        "cat",     "head",     "tail",    "wc",
         "ls",       "stat",    "du",        "file",     "uniq",    "diff",     "cmp",     "grep",
         "md5sum",   "sha1sum", "sha256sum", "basename", "dirname", "realpath", "readlink"});
}

// Whether a value is a plain list of simple commands and pipelines, where what each command
// does with its operands can be told from the command alone. Not: a group, subshell, function
// or substitution ("{ cat x; } >f", "rm() {...}", "$(...)": review 57 and 58); a loop or
// conditional (its redirection applies to all inside); a builtin that redirects, runs text,
// reads files or gives a name another meaning ("exec >f", "eval", ". lib.sh", "alias",
// "hash -p", "enable -f", "read", "printf -v", "declare"). In any other value no program's
// operands are exempt.
bool plain_value(std::string_view v, const std::vector<std::string>& words) {
    if (v.find_first_of("{}()`") != std::string_view::npos) return false;
    for (const auto& w : words)
        if (one_of(w, {"exec",  "eval",    ".",       "source",    "alias", "unalias", "function",
                       "trap",  "for",     "while",   "until",     "do",    "done",    "if",
                       "then",  "else",    "elif",    "fi",        "case",  "esac",    "select",
                       "read",  "printf",  "declare", "typeset",   "local", "hash",    "enable",
                       "shopt", "builtin", "mapfile", "readarray", "coproc"}))
            return false;
    return true;
}

// Programs that show a document: a word given to one that ends like data ("open
// coverage/index.html") is a page to look at, not code (review 55).
bool viewer_program(std::string_view program) {
    return one_of(base_name(program), {"open", "xdg-open", "sensible-browser", "x-www-browser"});
}

// Every word of a command value and of the commands nested in it ("sh -ec '...'", "trap '...'
// EXIT", "eval ...", "$(...)"), with what follows a "=" of each ("--chdir=tools", "X=tools/a",
// "ProxyCommand=tools/p"), and each later word taken in a directory a word names after "cd",
// "pushd", "-C", "--chdir" or "-d" ("env -C tools sh a": tools/a), after a runner of a
// package's programs ("npx --yes x": node_modules/.bin/x), and in the value's own PATH
// directories; and the directories "find ... -exec" and "run-parts" run the files of.
void mentioned_words(std::string_view v, MentionContext ctx, Mentions& out) {
    constexpr std::size_t kMax = 64;
    // `keep_dot`: "./rm" from a PATH of "." stays a word with a slash, judged when missing.
    auto add = [&](std::string w, bool keep_dot = false) {
        if (!keep_dot)
            while (w.starts_with("./")) w.erase(0, 2);
        if (w.empty() || w == "$" || redirection(w) || w == "." || w == ".." ||
            out.words.size() >= kMax)
            return;
        if (std::find(out.words.begin(), out.words.end(), w) == out.words.end())
            out.words.push_back(std::move(w));
    };
    auto add_run_dir = [&](const std::string& d) {
        if (d.empty() || d == "$" || d.find_first_of("*?[") != std::string::npos ||
            out.run_dirs.size() >= 16)
            return;
        if (std::find(out.run_dirs.begin(), out.run_dirs.end(), d) == out.run_dirs.end())
            out.run_dirs.push_back(d);
    };
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '!'))
        v.remove_prefix(1);
    std::vector<std::size_t> pipes;
    const std::vector<std::string> words = shell_words(v, &pipes);
    path_assignments(v, ctx.path_dirs);
    // What backticks and substitutions run is a command of its own (review 54: echo
    // `tools/run`; review 57: "$(tools/run)" in double quotes).
    std::vector<std::string_view> nested = substitutions(v);
    for (auto open = v.find('`'); open != std::string_view::npos;) {
        const auto close = v.find('`', open + 1);
        if (close == std::string_view::npos) break;
        nested.push_back(v.substr(open + 1, close - open - 1));
        open = v.find('`', close + 1);
    }
    ctx.no_exemptions = ctx.no_exemptions || !nested.empty() || defines_names(v, words);
    if (ctx.depth < 3)
        for (std::string_view n : nested) {
            MentionContext inner = ctx;
            ++inner.depth;
            mentioned_words(n, inner, out);
        }
    std::vector<std::string> dirs;
    bool next_is_dir = false, after_cd = false, after_runner = false, next_is_module = false;
    // A module named to an interpreter ("-m tools.mod", perl's "-Mtools::mod"): its file, and
    // each package's __init__.py on the way, in every directory named so far.
    auto add_module = [&](std::string module, const char* sep, const char* ending) {
        for (auto at = module.find(sep); at != std::string::npos; at = module.find(sep, at))
            module.replace(at, std::strlen(sep), "/");
        for (auto slash = module.find('/'); slash != std::string::npos;
             slash = module.find('/', slash + 1))
            add(module.substr(0, slash) + "/__init__.py");
        add(module + ending);
        add(module + "/__init__.py");
        add(module + "/__main__.py");
        for (const auto& d : dirs) add(d + "/" + module + ending);
    };
    // One simple command: words[s] up to the "" at e.
    // One simple command: words[c.s] up to the "" at c.e. `inert`: its operands are exempt;
    // `viewer`: its data-ending words are; `handed_on`: its output reaches another command or
    // a file (what it runs nested inside then gets no exemptions either).
    struct Command {
        std::size_t s, e, p;
        bool written = false, piped = false, inert = false, viewer = false, handed_on = false;
    };
    auto read_command = [&](const Command& c) {
        const std::size_t s = c.s, e = c.e, p = c.p;
        const std::string program = p < e ? words[p] : std::string();
        const bool written = c.written, piped = c.piped, inert = c.inert, viewer = c.viewer;
        // The archives and bundles a command writes: no program (review 59's false 120s for
        // "tar -czf dist/src.tar.gz src", "zip -r dist/x.zip", "git bundle create x").
        std::vector<bool> output(e > s ? e - s : 0, false);
        auto mark = [&](std::size_t k) {
            if (k < e) output[k - s] = true;
        };
        const std::string_view base = base_name(program);
        if (base == "tar") {
            bool create = false;
            for (std::size_t k = p + 1; k < e; ++k)
                create = create || words[k] == "--create" ||
                         ((words[k].starts_with('-') || k == p + 1) &&
                          !words[k].starts_with("--") && words[k].find('c') != std::string::npos);
            for (std::size_t k = p + 1; create && k < e; ++k) {
                const std::string& w = words[k];
                if (w.starts_with("--file="))
                    mark(k);
                else if (w == "--file" || ((w.starts_with('-') || k == p + 1) &&
                                           !w.starts_with("--") && w.ends_with('f')))
                    mark(k + 1);
            }
        } else if (base == "zip") {
            for (std::size_t k = p + 1; k < e; ++k)
                if (!words[k].starts_with('-')) {
                    mark(k);
                    break;
                }
        } else if (base == "git") {
            for (std::size_t k = p + 1; k + 1 < e; ++k)
                if (words[k] == "bundle" && words[k + 1] == "create") {
                    for (std::size_t o = k + 2; o < e; ++o)
                        if (!words[o].starts_with('-')) {
                            mark(o);
                            break;
                        }
                    break;
                }
        }
        for (std::size_t k = p + 1; k < e; ++k)
            if (words[k].starts_with("--output=")) mark(k);
        // The starting points of a find that runs what it finds, or hands it on (review 57:
        // find scripts/checks -name "*.sh" -exec sh {} \;), and run-parts' directory.
        if (base_name(program) == "find") {
            bool runs = piped || ctx.no_exemptions || written;
            for (std::size_t k = p + 1; k < e; ++k)
                runs = runs || one_of(words[k], {"-exec", "-execdir", "-ok", "-okdir"});
            std::size_t k = p + 1;
            while (k < e && (one_of(words[k], {"-H", "-L", "-P"}) || words[k].starts_with("-O") ||
                             words[k] == "-D"))
                k += words[k] == "-D" ? 2 : 1;
            for (; runs && k < e && !words[k].starts_with('-') && words[k] != "(" &&
                   words[k] != "!" && !redirection(words[k]);
                 ++k)
                add_run_dir(words[k]);
        } else if (base_name(program) == "run-parts") {
            for (std::size_t k = e; k > p + 1; --k)
                if (!words[k - 1].starts_with('-') && !redirection(words[k - 1])) {
                    add_run_dir(words[k - 1]);
                    break;
                }
        }
        // The word after an interpreter ("flock .lock sh deploy", "xargs sh x") or after -f
        // ("awk -f report", "make -f ci") is its script even without a slash: judged when
        // missing (review 59).
        bool script_next = false;
        for (std::size_t k = s; k < e; ++k) {
            const std::string& w = words[k];
            if (w == ">") {  // a file the command writes: no program ("make > out/build.log")
                ++k;
                continue;
            }
            if (output[k - s]) continue;
            if (one_of(w, {"-c", "-e", "--eval", "-m"})) script_next = false;
            // git's -F is a message file (git commit -F MSG: review 60's false 120).
            const bool file_option = one_of(w, {"-f", "-F", "--file"}) && base != "git";
            // The same option joined to its script: "--file=ci", "-fci", "awk -freport"
            // (review 60).
            std::string joined;
            if (base != "git" && w.starts_with("--file="))
                joined = w.substr(7);
            else if (one_of(base, {"make", "gmake", "awk", "gawk", "mawk", "sed"}) &&
                     w.size() > 2 && w.starts_with("-f") && w[2] != '-')
                joined = w.substr(2);  // not gcc's -fPIC
            if (!joined.empty() && joined.find('/') == std::string::npos &&
                joined.find_first_of(" \t;&|<>`$*?[=") == std::string::npos && !(k > p && inert))
                add("./" + joined, true);
            if (file_option || interpreter(w))
                script_next = true;
            else if (!w.starts_with('-') && script_next) {
                script_next = false;
                if (w.find('/') == std::string::npos && w.find('=') == std::string::npos &&
                    !(k > p && (inert || (viewer && !may_name_program(w)))) &&
                    w.find_first_of(" \t;&|<>`$*?[") == std::string::npos)
                    add("./" + w, true);
            }
            if (k == p && w.find('/') == std::string::npos && !one_of(w, {"cd", "pushd"})) {
                // The program named without a slash is looked up in PATH, never taken here
                // ("less -R", credential.helper = mytool: review 54's refused edits of ./less
                // and ./mytool), unless the value's own PATH puts a directory first.
                if (!shell_builtin(w))
                    for (const auto& d : ctx.path_dirs)
                        add(d == "." ? "./" + w : d + "/" + w, true);
                if (package_runner(w) || w == "yarn") after_runner = true;
                continue;
            }
            if (k > p && (inert || (viewer && !may_name_program(w)))) continue;
            // An output file ("-o out/src.tar", "--output x"), not an option's setting
            // ("ssh -o ProxyCommand=x", "-o 'ProxyCommand x'").
            if (k > p && one_of(w, {"-o", "--output"}) && k + 1 < e &&
                words[k + 1].find_first_of("= \t") == std::string::npos) {
                ++k;
                continue;
            }
            if (next_is_module) {
                next_is_module = false;
                add_module(w, ".", ".py");
                continue;
            }
            if (w.size() > 2 && w.starts_with("-I")) dirs.push_back(w.substr(2));  // perl, ruby
            if (w.size() > 2 && w.starts_with("-M")) add_module(w.substr(2), "::", ".pm");
            if (w.size() > 2 && w.starts_with("-m") && w[2] != '-')
                add_module(w.substr(2), ".", ".py");
            if (w == "-m") {
                next_is_module = true;
                continue;
            }
            if (w.find_first_of(" \t;&|<>`$") != std::string::npos && ctx.depth < 3) {
                MentionContext inner = ctx;  // a command given as one word
                ++inner.depth;
                inner.no_exemptions = inner.no_exemptions || c.handed_on;
                mentioned_words(w, inner, out);
                continue;
            }
            std::string value = w;
            if (const auto eq = w.find('='); eq != std::string::npos && eq + 1 < w.size()) {
                value = w.substr(eq + 1);
                if (value.find_first_of(" \t;&|") != std::string::npos && ctx.depth < 3) {
                    MentionContext inner = ctx;
                    ++inner.depth;
                    inner.no_exemptions = inner.no_exemptions || c.handed_on;
                    mentioned_words(value, inner, out);
                }
                if (one_of(w.substr(0, eq), {"--chdir", "--directory", "--cwd", "-C"}))
                    dirs.push_back(value);
            }
            if (w.starts_with('-') && w.find('=') == std::string::npos) {
                // An option: no file. A cd's own ("cd -P tools", "cd -- tools") keep its
                // directory to come.
                if (!after_cd)
                    next_is_dir = one_of(w, {"-C", "--chdir", "-d", "--directory", "--cwd"});
                continue;
            }
            if (one_of(w, {"cd", "pushd"})) {
                next_is_dir = after_cd = true;
                continue;
            }
            if (next_is_dir) {
                dirs.push_back(value);
                next_is_dir = after_cd = false;
                continue;
            }
            add(value);
            for (const auto& d : dirs) add(d + "/" + value);
            if (after_runner && value.find('/') == std::string::npos)
                add("node_modules/.bin/" + value);
            if (package_runner(w) || one_of(w, {"exec", "pnpx", "bunx", "yarn"}))
                after_runner = true;
        }
    };
    std::vector<Command> commands;
    for (std::size_t s = 0; s < words.size();) {
        std::size_t e = s;
        while (e < words.size() && !words[e].empty()) ++e;
        std::string unused_dir;
        Command c{s, e, std::min(program_index(words, s, unused_dir), e)};
        // Output to /dev/null or to another descriptor ("2>/dev/null", "2>&1") is no file
        // (review 59's false 120 for "tail build/test.log 2>/dev/null").
        for (std::size_t k = s; k < e; ++k)
            if (words[k] == ">" &&
                !(k + 1 < e && (words[k + 1] == "/dev/null" || words[k + 1] == "-" ||
                                words[k + 1].find_first_not_of("0123456789") == std::string::npos)))
                c.written = true;
        c.piped = std::find(pipes.begin(), pipes.end(), e) != pipes.end();
        commands.push_back(c);
        s = e + 1;
    }
    // A pipeline's operands are exempt when the value is plain and sets no PATH of its own,
    // and every command of the pipeline is inert and writes no file: its output reaches only
    // the terminal ("tail -n 50 build/test.log | grep -i fail": review 58's false 120).
    const bool plain = !ctx.no_exemptions && ctx.path_dirs.empty() && plain_value(v, words);
    for (std::size_t a = 0; a < commands.size();) {
        std::size_t b = a;
        while (b + 1 < commands.size() && commands[b].piped) ++b;
        bool inert = plain;
        for (std::size_t i = a; i <= b; ++i)
            inert = inert && !commands[i].written && commands[i].p < commands[i].e &&
                    inert_program(words[commands[i].p]);
        for (std::size_t i = a; i <= b; ++i) {
            Command& c = commands[i];
            c.inert = inert;
            c.viewer = plain && a == b && !c.written && c.p < c.e && viewer_program(words[c.p]);
            c.handed_on = !plain || i < b ||
                          std::any_of(commands.begin() + static_cast<std::ptrdiff_t>(a),
                                      commands.begin() + static_cast<std::ptrdiff_t>(b) + 1,
                                      [](const Command& x) { return x.written; });
        }
        a = b + 1;
    }
    for (const Command& c : commands) {
        read_command(c);
        // Between two simple commands: a cd's directory stays.
        next_is_dir = after_cd = after_runner = next_is_module = false;
    }
}

}  // namespace

std::vector<std::string> command_mentioned_paths(std::string_view command) {
    Mentions out;
    mentioned_words(command, {}, out);
    return std::move(out.words);
}

std::vector<std::string> command_run_dirs(std::string_view command) {
    Mentions out;
    mentioned_words(command, {}, out);
    return std::move(out.run_dirs);
}

bool may_name_program(std::string_view word) {
    const auto slash = word.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? word : word.substr(slash + 1);
    const auto dot = base.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return true;
    const std::string_view ext = base.substr(dot);
    return ext.find_first_of("*?[") != std::string_view::npos || script_name(base) ||
           one_of(ext, {".bin", ".exe", ".run"});
}

std::vector<std::string> command_program_paths(std::string_view command) {
    std::vector<std::string> out;
    program_paths(command, 0, {}, out);
    return out;
}

}  // namespace sbx
