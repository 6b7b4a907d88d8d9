// The files a command reaches, read as the shell splits it (plan/command_words.hpp): every
// spelling an outside review used to run a script the plan did not protect.
#include "plan/command_words.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

namespace {

bool reaches(std::string_view command, const std::string& file) {
    const auto paths = sbx::command_program_paths(command);
    return std::find(paths.begin(), paths.end(), file) != paths.end();
}

}  // namespace

TEST_CASE("command_program_paths: every simple command's program", "[command_words]") {
    // Review 50's spellings of an alias, each a way to reach scripts/t.sh.
    for (const char* v : {"!sh scripts/t.sh", "!true; scripts/t.sh", "!git status && scripts/t.sh",
                          "!FOO=1 scripts/t.sh", "!scr\\ipts/t.sh", "!f() { scripts/t.sh; }; f",
                          "!sh -c 'scripts/t.sh --x'", "!env -i A=1 scripts/t.sh"}) {
        INFO(v);
        CHECK(reaches(v, "scripts/t.sh"));
    }
    CHECK(reaches("!bash ./scripts/t.sh", "./scripts/t.sh"));
    // A cd's options (review 53): the program after it is still taken there.
    CHECK(reaches("!cd -P tools && sh a", "tools/a"));
    CHECK(reaches("!cd -- tools && ./a", "tools/a"));
    // Review 55: "sh" after a prefix was skipped as a duration ("sh" is all of "smhd").
    for (const char* v : {"exec sh run", "!command sh run", "nohup sh run", "stdbuf -oL sh run",
                          "timeout -s KILL 20 sh run", "env -u X sh run", "!xargs sh run",
                          "!if true; then sh run; fi", "!for i in 1; do sh run; done",
                          "bash --rcfile /dev/null run"}) {
        INFO(v);
        CHECK(reaches(v, "run"));
    }
    // An expansion names nothing known; a redirection's file is no program.
    CHECK(sbx::command_program_paths("!$HOME/x.sh >logs/out.txt").empty());
}

TEST_CASE("command_program_paths: interpreters, wrappers, cd and package runners",
          "[command_words]") {
    // Review 51's spellings of core.fsmonitor, each with the file it runs.
    const std::pair<const char*, const char*> cases[] = {
        {"python3 fsmon.py", "fsmon.py"},
        {"python3 -W ignore tools/fsmon.py", "tools/fsmon.py"},
        {"python3 -m tools.fsmon", "tools/fsmon.py"},
        {"env -C tools ./fsmon.sh", "tools/fsmon.sh"},
        {"sh -c 'cd tools && ./fsmon.sh'", "tools/fsmon.sh"},
        {"timeout 20 tools/fsmon.sh", "tools/fsmon.sh"},
        {"sh -c '. tools/fsmon.sh'", "tools/fsmon.sh"},
        {"npx fsmon", "node_modules/.bin/fsmon"},
        {"sh fsmon.sh", "fsmon.sh"},
        {"nice -n 1 tools/fsmon.sh", "tools/fsmon.sh"},
        {"node x.js", "x.js"},
        // Review 52's.
        {"python3 -m tools.fsmon", "tools/__init__.py"},
        {"python3 -mtools.fsmon", "tools/fsmon.py"},
        {"python3 -B -O tools/lint.py", "tools/lint.py"},
        {"python3 -I x.py", "x.py"},
        {"uv run tools/x.py", "tools/x.py"},
        {"bundle exec ruby tools/x.rb", "tools/x.rb"},
        {"sudo -u u tools/x", "tools/x"},
        {"flock /tmp/l tools/x.sh", "tools/x.sh"},
        {"sh < tools/x", "tools/x"},
        {"cat tools/x.sh | sh", "tools/x.sh"},
        {"env FOO=1 -- tools/x", "tools/x"},
        {"deno run tools/x.ts", "tools/x.ts"},
        {"strace -f -o /tmp/t tools/x", "tools/x"},
    };
    for (const auto& [value, file] : cases) {
        INFO(value);
        CHECK(reaches(value, file));
    }
    // Code given to an interpreter, and a program found in PATH, name no file here.
    CHECK(sbx::command_program_paths("python3 -c 'import x'").empty());
    CHECK(sbx::command_program_paths("!git log -- src/main.c").empty());
}

TEST_CASE("command_mentioned_paths: words a shell could reach a file by", "[command_words]") {
    auto mentions = [](std::string_view command, const std::string& file) {
        const auto paths = sbx::command_mentioned_paths(command);
        return std::find(paths.begin(), paths.end(), file) != paths.end();
    };
    // Review 53's spellings, each with the file it runs.
    const std::pair<const char*, const char*> cases[] = {
        {"!cat tools/a | bash -s", "tools/a"},
        {"!echo tools/a | xargs sh", "tools/a"},
        {"!env -C tools sh a", "tools/a"},
        {"!env --chdir=tools sh a", "tools/a"},
        {"!cd -P tools && sh a", "tools/a"},
        {"!cd -- tools && sh a", "tools/a"},
        {"!flock -w 5 L tools/a", "tools/a"},
        {"!sh 0<tools/a", "tools/a"},
        {"!2>/dev/null sh tools/a", "tools/a"},
        {"!sh -ec 'cat tools/a | sh'", "tools/a"},
        {"!bash -lc \"sh tools/a\"", "tools/a"},
        {"!node -r ./tools/a.js x.js", "tools/a.js"},
        {"!awk -f tools/a /dev/null", "tools/a"},
        {"!make -f tools/mk", "tools/mk"},
        {"!perl -Itools -Mxmod -e 1", "tools/xmod.pm"},
        {"!uv run python3 -m tools.mod", "tools/mod.py"},
        {"!uv run python3 -m tools.mod", "tools/__init__.py"},
        {"!npx --yes fsmon", "node_modules/.bin/fsmon"},
        {"!git -c core.editor=tools/a commit", "tools/a"},
        {"ssh -o ProxyCommand=tools/p host", "tools/p"},
        {"ssh -F tools/cfg", "tools/cfg"},
        {"vim -u tools/vimrc", "tools/vimrc"},
        {"!X=tools/a; sh $X", "tools/a"},
        {"!trap 'sh tools/a' EXIT", "tools/a"},
        {"!sh tools/?", "tools/?"},  // a pattern: the plan expands it
    };
    for (const auto& [value, file] : cases) {
        INFO(value);
        CHECK(mentions(value, file));
    }
    // A program named without a slash is PATH's (review 54: ./less, ./gcloud.sh made read-only).
    CHECK_FALSE(mentions("less -R", "less"));
    CHECK_FALSE(mentions("gcloud.sh", "gcloud.sh"));
    CHECK(sbx::command_program_paths("gcloud.sh").empty());
    // What backticks and a leading redirection run (review 54).
    CHECK(mentions("echo `tools/run`", "tools/run"));
    CHECK(mentions(">/dev/null tools/run", "tools/run"));
    // Review 56: a file that ends like data, given to what runs it, or to a wrapper not known
    // here; an inert program's operands only when its output is run.
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!make -f tools/release.mk", "tools/release.mk"},
             {"ssh -F tools/ssh.conf", "tools/ssh.conf"},
             {"!flock L sh tools/deploy.txt", "tools/deploy.txt"},
             {"!eval \"sh tools/deploy.txt\"", "tools/deploy.txt"},
             {"!env -S \"sh tools/deploy.txt\"", "tools/deploy.txt"},
             {"!LD_PRELOAD=tools/x.so git log", "tools/x.so"},
             {"!rm -v tools/a | xargs sh", "tools/a"},
             {"!sh $(rm -v tools/a)", "tools/a"},
             {"!rm x || sh tools/a", "tools/a"},
             {"!open tools/run", "tools/run"},
             {"!open coverage/index.html | sh", "coverage/index.html"}}) {
        INFO(value);
        CHECK(mentions(value, file));
    }
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!rm -f build/app", "build/app"},
             {"!rm -f *.o", "*.o"},
             {"!mkdir -p out/logs && touch out/logs/x", "out/logs/x"},
             {"!/bin/rm -f build/app", "build/app"},
             {"!open coverage/index.html", "coverage/index.html"},
             {"!rm -f build/app || true", "build/app"}}) {
        INFO(value);
        CHECK_FALSE(mentions(value, file));
    }
    // Review 57: a substitution in double quotes, the value's own PATH, names it redefines; a
    // printer whose output is written to a file.
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!rm -rf \"$(tools/list.sh)\"", "tools/list.sh"},
             {"!echo \"$(build/info.sh)\"", "build/info.sh"},
             {"!x=\"<(tools/gen)\"; cat $x", "tools/gen"},
             {"!PATH=node_modules/.bin:$PATH eslint .", "node_modules/.bin/eslint"},
             {"!PATH=.:$PATH rm -f foo", "./rm"},
             {"!export PATH=build:$PATH; make", "build/make"},
             {"!PATH=\"$PWD/tools:$PATH\" lint", "./tools/lint"},
             {"!rm() { \"$@\"; }; rm build/x", "build/x"},
             {"!alias rm=sh\nrm build/x", "build/x"},
             {"!cat tools/a > run.sh; sh run.sh", "tools/a"},
             {"!sh gen.sh > out.sh && sh out.sh", "out.sh"}}) {
        INFO(value);
        CHECK(mentions(value, file));
    }
    // A wrapper does not hide an inert program; a file a command writes is no program.
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!command rm -f build/app", "build/app"},
             {"!timeout -k 1 5 rm -f build/app", "build/app"},
             {"!nice -n5 rm -f build/app", "build/app"},
             {"!tail -n 50 build/test.log", "build/test.log"},
             {"!git diff HEAD > out/current.diff", "out/current.diff"},
             {"!git archive -o out/src.tar HEAD", "out/src.tar"},
             {"!make &> out/build.log", "out/build.log"},
             {"!PATH=/usr/local/bin:$PATH less -R", "./less"}}) {
        INFO(value);
        CHECK_FALSE(mentions(value, file));
    }
    // Review 58: an inert program's option that runs one, output redirected around it, names
    // given a meaning by eval or a sourced file, a work tree's own "cat". (exec, too, takes
    // a value out of the plain ones: "exec rm -f x" reads x.)
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!sort -S 100 --compress-program=tools/compress.sh build/big.txt",
              "tools/compress.sh"},
             {"!exec >build/gen.sh; cat tools/snippet.txt; exec >&2; sh build/gen.sh",
              "tools/snippet.txt"},
             {"!{ cat tools/header.txt; } >build/bundle.sh && sh build/bundle.sh",
              "tools/header.txt"},
             {"!for f in a; do cat tools/x.txt; done >o.sh; sh o.sh", "tools/x.txt"},
             {"!eval \"alias cat=sh\"\ncat tools/run.txt", "tools/run.txt"},
             {"!. tools/lib.sh && cat tools/steps.txt", "tools/steps.txt"},
             {"!./cat tools/x", "tools/x"},
             {"!exec rm -f build/app", "build/app"}}) {
        INFO(value);
        CHECK(mentions(value, file));
    }
    // A pipeline of readers reaches only the terminal (review 58's false 120s).
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!tail -n 50 build/test.log | grep -i fail", "build/test.log"},
             {"!ls -t build/*.log | head -1", "build/*.log"},
             {"!cat build/coverage.txt | grep TOTAL", "build/coverage.txt"}}) {
        INFO(value);
        CHECK_FALSE(mentions(value, file));
    }
    // Review 59: a script without a slash behind a wrapper or -f; env -S's command line; what
    // goes to /dev/null or into an archive is no file run.
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!flock .lock sh deploy", "./deploy"},
             {"!awk -f report /dev/null", "./report"},
             {"!make -f ci", "./ci"},
             {"!script -qc 'sh ci-local' /dev/null", "./ci-local"},
             {"!env -S 'sh lint.sh --all'", "lint.sh"}}) {
        INFO(value);
        CHECK(mentions(value, file));
    }
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!tail -n 50 build/test.log 2>/dev/null", "build/test.log"},
             {"!cat build/log 2>&1", "build/log"},
             {"!xdg-open coverage/index.html >/dev/null", "coverage/index.html"},
             {"!tar -czf dist/src.tar.gz src", "dist/src.tar.gz"},
             {"!tar czf dist/src.tgz src", "dist/src.tgz"},
             {"!zip -r dist/x.zip src", "dist/x.zip"},
             {"!git archive --output=dist/x.tar HEAD", "dist/x.tar"},
             {"!git bundle create dist/x.bundle HEAD", "dist/x.bundle"}}) {
        INFO(value);
        CHECK_FALSE(mentions(value, file));
    }
    CHECK(sbx::command_program_paths("!sh -ec 'sh bootstrap'") ==
          std::vector<std::string>{"bootstrap"});
    CHECK(sbx::command_program_paths("!bash -lc 'python3 manage.py check'") ==
          std::vector<std::string>{"manage.py"});
    CHECK(sbx::command_program_paths("!env -S 'sh lint.sh --all'") ==
          std::vector<std::string>{"lint.sh"});
    // Review 60: -f joined to its script; git's -F is a message, not a script.
    for (const auto& [value, file] : std::initializer_list<std::pair<const char*, const char*>>{
             {"!make --file=ci", "./ci"},
             {"!make -fci", "./ci"},
             {"!awk -freport /dev/null", "./report"}}) {
        INFO(value);
        CHECK(mentions(value, file));
    }
    CHECK_FALSE(mentions("!git commit -F MSG", "./MSG"));
    CHECK_FALSE(mentions("!gcc -fPIC -c x.c", "./PIC"));
    // Options and separators are no files; at most 64.
    CHECK_FALSE(mentions("!git log --oneline -- x", "--oneline"));
    std::string many = "!true";
    for (int i = 0; i < 100; ++i) many += " w" + std::to_string(i);
    CHECK(sbx::command_mentioned_paths(many).size() == 64);
}

TEST_CASE("may_name_program: no ending, a script's, or a pattern; never data", "[command_words]") {
    for (const char* w : {"tools/run", "tools/x.sh", "tools/x.py", "t*/run", "tools/fsmon.s[h]"})
        CHECK(sbx::may_name_program(w));
    for (const char* w : {"coverage/index.html", "*.o", "build/app.o", "docs/x.md"})
        CHECK_FALSE(sbx::may_name_program(w));
}

TEST_CASE("command_run_dirs: the directories a command runs the files of", "[command_words]") {
    using V = std::vector<std::string>;
    CHECK(sbx::command_run_dirs("!find scripts/checks -type f -name \"*.sh\" -exec sh {} \\;") ==
          V{"scripts/checks"});
    CHECK(sbx::command_run_dirs("!find -L a b -name '*.sh' | xargs -n1 sh") == V{"a", "b"});
    CHECK(sbx::command_run_dirs("!run-parts --report hooks.d") == V{"hooks.d"});
    // A find that only lists, and a pattern, are no directories run.
    CHECK(sbx::command_run_dirs("!find . -name x").empty());
    CHECK(sbx::command_run_dirs("!find t* -exec sh {} +").empty());
}
