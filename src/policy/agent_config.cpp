#include "policy/agent_config.hpp"

#include <array>

namespace sbx {
namespace {

using enum MissingScope;

// Decided one name at a time; each line is what makes the name worth a rule, and the scope
// where a missing one is blocked: every_root for what is looked up in every parent directory,
// parents for what a tool reads in the nearest directory above where it starts that has one
// (blocked above the workspace only: the project's own is its business), project for what an
// agent or tool reads at the top of the project it runs in, home for what is read from $HOME
// only (a .bashrc at a project's top is read by nobody). Left out on
// purpose (sbxrun-policy(5) says why): AGENTS.md and CLAUDE.md, which hold the user's
// instructions that agents are asked to edit and which no program executes; .editorconfig and
// the like, which only set formatting.
constexpr std::array kNames{
    // Agent state.
    AgentConfigName{".git", every_root,
                    "git: hooks and config (core.fsmonitor, core.pager, aliases) run at the "
                    "next git command in this directory or any below it"},
    AgentConfigName{".codex", project,
                    "Codex: config.toml (MCP server commands, notify), rules and prompts"},
    AgentConfigName{".agents", project, "Codex: skills and agent definitions it loads"},
    AgentConfigName{".claude", project,
                    "Claude Code: settings.json hooks, commands and agents it runs"},
    AgentConfigName{".claude.json", home, "Claude Code: MCP server commands (read from $HOME)"},
    AgentConfigName{".mcp.json", project, "Claude Code and others: project MCP server commands"},
    AgentConfigName{".gemini", project, "Gemini CLI: settings.json (MCP servers), commands"},
    AgentConfigName{".opencode", project, "opencode: plugins (JavaScript it runs), commands"},
    AgentConfigName{"opencode.json", project, "opencode: MCP server commands, plugins"},
    AgentConfigName{"opencode.jsonc", project, "opencode: the same, with comments"},
    AgentConfigName{".cursor", project, "Cursor: mcp.json, hooks.json, rules"},
    AgentConfigName{".aider.conf.yml", project, "aider: lint-cmd and test-cmd it runs"},
    AgentConfigName{".continue", project, "Continue: MCP server commands, config.ts it runs"},
    AgentConfigName{".windsurf", project, "Windsurf: rules and workflows it follows"},
    // More agents and tools that run what the project names (sixteenth outside review).
    AgentConfigName{".hg", every_root,
                    "Mercurial: hgrc hooks and extensions run at the next hg command in this "
                    "directory or any below it"},
    AgentConfigName{".kiro", project, "Kiro: settings/mcp.json (MCP server commands), hooks"},
    AgentConfigName{".amazonq", project, "Amazon Q Developer: mcp.json (MCP server commands)"},
    AgentConfigName{".roo", project, "Roo Code: mcp.json (MCP server commands), rules"},
    AgentConfigName{".qwen", project, "Qwen Code: settings.json (MCP servers), commands"},
    AgentConfigName{".crush.json", project, "Crush: MCP server commands, LSP commands"},
    AgentConfigName{"crush.json", project, "Crush: the same, without the dot"},
    AgentConfigName{".zed", project,
                    "Zed: settings.json context_servers (MCP server commands), tasks"},
    AgentConfigName{".devcontainer", project,
                    "Dev Containers: devcontainer.json initializeCommand runs on the host"},
    AgentConfigName{"lefthook.yml", project, "lefthook: the commands its git hooks run"},
    AgentConfigName{".lefthook.yml", project, "lefthook: the same, hidden"},
    // Files that make other host tools run code.
    AgentConfigName{".gitconfig", home,
                    "git: core.fsmonitor, aliases and hooksPath (read from $HOME)"},
    AgentConfigName{".gitmodules", project,
                    "git: submodule URLs and paths used by git submodule update"},
    AgentConfigName{".envrc", every_root,
                    "direnv: sourced on cd into this directory or any below it, once allowed"},
    AgentConfigName{".vscode", project,
                    "VS Code: tasks.json (folderOpen tasks), settings (interpreter paths)"},
    AgentConfigName{".idea", project, "JetBrains IDEs: run configurations, startup tasks"},
    AgentConfigName{".ripgreprc", home,
                    "ripgrep: --pre commands (when RIPGREP_CONFIG_PATH names it)"},
    AgentConfigName{".bashrc", home, "bash: sourced by interactive shells (in $HOME)"},
    AgentConfigName{".bash_profile", home, "bash: sourced by login shells (in $HOME)"},
    AgentConfigName{".bash_login", home, "bash: sourced by login shells (in $HOME)"},
    AgentConfigName{".bash_logout", home, "bash: sourced when a login shell exits"},
    AgentConfigName{".profile", home, "sh, bash, dash: sourced by login shells (in $HOME)"},
    AgentConfigName{".bash_aliases", home,
                    "bash: sourced by the default .bashrc of Debian and Ubuntu"},
    AgentConfigName{".inputrc", home,
                    "readline (bash, python): key bindings that type commands for the user"},
    AgentConfigName{".zshenv", home, "zsh: sourced by every zsh, scripts too (in $HOME)"},
    AgentConfigName{".zshrc", home, "zsh: sourced by interactive shells (in $HOME)"},
    AgentConfigName{".zprofile", home, "zsh: sourced by login shells (in $HOME)"},
    AgentConfigName{".zlogin", home, "zsh: sourced by login shells (in $HOME)"},
    AgentConfigName{".kshrc", home, "ksh, mksh: sourced by interactive shells (in $HOME)"},
    AgentConfigName{".mkshrc", home, "mksh: sourced by interactive shells (in $HOME)"},
    AgentConfigName{".cshrc", home, "csh, tcsh: sourced by every shell (in $HOME)"},
    AgentConfigName{".tcshrc", home, "tcsh: sourced by every shell (in $HOME)"},
    AgentConfigName{".config/fish", home, "fish: config.fish and conf.d, sourced by every fish"},
    AgentConfigName{".pam_environment", home, "pam_env: variables (LD_PRELOAD) of the next login"},
    AgentConfigName{".config/environment.d", home,
                    "systemd: variables of the user's services and session"},
    AgentConfigName{".config/systemd", home, "systemd: the user's own services and timers"},
    AgentConfigName{".config/autostart", home, "desktop sessions: programs started at login"},
    AgentConfigName{".local/bin", home,
                    "the user's own commands, usually first in PATH: a planted git or ls"},
    AgentConfigName{".local/lib", home,
                    "Python: the user's site-packages, whose .pth files run at every start"},
    AgentConfigName{".local/share/systemd", home, "systemd: the user's own units, as above"},
    AgentConfigName{".config/git", home, "git: config and attributes, as ~/.gitconfig"},
    AgentConfigName{".ssh", home, "ssh: config (ProxyCommand, LocalCommand), authorized_keys, rc"},
    AgentConfigName{".vimrc", home, "vim: commands run at every start"},
    AgentConfigName{".config/nvim", home, "Neovim: init.lua and plugins run at every start"},
    AgentConfigName{".emacs", home, "Emacs: Lisp run at every start"},
    AgentConfigName{".emacs.d", home, "Emacs: init.el and packages run at every start"},
    AgentConfigName{".npmrc", project,
                    "npm: node-options, script-shell and the registry for the next install"},
    AgentConfigName{".yarnrc.yml", every_root,
                    "Yarn: yarnPath, the JavaScript run as yarn itself (read in the project and "
                    "every directory above it)"},
    // Package tools' user configuration (tenth outside review): each can name a command or a
    // package index the user's next unsandboxed use of the tool follows.
    AgentConfigName{".config/pip", home, "pip: pip.conf (index-url, the packages installed next)"},
    AgentConfigName{".pip", home, "pip: the older place of pip.conf"},
    AgentConfigName{".config/uv", home, "uv: uv.toml (index, the packages installed next)"},
    AgentConfigName{".config/go", home,
                    "Go: env (GOFLAGS=-toolexec runs a command at every build)"},
    AgentConfigName{".config/ccache", home, "ccache: ccache.conf (prefix_command runs a command)"},
    // Read in the project and in every directory above it, as .git is (fourteenth review:
    // a .cargo/config.toml planted at the workspace's top ran its rustc-wrapper on the host).
    AgentConfigName{".yarnrc", every_root,
                    "Yarn 1: yarn-path, the JavaScript run as yarn itself (read in the project "
                    "and every directory above it)"},
    AgentConfigName{".cargo/config.toml", every_root,
                    "cargo: build.rustc-wrapper and aliases run at every build (read in the "
                    "project and every directory above it)"},
    AgentConfigName{".cargo/config", every_root,
                    "cargo: the older name of config.toml, preferred when both exist"},
    // Start-up files and tools that run code from $HOME (fifteenth outside review).
    AgentConfigName{".zlogout", home, "zsh: sourced when a login shell exits"},
    AgentConfigName{".login", home, "csh, tcsh: sourced by login shells (in $HOME)"},
    AgentConfigName{".logout", home, "csh, tcsh: sourced when a login shell exits"},
    AgentConfigName{".xprofile", home,
                    "X display managers: sourced at the start of a graphical session"},
    AgentConfigName{".xsession", home, "X display managers: run as the graphical session"},
    AgentConfigName{".xsessionrc", home,
                    "Debian's X session: sourced at the start of a graphical session"},
    AgentConfigName{".xinitrc", home, "startx: run as the X session"},
    AgentConfigName{".gdbinit", home, "gdb: commands (shell, python) run at every start"},
    AgentConfigName{".tmux.conf", home, "tmux: run-shell and if-shell commands at every start"},
    AgentConfigName{".config/tmux", home, "tmux: the same, where tmux 3.1 and later read it"},
    AgentConfigName{".config/direnv", home, "direnv: direnvrc, sourced before every .envrc"},
    AgentConfigName{".config/mise", home, "mise: tasks and hooks it runs, tools it installs"},
    AgentConfigName{".kube/config", home, "kubectl: exec credential plugins run at every call"},
    AgentConfigName{".aws/config", home,
                    "AWS CLI and SDKs: credential_process run for credentials"},
    AgentConfigName{".aws/credentials", home, "AWS CLI and SDKs: credential_process, as in config"},
    AgentConfigName{".gradle/init.d", home, "Gradle: init scripts run at every build"},
    AgentConfigName{".gradle/init.gradle", home, "Gradle: the same, one file"},
    AgentConfigName{".gradle/gradle.properties", home,
                    "Gradle: org.gradle.jvmargs (a -javaagent) at every build"},
    AgentConfigName{".ipython/profile_default/startup", home,
                    "IPython: Python files run at every start"},
    AgentConfigName{".pre-commit-config.yaml", project,
                    "pre-commit: the commands its git hook runs at the next commit"},
    // Seventeenth outside review: more project files host tools run commands from.
    AgentConfigName{"lefthook.yaml", project, "lefthook: the commands its git hooks run"},
    AgentConfigName{".lefthook.yaml", project, "lefthook: the same"},
    AgentConfigName{"lefthook.toml", project, "lefthook: the same"},
    AgentConfigName{".lefthook.toml", project, "lefthook: the same"},
    AgentConfigName{"lefthook.json", project, "lefthook: the same"},
    AgentConfigName{".lefthook.json", project, "lefthook: the same"},
    AgentConfigName{"lefthook-local.yml", project,
                    "lefthook: merged over lefthook.yml, its commands run too"},
    AgentConfigName{".lefthook-local.yml", project, "lefthook: the same"},
    AgentConfigName{"lefthook-local.yaml", project, "lefthook: the same"},
    AgentConfigName{".lefthook-local.yaml", project, "lefthook: the same"},
    AgentConfigName{"lefthook-local.toml", project, "lefthook: the same"},
    AgentConfigName{"lefthook-local.json", project, "lefthook: the same"},
    AgentConfigName{".devcontainer.json", project,
                    "Dev Containers: initializeCommand runs on the host (the one-file form)"},
    AgentConfigName{"mise.toml", every_root,
                    "mise: hooks, tasks and env sources it runs (read in the project and every "
                    "directory above it; trusted by path)"},
    AgentConfigName{".mise.toml", every_root, "mise: the same"},
    AgentConfigName{"mise.local.toml", every_root, "mise: the same, the local layer"},
    AgentConfigName{".mise.local.toml", every_root, "mise: the same"},
    AgentConfigName{".config/mise.toml", project, "mise: the same, in the project's .config"},
    AgentConfigName{"rust-toolchain.toml", every_root,
                    "rustup: [toolchain] path, whose bin/cargo and rustc run instead (read in "
                    "the project and every directory above it)"},
    AgentConfigName{"rust-toolchain", every_root, "rustup: the same, the older name"},
    AgentConfigName{".jj", every_root,
                    "Jujutsu: repo config (aliases, pager, fix tools) for the next jj command "
                    "in this directory or any below it"},
    AgentConfigName{"uv.toml", every_root,
                    "uv: the package index of the next install (read in the project and every "
                    "directory above it)"},
    AgentConfigName{".kilocode", project, "Kilo Code: mcp.json (MCP server commands), rules"},
    AgentConfigName{".clinerules", project, "Cline: hooks it runs, rules it follows"},
    AgentConfigName{".Rprofile", project, "R: code run at the start of R in this directory"},
    AgentConfigName{".ghci", project, "GHCi: commands (:!) run at its start in this directory"},
    AgentConfigName{".pryrc", project, "Pry: Ruby run at its start in this directory"},
    AgentConfigName{".pylintrc", project, "pylint: init-hook, Python run when editors lint"},
    AgentConfigName{"pylintrc", project, "pylint: the same, without the dot"},
    // ... and the start-up places in $HOME that the set lacked.
    AgentConfigName{"bin", home_only,
                    "the user's own commands: Debian's .profile puts ~/bin first in PATH (a "
                    "project's own bin/ is left alone)"},
    AgentConfigName{".cargo/bin", home, "rustup's PATH entry: a planted cargo or git"},
    AgentConfigName{".cargo/env", home, "rustup: sourced by .profile and .bashrc"},
    AgentConfigName{".hgrc", home, "Mercurial: hooks and extensions of every hg command"},
    AgentConfigName{".config/hg", home, "Mercurial: the same, where newer versions read it"},
    AgentConfigName{".vim", home, "vim: plugin/ and ftplugin/ scripts run at every start"},
    AgentConfigName{".config/vim", home, "vim 9.1 and later: vimrc and plugins"},
    AgentConfigName{".config/emacs", home, "Emacs 27 and later: init.el run at every start"},
    AgentConfigName{".local/share/nvim", home, "Neovim: site/plugin scripts run at every start"},
    AgentConfigName{".local/share/applications", home,
                    "desktop entries: the command a file manager runs to open a file"},
    AgentConfigName{".docker/cli-plugins", home, "Docker CLI: plugins run as docker subcommands"},
    AgentConfigName{".gnupg/gpg-agent.conf", home, "gpg-agent: pinentry-program it runs"},
    AgentConfigName{".gnupg/gpg.conf", home, "GnuPG: agent-program and other programs it runs"},
    AgentConfigName{".psqlrc", home, "psql: \\! shell commands at every start"},
    AgentConfigName{".config/jj", home, "Jujutsu: the user's aliases, pager and fix tools"},
    // Eighteenth outside review.
    AgentConfigName{".irbrc", project, "irb: Ruby run at its start in this directory"},
    AgentConfigName{".pdbrc", project, "pdb: debugger commands (Python) run at its start"},
    AgentConfigName{".Renviron", project,
                    "R: variables of the next R here (R_PROFILE_USER names code it runs)"},
    AgentConfigName{"bunfig.toml", project, "Bun: preload scripts run before every bun command"},
    AgentConfigName{".bash_completion", home,
                    "bash-completion: sourced by every interactive bash (Debian's .bashrc)"},
    AgentConfigName{".bashrc.d", home, "bash: sourced by Fedora's default .bashrc"},
    AgentConfigName{".local/share/bash-completion", home,
                    "bash-completion: the user's completions, sourced by interactive shells"},
    AgentConfigName{".rustup/toolchains", home,
                    "rustup: the toolchains whose cargo and rustc ~/.cargo/bin's launchers run"},
    AgentConfigName{".docker/config.json", home,
                    "Docker CLI: cliPluginsExtraDirs (plugins run as docker subcommands), "
                    "credential helpers"},
    AgentConfigName{".ipython/profile_default/ipython_config.py", home,
                    "IPython: Python run at every start"},
    // Twenty-first outside review: read in the nearest directory above where the tool starts
    // that has one, so blocked in the workspace's parents only: a project keeps its own.
    AgentConfigName{".mvn", parents,
                    "Maven: jvm.config and maven.config, the JVM options (-XX:OnError runs a "
                    "command) and arguments of every mvn below it"},
    AgentConfigName{"pnpm-workspace.yaml", parents,
                    "pnpm: makes its directory the workspace root, whose .pnpmfile.cjs runs"},
    AgentConfigName{".pnpmfile.cjs", parents, "pnpm: hooks run at every install"},
    AgentConfigName{"go.work", parents, "go: the modules every build below it uses instead"},
    AgentConfigName{".eslintrc.js", parents,
                    "ESLint: JavaScript run at every lint (configs cascade from every directory "
                    "above)"},
    AgentConfigName{".eslintrc.cjs", parents, "ESLint: the same"},
    AgentConfigName{"eslint.config.js", parents,
                    "ESLint: the flat config, JavaScript from the nearest directory above"},
    AgentConfigName{"eslint.config.mjs", parents, "ESLint: the same"},
    AgentConfigName{"eslint.config.cjs", parents, "ESLint: the same"},
    AgentConfigName{"pytest.ini", parents,
                    "pytest: makes its directory the rootdir, whose conftest.py runs"},
    AgentConfigName{"conftest.py", parents, "pytest: Python run at every test session"},
    // Twenty-second outside review: more of the same kind.
    AgentConfigName{".pytest.ini", parents, "pytest 8: the same as pytest.ini"},
    AgentConfigName{"tox.ini", parents, "pytest: makes its directory the rootdir (addopts)"},
    AgentConfigName{"setup.cfg", parents, "pytest: the same"},
    AgentConfigName{"pyproject.toml", parents,
                    "pytest: the same ([tool.pytest.ini_options] addopts = -p plugin)"},
    AgentConfigName{"eslint.config.ts", parents, "ESLint: the flat config, as above"},
    AgentConfigName{"eslint.config.mts", parents, "ESLint: the same"},
    AgentConfigName{"eslint.config.cts", parents, "ESLint: the same"},
    AgentConfigName{".eslintrc", parents, "ESLint: a parser or plugin path it loads"},
    AgentConfigName{".eslintrc.json", parents, "ESLint: the same"},
    AgentConfigName{".eslintrc.yaml", parents, "ESLint: the same"},
    AgentConfigName{".eslintrc.yml", parents, "ESLint: the same"},
    AgentConfigName{"package.json", parents,
                    "npm: the project root of a directory below without its own (install "
                    "scripts), and ESLint's eslintConfig"},
    AgentConfigName{"Cargo.toml", parents,
                    "cargo: a workspace root above a crate, whose [patch] replaces its "
                    "dependencies (build.rs runs)"},
    AgentConfigName{"settings.gradle", parents,
                    "Gradle: the build root above a project, a script it runs"},
    AgentConfigName{"settings.gradle.kts", parents, "Gradle: the same"},
    AgentConfigName{".prettierrc.js", parents,
                    "Prettier: JavaScript config from the nearest directory above"},
    AgentConfigName{".prettierrc.cjs", parents, "Prettier: the same"},
    AgentConfigName{".prettierrc.mjs", parents, "Prettier: the same"},
    AgentConfigName{"prettier.config.js", parents, "Prettier: the same"},
    AgentConfigName{"prettier.config.cjs", parents, "Prettier: the same"},
    AgentConfigName{"prettier.config.mjs", parents, "Prettier: the same"},
    AgentConfigName{"deno.json", parents, "Deno: tasks and import maps from the directory above"},
    AgentConfigName{"deno.jsonc", parents, "Deno: the same"},
    // ... and code the host runs from HOME.
    AgentConfigName{".local/share/pipx", home,
                    "pipx: the environments the commands of ~/.local/bin run in (a .pth file "
                    "there runs at every start)"},
    AgentConfigName{".local/pipx", home, "pipx before 1.3: the same"},
    AgentConfigName{".local/share/uv/tools", home, "uv: the environments of uv tool commands"},
    AgentConfigName{".lesskey", home_only, "less: LESSOPEN, a command run on every file it opens"},
    AgentConfigName{".node_modules", home_only,
                    "Node.js: modules require() finds when the project has none"},
    AgentConfigName{".node_libraries", home_only, "Node.js: the same"},
    AgentConfigName{".fzf.bash", home_only, "fzf: sourced by .bashrc, as its installer writes it"},
    AgentConfigName{".fzf.zsh", home_only, "fzf: sourced by .zshrc"},
    AgentConfigName{".nvm", home_only, "nvm: nvm.sh, sourced by .bashrc"},
    AgentConfigName{".oh-my-zsh", home_only, "Oh My Zsh: sourced by .zshrc"},
    AgentConfigName{".bunfig.toml", home_only, "Bun: the global preload scripts"},
    AgentConfigName{".jupyter", home_only, "Jupyter: Python configuration run at every start"},
    AgentConfigName{".codeium", home_only, "Windsurf: MCP server commands"},
    AgentConfigName{".aws/amazonq", home, "Amazon Q: MCP server commands"},
    AgentConfigName{".config/opencode", home, "opencode: MCP server commands, plugins"},
    AgentConfigName{".config/zed", home, "Zed: context servers (commands) and tasks"},
    AgentConfigName{".config/crush", home, "Crush: MCP server commands"},
    AgentConfigName{".config/gdb", home, "gdb: gdbinit, commands run at every start"},
    AgentConfigName{".config/user-dirs.dirs", home,
                    "xdg-user-dirs: sourced as shell by xdg-user-dir and session scripts"},
};

}  // namespace

std::span<const AgentConfigName> agent_config_names() {
    return kNames;
}

Result<std::vector<PathRule>> expand_protect_set(std::string_view text, const Origin& origin) {
    if (text != kAgentConfigSet) {
        return Error(ErrorKind::schema, "unknown set \"" + std::string(text) +
                                            "\" (the one set is " + std::string(kAgentConfigSet) +
                                            "; a name starting with @ is written ./" +
                                            std::string(text) + ")")
            .with_origin(origin);
    }
    std::vector<PathRule> rules;
    rules.reserve(kNames.size());
    for (const auto& n : kNames) {
        PathRule r;
        r.text = std::string(n.name);
        r.path = std::string(n.name);
        r.relative_name = true;
        r.origin = origin;
        r.set = std::string(kAgentConfigSet);
        r.missing = n.missing;
        rules.push_back(std::move(r));
    }
    return rules;
}

}  // namespace sbx
