// keep_homes (homes.hpp). Found by the seventeenth outside review: with HOME set elsewhere by
// a harness, a passwd home spelled through a link in the workspace (ws/hl -> h) was repointed
// at a directory of the command's, and a missing one inside the workspace was created with a
// .profile; the next login sourced either. HOME itself had been kept only because sbxrun's
// cache protections happened to lie below it.
#include "plan/homes.hpp"

#include "fs/path.hpp"
#include "plan/deny.hpp"
#include "plan/missing.hpp"

namespace sbx::planning {

Status keep_homes(Draft& d) {
    const std::string home = d.opts.home_dir.empty() ? "" : normalize_path(d.opts.home_dir);
    const std::string passwd =
        d.opts.passwd_home_dir.empty() ? "" : normalize_path(d.opts.passwd_home_dir);
    for (const auto& [dir, what] :
         {std::pair{home, "HOME, where shells and tools read their start-up files"},
          std::pair{
              passwd == home ? std::string() : passwd,
              "the account's home in the password database, read by login shells and sshd"}}) {
        if (dir.empty() || dir == "/") continue;
        PathRule pr;
        pr.text = dir;
        pr.path = dir;
        pr.origin = Origin{"", 0, std::string("sbxrun: ") + what};
        const RuleRef ref = rule_ref("filesystem.protect", pr, "home directory");
        auto r = d.resolve_rule(dir, pr.origin);
        if (!r.ok()) continue;
        std::vector<CrossedLink> links;
        links.reserve(r->chain.size());
        for (const auto& hop : r->chain)
            links.push_back(CrossedLink{Pin{hop.link, hop.link_text, r->real, ref}, hop.parent});
        SBX_TRY(keep_crossed_links(d, links, "home directory"));
        if (r->exists || is_placeholder_result(*r)) continue;
        auto blocked = block_missing(d, *r, false, ref, kProtect, "missing home directory " + dir);
        if (!blocked.ok()) return std::move(blocked).error();
        if (blocked->outcome != MissingBlock::Outcome::blocked) continue;
        ProtectDecision pd;
        pd.path = dir;
        pd.rule = ref;
        for (const auto& hop : r->chain) pd.chain.push_back(hop.link + " -> " + hop.link_text);
        pd.decision = Decision::blocked;
        pd.detail = blocked->name + " cannot be created (a home directory, missing)";
        d.plan.protected_paths.push_back(std::move(pd));
    }
    return {};
}

}  // namespace sbx::planning
