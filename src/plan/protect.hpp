// filesystem.protect: each protected path read-only (or, when missing, impossible to create),
// the symlinks on the way pinned or watched per filesystem.symlinks, the links inside a
// protected directory followed (protect.cpp), and what git reads through a protected `.git`
// (its gitdir file, commondir, submodules) protected like it (protect_git.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plan/draft.hpp"
#include "plan/git_config.hpp"

namespace sbx::planning {

// Needs Draft::roots: protected paths are judged against the writable places.
class Protector {
public:
    explicit Protector(Draft& d) : d_(d) {}

    // From now on the scans for links inside protected directories draw on one budget of
    // `entries` in all, instead of PlanOptions::scan_max_entries each (home_dotfiles.cpp: a
    // home's dot-entries are many, and some large).
    void share_scan_budget(int entries) { shared_budget_ = entries; }

    // One protect rule: a path, or a name inside every writable root.
    [[nodiscard]] Status protect_rule(const PathRule& rule);

    // A name of the set at the top of `home` (HOME or the passwd home) only: there as in a
    // writable root when it is one, else when a writable root holds it (home_dotfiles.cpp).
    [[nodiscard]] Status protect_at_home(const PathRule& rule, const std::string& home);

    // The submodules, inside a writable root, of a work tree that holds a writable root.
    [[nodiscard]] Status protect_enclosing_submodules();

private:
    // What led to a protect_path call.
    struct Via {
        int depth = 0;  // how many protected-directory scans led here (bounded: no loops)
        // The writable root a relative protected name is resolved under, or empty: the path
        // must still lie beneath it (check_still_beneath_root). Views Draft::writable_roots.
        std::string_view root;
        std::string found_by;  // for --explain: the scan or the .git file that led here
        // False where a missing name of MissingScope::project is not read by anyone: it is
        // then left creatable instead of blocked (no placeholder, no refused creation).
        bool block_missing = true;
    };

    [[nodiscard]] Status protect_path(const std::string& path, const RuleRef& rule, const Via& via);
    // protect_path() when `path` could not be resolved because this user may not search a
    // directory above it (`failed`: the component that could not be opened): true when it was
    // decided (that directory kept closed, or nothing to keep), and recorded.
    [[nodiscard]] Result<bool> beneath_closed_dir(const std::string& path,
                                                  const std::string& failed, const RuleRef& rule,
                                                  const Via& via);
    [[nodiscard]] bool is_home(std::string_view dir) const;
    [[nodiscard]] bool missing_blocked_in(MissingScope scope, std::string_view root) const;
    [[nodiscard]] Status protect_set_name_at(const PathRule& rule, const std::string& top,
                                             bool at_workspace);
    [[nodiscard]] bool link_above(const std::string& top, std::string_view name);
    // `dirfd`: a descriptor of `dir`, readable when `readable` (Resolved::readable).
    // `hard_links`: a regular file in it with another name on a writable root's filesystem is
    // refused (fourteenth and fifteenth reviews: ~/.ssh/config, .git/hooks/pre-commit), but for
    // a git directory's objects (fs/scan.hpp).
    [[nodiscard]] Status protect_links_inside(const std::string& dir, int dirfd, bool readable,
                                              const RuleRef& rule, const Via& via,
                                              bool hard_links = false);

    // protect_git.cpp
    [[nodiscard]] Status follow_gitfile(const std::string& gitfile, int fd_index,
                                        const RuleRef& rule, std::string_view root);
    // What led protect_git_dir to a git directory: a `.git` file at the top of a writable root
    // (or anything else named by a protect rule), a submodule's `.git` file, the commondir of
    // a gitdir made writable, or anything else (never made writable).
    enum class GitDirFrom { gitfile, submodule, commondir, never };
    [[nodiscard]] Result<std::optional<std::string>> protect_git_dir(
        const std::string& path, const RuleRef& rule, GitDirFrom from = GitDirFrom::gitfile);

    // filesystem.git = "commit" (protect_git.cpp). The rule that tags what it adds.
    [[nodiscard]] bool commit_mode() const;
    [[nodiscard]] RuleRef git_rule(std::string why) const;
    // May the existing directory `r` (resolved from `path`) be made writable for commits?
    [[nodiscard]] bool may_commit_into(const Resolved& r, GitDirFrom from) const;
    // Make the git directory `r` writable for commits, with what makes git run code protected
    // inside it. `r` is an existing directory, resolved; its descriptor is taken.
    [[nodiscard]] Status commit_git_dir(const std::string& path, Resolved& r, const RuleRef& rule,
                                        const std::string& found_by);
    [[nodiscard]] Status protect_git_internals(const std::string& gitdir, const RuleRef& rule);
    // What the config of the protected git directory `gitdir` names as code: its hooksPath
    // (relative to `worktree`) and its includes (protect_git.cpp).
    [[nodiscard]] std::vector<std::string> linked_worktrees(const std::string& gitdir,
                                                            const RuleRef& rule);
    [[nodiscard]] Status protect_local_remotes(const std::vector<GitConfigEntry>& entries,
                                               const std::vector<std::string>& worktrees,
                                               const RuleRef& rule);
    [[nodiscard]] Status protect_config_targets(const std::string& gitdir,
                                                const std::string& worktree, const RuleRef& rule);
    static constexpr std::size_t kMaxConfigTargets = 64;
    [[nodiscard]] Status protect_mentioned(const std::string& word,
                                           const std::vector<std::string>& worktrees,
                                           const std::string& config, const RuleRef& rule,
                                           std::size_t& count);
    static constexpr std::size_t kMaxMentioned = 256;
    [[nodiscard]] Status protect_or_note(const std::string& path, const RuleRef& why);
    void note_command_missing(const std::string& path, const std::string& why, bool dir_too);
    [[nodiscard]] Status protect_run_dir(const std::string& word,
                                         const std::vector<std::string>& worktrees,
                                         const std::string& config, const RuleRef& rule,
                                         std::size_t& count);
    [[nodiscard]] Status protect_enclosing(const std::string& dir, const std::string& dot_git,
                                           bool is_dir, const RuleRef& rule);
    [[nodiscard]] Status protect_submodules(const std::string& worktree, const std::string& gitdir,
                                            const RuleRef& rule, std::string_view root,
                                            bool only_in_writable_roots = false);

    static constexpr int kMaxSubmoduleDepth = 16;
    static constexpr int kMaxWorktrees = 256;  // worktrees/* whose admin files are protected

    // How many entries the next scan inside a protected directory may look at.
    [[nodiscard]] int scan_budget() const {
        return shared_budget_ < 0 ? d_.opts.scan_max_entries : shared_budget_;
    }

    Draft& d_;
    // Each scan has its own bound, so that a directory the command filled (a protected name
    // that is not read in ${tmpdir}, made and padded by an earlier run) cannot use up the
    // bound of the ones that matter (twenty-first review: one shared bound of 1024 entries
    // was gone before ~/.ssh was scanned). >= 0: one shared budget (share_scan_budget).
    int shared_budget_ = -1;
    int submodule_depth_ = 0;  // how deep in nested submodules protect_submodules is
    int remote_depth_ = 0;     // protect_local_remotes inside a remote's own config: one level
    std::unordered_map<std::string, bool> ancestor_is_link_;  // link_above()'s lstat results
};

[[nodiscard]] bool is_git_name(std::string_view path);

// filesystem.git = "commit": the entries of a git directory that stay read-only (or, missing,
// cannot be created), because git runs code from them or they decide which directory git
// takes its config and hooks from. modules/ is read-only too, each submodule's own git
// directory inside it made writable again (protect_git.cpp says why).
[[nodiscard]] const std::vector<std::string_view>& git_code_entries();

}  // namespace sbx::planning
