// keep_homes (homes.hpp). Found by the seventeenth outside review: with HOME set elsewhere by
// a harness, a passwd home spelled through a link in the workspace (ws/hl -> h) was repointed
// at a directory of the command's, and a missing one inside the workspace was created with a
// .profile; the next login sourced either. HOME itself had been kept only because sbxrun's
// cache protections happened to lie below it.
#include "plan/homes.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/deny.hpp"
#include "plan/missing.hpp"

namespace sbx::planning {

namespace {

// The way the kernel takes `written` itself, its ".." components included, which the
// resolution of the result alone does not show. resolve() walks it as the kernel does and
// records every link crossed (/w/l/../h with /w/l -> a/b crosses /w/l: eighteenth outside
// review) and every directory a ".." climbs out of (/w/a/b, moved away and replaced by a
// link a/b -> ../x/y, sent the same spelling to /w/x/h: twentieth review); those directories
// are kept from being renamed. A component before a ".." that does not exist stops the walk
// and is kept from being created (per missing_protected): a command that made /w/m -> x/y
// sent /w/m/../h to /w/x/h (twenty-first review, for HOME and XDG_CONFIG_HOME).
Result<std::vector<SymlinkHop>> before_dotdot(Draft& d, const std::string& written,
                                              const RuleRef& ref) {
    const auto parts = path_components(written);
    if (std::find(parts.begin(), parts.end(), "..") == parts.end())
        return std::vector<SymlinkHop>{};
    auto r = d.resolve_path(written);
    if (!r.ok()) return std::vector<SymlinkHop>{};  // unreachable for the command as well
    for (const std::string& dir : r->climbed) SBX_TRY(d.anchor_ancestors(dir + "/.", ref));
    if (!r->exists && r->dotdot_after && !is_placeholder_result(*r)) {
        auto blocked = block_missing(d, *r, false, ref, kProtect,
                                     "missing '" + r->real + "' before '..' in " + written);
        if (!blocked.ok()) return std::move(blocked).error();
        if (blocked->outcome == MissingBlock::Outcome::blocked) {
            ProtectDecision pd;
            pd.path = r->real;
            pd.rule = ref;
            for (const auto& hop : r->chain) pd.chain.push_back(hop.link + " -> " + hop.link_text);
            pd.decision = Decision::blocked;
            pd.detail = blocked->name + " cannot be created (a '..' follows it in " + written + ")";
            d.plan.protected_paths.push_back(std::move(pd));
        }
    }
    return std::move(r->chain);
}

// The links crossed on the way to `r` (the resolution of what the spellings lead to) and
// before each ".." of the spellings, kept per filesystem.symlinks; `hops` gets them all.
Status keep_spellings(Draft& d, const Resolved& r, const std::vector<const std::string*>& written,
                      const RuleRef& ref, std::vector<SymlinkHop>& hops) {
    for (const std::string* w : written) {
        auto before = before_dotdot(d, *w, ref);
        if (!before.ok()) return std::move(before).error();
        hops.insert(hops.end(), before->begin(), before->end());
    }
    hops.insert(hops.end(), r.chain.begin(), r.chain.end());
    // A ".." in the text of a link on the way climbs out of a directory too (twenty-second
    // review: HOME -> ws/d/../h, with ws/d moved away and replaced by a link).
    for (const std::string& dir : r.climbed) SBX_TRY(d.anchor_ancestors(dir + "/.", ref));
    std::vector<CrossedLink> links;
    links.reserve(hops.size());
    for (const auto& hop : hops)
        links.push_back(CrossedLink{Pin{hop.link, hop.link_text, r.real, ref}, hop.parent});
    return keep_crossed_links(d, links, "home directory");
}

}  // namespace

Status keep_homes(Draft& d) {
    // As the kernel takes them: the passwd home comes as /etc/passwd writes it.
    const std::string home = d.opts.home_dir.empty() ? "" : environment_path(d.opts.home_dir);
    const std::string passwd =
        d.opts.passwd_home_dir.empty() ? "" : environment_path(d.opts.passwd_home_dir);
    struct Home {
        std::string dir;
        std::vector<const std::string*> written;  // the spellings that lead there
        const char* what;
    };
    std::vector<Home> homes;
    if (!home.empty())
        homes.push_back(
            {home, {&d.opts.home_dir}, "HOME, where shells and tools read their start-up files"});
    if (!passwd.empty()) {
        if (passwd == home)
            homes.front().written.push_back(&d.opts.passwd_home_dir);
        else
            homes.push_back(
                {passwd,
                 {&d.opts.passwd_home_dir},
                 "the account's home in the password database, read by login shells and sshd"});
    }
    for (const Home& h : homes) {
        const std::string& dir = h.dir;
        if (dir.empty() || dir == "/") continue;
        PathRule pr;
        pr.text = *h.written.front();
        pr.path = dir;
        pr.origin = Origin{"", 0, std::string("sbxrun: ") + h.what};
        const RuleRef ref = rule_ref("filesystem.protect", pr, "home directory");
        auto r = d.resolve_rule(dir, pr.origin);
        if (!r.ok()) continue;
        std::vector<SymlinkHop> hops;
        SBX_TRY(keep_spellings(d, *r, h.written, ref, hops));
        if (r->exists || is_placeholder_result(*r)) continue;
        auto blocked = block_missing(d, *r, false, ref, kProtect, "missing home directory " + dir);
        if (!blocked.ok()) return std::move(blocked).error();
        if (blocked->outcome != MissingBlock::Outcome::blocked) continue;
        ProtectDecision pd;
        pd.path = dir;
        pd.rule = ref;
        for (const auto& hop : hops) pd.chain.push_back(hop.link + " -> " + hop.link_text);
        pd.decision = Decision::blocked;
        pd.detail = blocked->name + " cannot be created (a home directory, missing)";
        d.plan.protected_paths.push_back(std::move(pd));
    }
    // XDG_CONFIG_HOME and XDG_CACHE_HOME as written: the host's git, sbxrun's own policy
    // discovery and its caches go where the kernel takes them, so the way there is kept as a
    // home's is (the names inside are protected by the rules app/own_files.cpp adds).
    for (const auto& written : d.opts.env_dirs) {
        const std::string dir = environment_path(written);
        if (dir.empty() || dir == "/") continue;
        PathRule pr;
        pr.text = written;
        pr.path = dir;
        pr.origin = Origin{"", 0, "sbxrun: an XDG base directory the host's programs read"};
        const RuleRef ref = rule_ref("filesystem.protect", pr, "XDG base directory");
        auto r = d.resolve_rule(dir, pr.origin);
        if (!r.ok()) continue;
        std::vector<SymlinkHop> hops;
        SBX_TRY(keep_spellings(d, *r, {&written}, ref, hops));
    }
    return {};
}

}  // namespace sbx::planning
