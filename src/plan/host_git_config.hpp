// The host's own git configuration: what git reads besides a repository's config, in the
// environment sbxrun was started in. The plan protects what it names as code in the protected
// repository's work tree (protect_git.cpp), and the after-run check judges the same relative
// names in every nested repository (run/git_integrity.hpp): git takes a relative
// core.hooksPath, or a command's program named by a relative path, in the work tree of
// whichever repository it runs in (forty-ninth review: a `core.hooksPath = .githooks` in
// ~/.gitconfig, and the run planted sub/.githooks/pre-commit in a nested repository).
//
// Where git looks (git-config(1), FILES and ENVIRONMENT): /etc/gitconfig or $GIT_CONFIG_SYSTEM,
// ~/.gitconfig and $XDG_CONFIG_HOME/git/config (~/.config/git/config) or $GIT_CONFIG_GLOBAL,
// entries given in $GIT_CONFIG_COUNT/_KEY_<n>/_VALUE_<n> and $GIT_CONFIG_PARAMETERS, and the
// programs git takes from variables of its own ($GIT_EXTERNAL_DIFF, $GIT_PAGER, $GIT_EDITOR,
// $GIT_SSH_COMMAND, $GIT_ASKPASS ... and $PAGER, $EDITOR, $VISUAL), as their keys. The
// environment sbxrun sees is its caller's, which need not be the user's next shell: so the
// default files are read as well as the ones the environment names, never instead of them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/git_config.hpp"

namespace sbx {

// One of the host's git configuration files as read_host_git_files read it.
struct HostGitFile {
    std::string path;  // as named (an include: as its file names it, made absolute)
    std::vector<GitConfigEntry> entries;
};

struct HostGitConfig {
    std::vector<std::string> files;       // absolute, as named (links not followed here)
    std::vector<GitConfigEntry> entries;  // given in the environment
    std::string template_env;             // $GIT_TEMPLATE_DIR, as given
    std::vector<HostGitFile> read;        // read_host_git_files: `files` and their includes
};

// The environment's value of a name, or nullptr when unset.
using EnvLookup = std::function<const std::string*(std::string_view name)>;

// Where the host's git takes its configuration from. `home` is $HOME as the command gets it,
// `passwd_home` the account's own (a login shell's git reads that one), `cwd` where a relative
// name in the environment is taken from (git takes it from where it runs).
[[nodiscard]] HostGitConfig host_git_config(const EnvLookup& env, const std::string& home,
                                            const std::string& passwd_home, const std::string& cwd);

// A configuration entry given as "section.subsection.key" and a value, as git splits it (the
// subsection is everything between the first and the last dot); nullopt when git would refuse
// the key (no dot, an empty section or key).
[[nodiscard]] std::optional<GitConfigEntry> config_entry_from_key(std::string_view key,
                                                                  std::optional<std::string> value);

// $GIT_CONFIG_PARAMETERS as git writes it for `git -c`: shell-single-quoted items separated by
// spaces, each 'key'='value', 'key' (a boolean) or the older 'key=value'. Items git could not
// read are left out (git refuses the whole variable then and runs nothing from it).
[[nodiscard]] std::vector<GitConfigEntry> parse_config_parameters(std::string_view text);

// Read each of `host.files` that exists into `host.read`, and each file they include
// (include.path, includeIf.*.path whatever its condition; ten levels down as git follows them;
// at most 256 files), and each absolute or ~/ include of the environment's entries. As git
// reads them: links followed, a FIFO never waited on, at most 1 MiB each. host_git_config
// calls it; the readers below take the files from there, so each is read once per run.
void read_host_git_files(HostGitConfig& host, const std::string& home);

// The relative names the host's configuration gives git to run in every work tree: relative
// core.hooksPath values and relative programs of its commands ("tools/fsmon.sh"), from its
// files as read_host_git_files read them (includes too) and its entries.
[[nodiscard]] std::vector<std::string> host_worktree_code(const HostGitConfig& host,
                                                          const std::string& home);

// The template directories git init and git clone may copy hooks from: $GIT_TEMPLATE_DIR and
// every init.templateDir of the host's files (their includes too: git follows them for this key
// as for any) and entries, ~/ expanded; a relative one in each of `bases`, since git takes it
// from the directory it runs in (review 59: templateDir = tpl, and ws/tpl/hooks planted). Their
// hooks are the host's own in every repository git makes (run/git_danger.hpp's TemplateHooks).
[[nodiscard]] std::vector<std::string> host_template_dirs(const HostGitConfig& host,
                                                          const std::string& home,
                                                          const std::vector<std::string>& bases);

}  // namespace sbx
