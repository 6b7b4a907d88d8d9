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
        if (in_word) words.push_back(dynamic ? std::string("$") : word);
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
            // A redirection's file is no program: skip the word after < or >.
            if (c == '<' || c == '>') {
                while (i + 1 < v.size() && (v[i + 1] == '>' || v[i + 1] == '&')) ++i;
                words.push_back("<");
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

// Programs that never run, read or print what their file operands hold: a word given to one
// ("rm -f build/app", "rm -f *.o", "mkdir -p out/logs") is no code, however it ends (review
// 56: "rm -f build/app" ended a build 120). Not echo, ls, cat or the like: what they print
// can be run ("echo tools/a | xargs sh").
bool inert_program(std::string_view program) {
    return one_of(base_name(program), {"rm", "rmdir", "unlink", "touch", "mkdir", "chmod", "chown",
                                       "chgrp", "truncate", "shred", "test", "["});
}

// Programs that show a document: a word given to one that ends like data ("open
// coverage/index.html") is a page to look at, not code (review 55).
bool viewer_program(std::string_view program) {
    return one_of(base_name(program), {"open", "xdg-open", "sensible-browser", "x-www-browser"});
}

// Runners of a package's local programs: "npx x" runs node_modules/.bin/x.
bool package_runner(std::string_view w) {
    return one_of(base_name(w), {"npx", "bunx", "pnpx"});
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
        auto skip_prefixes = [&] {
            while (!at_end(i)) {
                const std::string& w = words[i];
                const auto eq = w.find('=');
                if ((eq != std::string::npos && eq > 0 && w.find('/') > eq) || w == "--") {
                    ++i;
                } else if (command_prefix(w)) {
                    const bool env = w == "env";
                    ++i;
                    // The wrapper's options, their arguments and numbers ("-n 1", "20", "-k 5").
                    // A number starts with a digit: "sh" is all of "smhd" too, and was skipped
                    // as a duration after exec, command, nohup or then (review 55).
                    while (!at_end(i) &&
                           (words[i].starts_with('-') ||
                            (words[i][0] >= '0' && words[i][0] <= '9' &&
                             words[i].find_first_not_of("0123456789.smhd") == std::string::npos))) {
                        if (env && (words[i] == "-C" || words[i] == "--chdir") && !at_end(i + 1)) {
                            command_dir = command_dir.empty() || words[i + 1][0] == '/'
                                              ? words[i + 1]
                                              : command_dir + "/" + words[i + 1];
                            ++i;
                        } else if (one_of(words[i], {"-n", "-u", "-k", "-s", "-o", "-e", "-a", "-g",
                                                     "-p", "-E"})) {
                            ++i;
                        }
                        ++i;
                    }
                } else {
                    break;
                }
            }
        };
        skip_prefixes();
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
                        if (w == "-c" && !at_end(a + 1) && depth < 2) {
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
            else if (words[k] != "<" && !words[k].starts_with('-') && script_name(words[k]) &&
                     words[k].find('=') == std::string::npos)
                add(words[k]);
        while (!at_end(i)) ++i;
        ++i;  // past the ""
    }
}

// Every word of a command value and of the commands nested in it ("sh -ec '...'", "trap '...'
// EXIT", "eval ..."), with what follows a "=" of each ("--chdir=tools", "X=tools/a",
// "ProxyCommand=tools/p"), and each later word taken in a directory a word names after "cd",
// "pushd", "-C", "--chdir" or "-d" ("env -C tools sh a": tools/a), and after a runner of a
// package's programs ("npx --yes x": node_modules/.bin/x).
void mentioned_words(std::string_view v, int depth, bool substituted,
                     std::vector<std::string>& out) {
    constexpr std::size_t kMax = 64;
    auto add = [&](std::string w) {
        while (w.starts_with("./")) w.erase(0, 2);
        if (w.empty() || w == "$" || w == "<" || w == "." || w == ".." || out.size() >= kMax)
            return;
        if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
    };
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '!'))
        v.remove_prefix(1);
    // What backticks run is a command of its own (review 54: echo `tools/run`).
    for (auto open = v.find('`'); open != std::string_view::npos && depth < 3;) {
        const auto close = v.find('`', open + 1);
        if (close == std::string_view::npos) break;
        mentioned_words(v.substr(open + 1, close - open - 1), depth + 1, true, out);
        open = v.find('`', close + 1);
    }
    // What a substitution prints is a word of the command around it: no program in a value
    // with one is inert ("sh $(rm -v tools/a)" runs what rm printed).
    substituted = substituted || v.find('`') != std::string_view::npos ||
                  v.find("$(") != std::string_view::npos ||
                  v.find("<(") != std::string_view::npos || v.find(">(") != std::string_view::npos;
    std::vector<std::size_t> pipes;
    const std::vector<std::string> words = shell_words(v, &pipes);
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
    bool program = true;  // the next word is a simple command's program
    // The rest of this simple command is an inert program's operands, or a viewer's.
    bool inert = false, viewer = false;
    for (std::size_t k = 0; k < words.size(); ++k) {
        const std::string& w = words[k];
        if (w.empty()) {  // between two simple commands: a cd's directory stays
            next_is_dir = after_cd = after_runner = next_is_module = inert = viewer = false;
            program = true;
            continue;
        }
        if (inert || (viewer && !may_name_program(w))) continue;
        // The program named without a slash is looked up in PATH, never taken here ("less -R",
        // credential.helper = mytool: review 54's refused edits of ./less and ./mytool);
        // assignments before it are read below.
        if (program && w != "<") {
            const auto eq = w.find('=');
            const bool assignment = eq != std::string::npos && eq > 0 && w.find('/') > eq;
            if (!assignment) {
                program = false;
                // Its output piped to the next command, or substituted, is no longer inert.
                std::size_t end = k;
                while (end < words.size() && !words[end].empty()) ++end;
                if (!substituted && std::find(pipes.begin(), pipes.end(), end) == pipes.end()) {
                    inert = inert_program(w);
                    viewer = viewer_program(w);
                }
                if (w.find('/') == std::string::npos && !one_of(w, {"cd", "pushd"})) {
                    if (package_runner(w) || one_of(w, {"pnpx", "bunx", "yarn"}))
                        after_runner = true;
                    continue;
                }
            }
        }
        if (next_is_module) {
            next_is_module = false;
            add_module(w, ".", ".py");
            continue;
        }
        if (w.size() > 2 && w.starts_with("-I")) dirs.push_back(w.substr(2));  // perl, ruby
        if (w.size() > 2 && w.starts_with("-M")) add_module(w.substr(2), "::", ".pm");
        if (w.size() > 2 && w.starts_with("-m") && w[2] != '-') add_module(w.substr(2), ".", ".py");
        if (w == "-m") {
            next_is_module = true;
            continue;
        }
        if (w.find_first_of(" \t;&|<>`$") != std::string::npos && depth < 3) {
            mentioned_words(w, depth + 1, substituted, out);  // a command given as one word
            continue;
        }
        std::string value = w;
        if (const auto eq = w.find('='); eq != std::string::npos && eq + 1 < w.size()) {
            value = w.substr(eq + 1);
            if (value.find_first_of(" \t;&|") != std::string::npos && depth < 3)
                mentioned_words(value, depth + 1, substituted, out);
            if (one_of(w.substr(0, eq), {"--chdir", "--directory", "--cwd", "-C"}))
                dirs.push_back(value);
        }
        if (w.starts_with('-') && w.find('=') == std::string::npos) {
            // An option: no file. A cd's own ("cd -P tools", "cd -- tools") keep its directory
            // to come.
            if (!after_cd) next_is_dir = one_of(w, {"-C", "--chdir", "-d", "--directory", "--cwd"});
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
        if (after_runner && value.find('/') == std::string::npos) add("node_modules/.bin/" + value);
        if (package_runner(w) || one_of(w, {"exec", "pnpx", "bunx", "yarn"})) after_runner = true;
    }
}

}  // namespace

std::vector<std::string> command_mentioned_paths(std::string_view command) {
    std::vector<std::string> out;
    mentioned_words(command, 0, false, out);
    return out;
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
