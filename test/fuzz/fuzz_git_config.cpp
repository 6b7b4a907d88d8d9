// libFuzzer target: the reading of a git configuration and of its command values. The after-run
// check reads configs the sandboxed command wrote (run/git_danger.cpp), so this text is the
// attacker's. The input is a config file; each value is also read as a command, a .git file
// and a legacy remotes/ file. Besides "no crash, no leak, no hang", every reader keeps its
// documented bound and returns no empty path.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "plan/command_words.hpp"
#include "plan/git_config.hpp"
#include "plan/gitdir.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
    std::fprintf(stderr, "git config fuzz invariant broken: %s\ninput: [%.*s]\n", what,
                 static_cast<int>(input.size()), input.data());
    std::abort();
}

void check_paths(const std::vector<std::string>& paths, std::size_t max, const char* what,
                 std::string_view input) {
    if (paths.size() > max) fail(what, input);
    for (const auto& p : paths)
        if (p.empty()) fail(what, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const sbx::GitConfigText parsed = sbx::parse_git_config(text);
    for (const auto& p : sbx::config_code_paths(parsed.entries))
        if (p.value.empty() && p.kind != sbx::ConfigPathKind::hooks_path &&
            p.kind != sbx::ConfigPathKind::include && p.kind != sbx::ConfigPathKind::include_if)
            fail("an empty path from a command", text);
    const auto remotes = sbx::local_remote_paths(parsed.entries, "/w/ws", "/h");
    check_paths(remotes.paths, sbx::kMaxLocalRemotes, "local remotes", text);
    for (const auto& e : parsed.entries) {
        check_paths(sbx::command_program_paths(e.value), 32, "program paths", e.value);
        check_paths(sbx::command_mentioned_paths(e.value), 64, "mentioned paths", e.value);
        check_paths(sbx::command_run_dirs(e.value), 16, "run dirs", e.value);
    }
    // The whole input as a command value, a .git file and a remotes/ file too.
    check_paths(sbx::command_program_paths(text), 32, "program paths", text);
    check_paths(sbx::command_mentioned_paths(text), 64, "mentioned paths", text);
    check_paths(sbx::command_run_dirs(text), 16, "run dirs", text);
    if (const auto g = sbx::gitfile_target(text);
        g && (g->empty() || g->find('\0') != std::string::npos))
        fail("a gitfile target that is empty or holds a NUL", text);
    for (const char* kind : {"remotes", "branches"})
        for (const auto& e : sbx::legacy_remote_entries(kind, "origin", text))
            if (e.value.empty()) fail("an empty legacy remote", text);
    return 0;
}
