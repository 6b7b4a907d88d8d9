// protect_home_dotfiles (home_dotfiles.hpp).
//
// Why every dot-entry and not a list: each of the outside reviews that looked at a writable
// HOME found more names through which a host program takes code at its next start (~/.nvm's
// nvm.sh sourced by .bashrc, ~/.pyenv/shims on PATH, ~/.oh-my-zsh, ~/.terraformrc's plugin
// directories, ~/.m2/settings.xml, ~/.cache/pre-commit's hook repositories, VS Code's settings
// under ~/.config...). A dot-entry of HOME is configuration or state of some program by
// convention; the user's own files are the others. So with HOME writable the dot-entries are
// read-only, and no new one can be made (util/home_dot_names.hpp says why not even the
// histories).
#include "plan/home_dotfiles.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "fs/path.hpp"
#include "policy/agent_config.hpp"

namespace sbx::planning {

Status protect_home_dotfiles(Draft& d, Protector& protector, const std::vector<PathRule>& protect) {
    // The set's first rule stands for it: its origin is where the policy names the set.
    const PathRule* set_rule = nullptr;
    std::vector<std::string_view> set_names;
    for (const auto& r : protect) {
        if (r.set != kAgentConfigSet) continue;
        if (set_rule == nullptr) set_rule = &r;
        // Names kept above the workspace only are not kept in a home by their rule.
        if (r.missing != MissingScope::parents) set_names.push_back(r.path);
    }
    if (set_rule == nullptr) return {};
    std::sort(set_names.begin(), set_names.end());
    // One bound for the scans inside all of them: ~/.cache or ~/.nvm alone can hold thousands
    // of entries, and every run with HOME writable pays for what is scanned.
    protector.share_scan_budget(d.opts.scan_max_entries);

    for (const std::string* home : {&d.home_real, &d.passwd_home_real}) {
        if (home->empty()) continue;
        const bool is_root = std::find(d.writable_roots.begin(), d.writable_roots.end(), *home) !=
                             d.writable_roots.end();
        if (!is_root && !d.writable_place(*home)) continue;
        const auto* names = d.top_names(*home);
        if (names == nullptr) continue;

        std::vector<std::string> dot;
        for (const auto& n : *names) {
            if (n.size() < 2 || n[0] != '.' || n == "..") continue;
            if (std::binary_search(set_names.begin(), set_names.end(), n)) continue;
            // A writable root of its own at or above the entry, below the home: the policy
            // asked for it (write = ["~", "~/.cache"]).
            const std::string at = path_join(*home, n);
            const bool asked = std::any_of(d.writable_roots.begin(), d.writable_roots.end(),
                                           [&](const std::string& root) {
                                               return path_is_within(at, root) && root != *home &&
                                                      !path_is_within(*home, root);
                                           });
            if (!asked) dot.push_back(n);
        }
        if (dot.size() > kMaxHomeDotEntries)
            return Error(ErrorKind::unenforceable,
                         "sandbox cannot keep the " + std::to_string(dot.size()) +
                             " dot-entries of " + *home + " read-only (at most " +
                             std::to_string(kMaxHomeDotEntries) + ")")
                .with_origin(set_rule->origin);
        std::sort(dot.begin(), dot.end());
        // And no new one: a name nobody has made yet cannot be on any list (~/.lesskey,
        // ~/.fzf.bash, ~/.node_modules: twenty-first review). The set's own names are blocked
        // as before, each by its rule; this keeps the rest.
        if (auto r = d.resolve_path(*home); r.ok() && r->exists && S_ISDIR(r->st.st_mode)) {
            d.plan.dot_blocks.push_back({*home, r->st.st_dev, r->st.st_ino});
            ProtectDecision pd;
            pd.path = path_join(*home, ".*");
            PathRule any = *set_rule;
            any.text = ".*";
            any.origin.key += ": a new dot-entry of HOME";
            pd.rule = rule_ref("filesystem.protect", any, "a dot-entry of HOME");
            pd.decision = Decision::blocked;
            pd.detail = "no new dot-entry can be made at the top of " + *home;
            d.plan.protected_paths.push_back(std::move(pd));
        }
        for (const auto& n : dot) {
            PathRule rule;
            rule.text = n;
            rule.path = n;
            rule.relative_name = true;
            rule.origin = set_rule->origin;
            rule.origin.key += ": a dot-entry of HOME";
            rule.set = set_rule->set;
            rule.missing = MissingScope::home_only;
            SBX_TRY(protector.protect_at_home(rule, *home));
        }
    }
    return {};
}

}  // namespace sbx::planning
