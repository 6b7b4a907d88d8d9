// The files a command git runs reaches, read from its text as the shell would split it
// (git runs a command value through "sh -c" when it is more than a program's name). The plan
// protects them where the command is written in a protected repository's configuration
// (plan/git_config.hpp's config_code_paths); the after-run check judges them in the
// configurations the run wrote (run/git_danger.hpp). Three outside reviews (50 to 52) each
// found spellings of a program that were not read; each is in command_words_test.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sbx {

// The files a command value runs: the program of each of its simple commands named by a path
// ("tools/fsmon.sh", "./x"; an alias's "!" dropped; "A=1 x", "env x", "timeout 20 x", "true; x",
// "a && x" each reach x), a file "." or "source" reads, an interpreter's script with or without
// a slash ("python3 fsmon.py", "sh -e x.sh", "python3 -W ignore x.py", "python3 -m tools.x" as
// tools/x.py), what "sh -c '...'" runs, a package runner's program ("npx x": node_modules/.bin/
// x), each taken from the directory a "cd" or "env -C" before it moved to (review 50 and 51's
// spellings), as written (relative ones to the directory git runs the command in: the work
// tree's top). A program found in PATH, or one named through an expansion ($X, backticks), is
// not known here; nor is what an interpreter's code (python3 -c) imports.
[[nodiscard]] std::vector<std::string> command_program_paths(std::string_view command);

// Every file a command value may name, as a shell could reach it, well past what
// command_program_paths reads as programs: each word, the text after a "=" in one, each word of
// a command given as one word ("sh -ec '...'"), each word in a directory a "cd", "-C" or
// "--chdir" names, and a package runner's program ("npx --yes x"), as written, at most 64.
// Review 53 ran scripts through spellings no reading of programs followed: "cat x | bash -s",
// "flock -w 5 l x", "node -r ./x", "awk -f x", "make -f x", "ssh -F cfg", "vim -u x". Only an
// existing regular file of these is protected (made read-only: so a file an alias merely
// mentions, "!git add setup.py", is read-only in the sandbox); a missing one is not kept from
// being made, as almost none of these words is a file; one with a slash is judged after the
// run. Read too: what "$(...)" runs, quoted or not, and a program named without a slash in each
// directory the value's own PATH= puts first ("PATH=node_modules/.bin:$PATH eslint":
// node_modules/.bin/eslint; "PATH=.:$PATH rm": ./rm). Not read: a file the command writes
// ("> out.log", "-o out.tar"), the operands of a program that never runs them or hands them on
// ("rm -f build/app", "tail build/test.log") unless its output is piped, substituted or written
// to a file, or the value defines functions or aliases, and a word ending like data given to a
// viewer ("open coverage/index.html"): review 55 to 57's false 120s. Any other word is read
// whatever its ending: "make -f x.mk", "ssh -F x.conf" and "flock L sh x.txt" run a file that
// ends like data (review 56).
[[nodiscard]] std::vector<std::string> command_mentioned_paths(std::string_view command);

// The directories whose files a command value runs, as written: the starting points of a find
// with -exec, -execdir, -ok or -okdir, or whose output is handed on, and run-parts' directory
// (review 57: "find scripts/checks -name '*.sh' -exec sh {} \;"). At most 16.
[[nodiscard]] std::vector<std::string> command_run_dirs(std::string_view command);

// Whether a word could name a program by its ending: none, a script's, or one written as a
// pattern; not one ending like data ("coverage/index.html", "*.o"). Used for a viewer's words.
[[nodiscard]] bool may_name_program(std::string_view word);

}  // namespace sbx
