// The words of a protected git directory's commands besides their programs (protect.hpp):
// what command_mentioned_paths reads from each command value of the config, protected where
// it names a file, recorded where it names none yet (judged after the run).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "fs/glob_paths.hpp"
#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/protect.hpp"

namespace sbx::planning {

// A file or directory a command of the config names, protected like its program; one that
// cannot be (a file with a second name, a loop) is noted rather than refused: a word is only
// maybe a file the command runs, and refusing every run for it would be a false 122.
Status Protector::protect_or_note(const std::string& path, const RuleRef& why) {
    Status st = protect_path(path, why, Via{0, {}, why.why});
    if (st.ok()) return st;
    const ErrorKind k = st.error().kind;
    if (k != ErrorKind::bad_path && k != ErrorKind::not_found && k != ErrorKind::loop &&
        k != ErrorKind::escape && k != ErrorKind::unenforceable)
        return st;
    d_.plan.notes.push_back("'" + path + "' (" + why.why +
                            ") is not protected: " + st.error().render());
    return {};
}

// A missing name a command of the config gives, judged after the run (MountPlan::
// command_missing), once, at most kMaxMentioned.
void Protector::note_command_missing(const std::string& path, const std::string& why,
                                     bool dir_too) {
    auto& missing = d_.plan.command_missing;
    if (missing.size() < kMaxMentioned &&
        std::none_of(missing.begin(), missing.end(), [&](const auto& m) { return m.path == path; }))
        missing.push_back({path, why, {}, dir_too});
}

// A word of a command of the config that names an existing regular file in one of the work
// trees git runs the command in (plan/command_words.hpp's command_mentioned_paths): read-only,
// like the command's program. Missing, it is not kept from being made: almost none of these
// words is a file, and blocking them all ("log", "build") would refuse what the command makes;
// one with a slash is judged after the run instead (MountPlan::command_missing), whatever its
// ending (review 56: "make -f tools/release.mk", "ssh -F tools/ssh.conf"). An absolute word is
// protected only inside a writable root (elsewhere it is read-only already). At most 256.
Status Protector::protect_mentioned(const std::string& word,
                                    const std::vector<std::string>& worktrees,
                                    const std::string& config, const RuleRef& rule,
                                    std::size_t& count) {
    if (word.empty() || word[0] == '~') return {};
    std::vector<std::string> candidates;
    const std::string why_text = "a command in " + config + " names " + word;
    for (const auto& wt : worktrees) {
        const std::string spelled = word[0] == '/' ? word : wt + "/" + word;
        // A pattern the shell expands ("sh tools/?"): the files it matches now, and what it
        // matches after the run is judged then (review 54: tools/fsmon.s[h]).
        if (word.find_first_of("*?[") != std::string::npos) {
            // Only in a work tree: an absolute pattern ("/*/*/*") would walk the host.
            if (word[0] == '/') break;
            GlobMatches now = glob_paths(environment_path(spelled));
            if (now.truncated) {
                d_.plan.notes.push_back("'" + word + "' (" + why_text + ") matches more than " +
                                        std::to_string(kMaxGlobMatches) +
                                        " files: they are not protected");
                continue;
            }
            candidates.insert(candidates.end(), now.paths.begin(), now.paths.end());
            if (d_.plan.command_patterns.size() < kMaxMentioned)
                d_.plan.command_patterns.push_back(
                    {environment_path(spelled), why_text, std::move(now.paths)});
        } else {
            candidates.push_back(environment_path(spelled));
        }
        if (word[0] == '/') break;
    }
    for (const auto& path : candidates) {
        if (count >= kMaxMentioned) return {};
        struct stat st {};
        // A first look without the resolver: most words name nothing. A missing one with a
        // slash is judged after the run (MountPlan::command_missing): ">/dev/null tools/x",
        // "setarch x86_64 tools/x", "eval tools/x", "BASH_ENV=tools/x", "make -f tools/x"
        // (review 54) all run a file that is not there yet.
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT && word.find('/') != std::string::npos &&
                word.find_first_of("*?[") == std::string::npos)
                note_command_missing(path, why_text, false);
            continue;
        }
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (word[0] == '/' && !d_.writable_place(path_parent(resolved_path(path)))) continue;
        ++count;
        RuleRef why = rule;
        why.why = "a command in " + config + " mentions " + word + " (git runs the command)";
        SBX_TRY(protect_or_note(path, why));
    }
    return {};
}

// A directory whose files a command of the config runs (plan/command_words.hpp's
// command_run_dirs: "find scripts/checks -name '*.sh' -exec sh {} \\;", "run-parts hooks.d"):
// read-only as a whole, as hooks/ is, since any file the command adds there runs (review 57).
// Missing, one the run makes there ends it 120. The top of a work tree, or a directory above
// it, cannot be: the command's whole work would be read-only; that is noted, and sbxrun(1) says
// so.
Status Protector::protect_run_dir(const std::string& word,
                                  const std::vector<std::string>& worktrees,
                                  const std::string& config, const RuleRef& rule,
                                  std::size_t& count) {
    if (word.empty() || word[0] == '~') return {};
    for (const auto& wt : worktrees) {
        if (count >= kMaxMentioned) return {};
        const std::string path = environment_path(word[0] == '/' ? word : wt + "/" + word);
        RuleRef why = rule;
        why.why = "a command in " + config + " runs the files in " + word;
        if (path == "/" || path == wt || wt.starts_with(path + "/")) {
            d_.plan.notes.push_back("'" + path + "' (" + why.why +
                                    ") is not protected: it holds the work tree " + wt);
        } else if (struct stat st{}; ::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) note_command_missing(path, why.why, true);
        } else if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
                   (word[0] != '/' || d_.writable_place(resolved_path(path)))) {
            ++count;
            SBX_TRY(protect_or_note(path, why));
        }
        if (word[0] == '/') break;
    }
    return {};
}

}  // namespace sbx::planning
