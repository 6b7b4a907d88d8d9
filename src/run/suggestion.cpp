#include "run/suggestion.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "net/host_pattern.hpp"
#include "policy/document.hpp"
#include "run/fs_denials.hpp"

namespace sbx {
namespace {

// A TOML string the policy reads back as `text`, `$` doubled (policy/expand.hpp).
std::string literal(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '$') out += '$';
        out += c;
    }
    return quote_for_message(out);
}

std::string toml_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + items[i];
    return out + "]";
}

// A name the allowlist could take as one exact pattern: a host name with a dot, no address.
bool suggestible_name(const std::string& name) {
    if (name.find('.') == std::string::npos) return false;
    auto p = net::parse_host_pattern(name);
    return p.ok() && p->kind == net::PatternKind::exact && p->host.kind == net::HostKind::name;
}

std::vector<std::string> new_hosts(const Outcome& o, const Policy& policy) {
    std::vector<std::string> hosts;
    const NetworkMode mode = policy.network.mode.value;
    if (mode == NetworkMode::allowlist) {
        for (const auto& d : o.proxy.refused)
            if (d.rule == "no network.allow rule" && suggestible_name(d.host))
                hosts.push_back(net::parse_host_pattern(d.host)->text());
    } else if (mode == NetworkMode::none) {
        for (const auto& name : o.refused_lookups)
            if (suggestible_name(name)) hosts.push_back(net::parse_host_pattern(name)->text());
    }
    std::vector<std::string> unique;
    for (auto& h : hosts)
        if (std::find(unique.begin(), unique.end(), h) == unique.end()) unique.push_back(h);
    return unique;
}

// A path as the refused paths name it: resolved ("" when it does not exist).
std::string resolved(const std::string& path) {
    return existing_real_path(path);
}

// Directories of $HOME whose content the host runs or obeys as code, beyond the policy's sets:
// a suggestion is an approval prompt a user may accept without reading, so it never offers
// write access to one (forty-fourth review: ~/.cache/pre-commit's hook repositories, direnv's
// allow list, mise's trusted configs, VS Code's settings and tasks were offered).
constexpr std::string_view kRunsCode[] = {
    ".cache/pre-commit",
    ".config/direnv",
    ".local/share/direnv",
    ".config/mise",
    ".local/share/mise",
    ".local/state/mise",
    ".config/Code",
    ".config/VSCodium",
    ".vscode",
    ".vscode-server",
    ".config/nvim",
    ".local/share/nvim",
    ".vim",
    ".emacs.d",
    ".config/systemd",
    ".config/autostart",
    ".config/environment.d",
    ".config/fish",
    ".local/share/applications",
    ".ipython",
    ".oh-my-zsh",
    ".config/pip",
    ".pip",
    // Review 54's: shells' and terminals' startup files, window managers' exec lines, editors,
    // desktop extensions, and the version managers whose shims are on PATH.
    ".config/zsh",
    ".config/bash",
    ".config/tmux",
    ".tmux",
    ".config/kitty",
    ".config/alacritty",
    ".config/wezterm",
    ".config/i3",
    ".config/sway",
    ".config/hypr",
    ".config/helix",
    ".config/doom",
    ".doom.d",
    ".config/emacs",
    ".local/share/gnome-shell",
    ".local/share/plasma",
    ".pyenv",
    ".rbenv",
    ".nodenv",
    ".asdf",
    ".volta",
    ".sdkman",
    ".bun",
    ".deno",
    ".ghcup",
    ".cabal",
    ".krew",
    ".dotnet",
    ".nvm",
    ".rustup",
    ".cargo",
    ".goenv",
    ".jenv",
    ".local/bin",
};

// What no suggested directory may be, hold or lie inside: the plan's protected paths, each
// name of the policy's sets at the top of $HOME (~/.ssh, ~/.config/git, ~/.local/bin, whether
// or not this run's plan placed them), the absolute protect rules, and `still_protected`.
std::vector<std::string> keep_out(const std::string& home, const std::string& real_home,
                                  const Policy& policy, const MountPlan& plan,
                                  const std::vector<PathRule>& still_protected) {
    std::vector<std::string> out;
    for (const auto& d : plan.protected_paths) out.push_back(d.path);
    for (const auto& r : policy.filesystem.protect) {
        if (!r.relative_name)
            out.push_back(r.path);
        else if (!r.set.empty() && !home.empty())
            out.push_back(path_join(home, r.path));
    }
    for (const auto& r : policy.filesystem.deny)
        if (!r.relative_name) out.push_back(r.path);
    for (const auto& r : still_protected) out.push_back(r.path);
    if (!home.empty())
        for (std::string_view rel : kRunsCode) out.push_back(path_join(home, rel));
    // The same where they lead: through a home reached by a link, and for a protected name
    // that is a link itself (~/.ssh -> .dots/ssh: never suggest ~/.dots; thirteenth review).
    // The refused paths are resolved.
    for (std::size_t i = 0, n = out.size(); i < n; ++i) {
        if (!real_home.empty() && real_home != home && out[i] != home &&
            path_is_within(out[i], home))
            out.push_back(real_home + out[i].substr(home.size()));
        if (std::string r = resolved(out[i]); !r.empty() && r != out[i]) out.push_back(r);
    }
    return out;
}

}  // namespace

std::string suggestion_policy(const Outcome& o, const std::string& home, const Policy& policy,
                              const MountPlan& plan, const std::vector<PathRule>& still_protected) {
    // keep_out() resolves every protected path (a realpath each: ~800 system calls with the
    // default policy), so only a run that had a write refused pays for it.
    std::vector<std::string> dirs;
    if (std::any_of(o.fs_denials.begin(), o.fs_denials.end(), write_root_would_allow)) {
        const std::string real_home = resolved(home);
        dirs = suggested_write_dirs(o, real_home,
                                    keep_out(home, real_home, policy, plan, still_protected));
    }
    const std::vector<std::string> hosts = new_hosts(o, policy);
    if (dirs.empty() && hosts.empty()) return {};
    std::string out = "version = 1\n";
    if (!dirs.empty()) {
        std::vector<std::string> write;
        for (const auto& r : policy.filesystem.write) write.push_back(literal(r.path));
        for (const auto& d : dirs) write.push_back(literal(d));
        out += "[filesystem]\nwrite = " + toml_list(write) + "\n";
    }
    if (!hosts.empty()) {
        std::vector<std::string> allow;
        for (const auto& r : policy.network.allow) allow.push_back(literal(r.pattern.text()));
        for (const auto& h : hosts) allow.push_back(literal(h));
        out += "[network]\n";
        if (policy.network.mode.value != NetworkMode::allowlist) out += "mode = \"allowlist\"\n";
        out += "allow = " + toml_list(allow) + "\n";
    }
    return out;
}

}  // namespace sbx
