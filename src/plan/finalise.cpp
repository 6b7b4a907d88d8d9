// finalise_plan (finalise.hpp): order the candidate ops and drop the ones that change nothing.
#include "plan/finalise.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "fs/path.hpp"

namespace sbx::planning {

void finalise_plan(std::vector<Candidate>& candidates, MountPlan& plan) {
    // One op per destination: the highest rank wins (the first of equals). Sorted as
    // indices by (depth, dest): parents before children, and the candidates of one
    // destination side by side, best first; nothing is copied or moved to sort.
    std::vector<std::size_t> order(candidates.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&candidates](std::size_t a, std::size_t b) {
        const Candidate& x = candidates[a];
        const Candidate& y = candidates[b];
        if (x.depth != y.depth) return x.depth < y.depth;
        if (int c = x.op.dest.compare(y.op.dest); c != 0) return c < 0;
        if (x.rank != y.rank) return x.rank > y.rank;
        return a < b;
    });

    // Drop binds that repeat their nearest enclosing op (same kind, identity bind).
    // Keys view the destinations of plan.ops, which never reallocates here (reserved);
    // destinations are canonical, so each parent is a prefix of the path, cut at its
    // last slash.
    plan.ops.reserve(plan.ops.size() + order.size());
    std::unordered_map<std::string_view, OpKind> kept;
    kept.reserve(order.size());
    // twin[n]: order[n] has the destination of the op before it, which ranks higher
    // (compared before anything is moved out).
    std::vector<bool> twin(order.size(), false);
    for (std::size_t n = 1; n < order.size(); ++n) {
        twin[n] = candidates[order[n]].op.dest == candidates[order[n - 1]].op.dest;
    }
    for (std::size_t n = 0; n < order.size(); ++n) {
        if (twin[n]) continue;
        Candidate& c = candidates[order[n]];
        const std::string& dest = c.op.dest;
        bool redundant = false;
        if (c.op.kind == OpKind::bind_ro || c.op.kind == OpKind::anchor) {
            // A writable root inside another stays a mount of its own, whatever repeats: a
            // mount point cannot be renamed, and the anchors above rely on it.
            std::string_view up = dest;
            while (up != "/") {
                up = path_parent_view(up);
                auto it = kept.find(up);
                if (it != kept.end()) {
                    // An anchor where nothing of the host can be renamed changes nothing but
                    // to make the place writable (a read-only .git, a tmpfs).
                    redundant = c.op.kind == OpKind::anchor ? !host_writable_kind(it->second)
                                                            : it->second == c.op.kind;
                    break;
                }
            }
            // A protected path is never dropped from the plan shown by --explain, but a
            // read-only op under a read-only parent changes nothing in the sandbox.
        }
        if (redundant) continue;
        const OpKind kind = c.op.kind;
        plan.ops.push_back(std::move(c.op));
        kept.emplace(plan.ops.back().dest, kind);
    }

    // One pin per link.
    std::sort(plan.pins.begin(), plan.pins.end(),
              [](const Pin& a, const Pin& b) { return a.link < b.link; });
    plan.pins.erase(std::unique(plan.pins.begin(), plan.pins.end(),
                                [](const Pin& a, const Pin& b) { return a.link == b.link; }),
                    plan.pins.end());
}

void leave_out_what_denial_hides(MountPlan& plan) {
    std::vector<std::string> hidden;
    for (const MountOp& op : plan.ops)
        if (op.kind == OpKind::hide_dir) hidden.push_back(op.dest);
    if (hidden.empty()) return;
    auto strictly_below = [](std::string_view p, std::string_view dir) {
        return p != dir && path_is_within(p, dir);
    };
    // A writable root of the policy's own (not a cache) strictly inside a denied directory.
    std::vector<std::string> inner_roots;
    for (const MountOp& op : plan.ops)
        if (op.kind == OpKind::bind_rw && op.rule.list() != "filesystem.caches")
            for (const auto& h : hidden)
                if (strictly_below(op.dest, h)) inner_roots.push_back(op.dest);
    // Whether `p` lies inside a denied directory and not inside a writable root within it.
    auto hidden_away = [&](std::string_view p) {
        for (const auto& h : hidden) {
            if (!strictly_below(p, h)) continue;
            const bool in_root = std::any_of(
                inner_roots.begin(), inner_roots.end(),
                [&](const std::string& r) { return strictly_below(r, h) && path_is_within(p, r); });
            if (!in_root) return true;
        }
        return false;
    };
    std::erase_if(plan.ops, [&](const MountOp& op) {
        const bool grants = op.kind == OpKind::bind_ro || op.kind == OpKind::block_missing ||
                            op.kind == OpKind::anchor ||
                            (op.kind == OpKind::bind_rw && op.rule.list() == "filesystem.caches");
        if (!grants || !hidden_away(op.dest)) return false;
        // A read root of the policy's own there (srt's allowRead inside a denyRead, imported)
        // was asked for: say that it stays hidden (thirty-ninth review).
        if (op.kind == OpKind::bind_ro && op.rule.list() == "filesystem.read")
            plan.warnings.push_back("filesystem.read \"" + op.rule.text() + "\" (" + op.dest +
                                    ") lies inside a denied directory and stays hidden: " +
                                    "filesystem.deny hides a directory with all it holds");
        return true;
    });
    // --explain says what became of them (thirty-ninth review: "read-only" for a hidden file).
    for (ProtectDecision& d : plan.protected_paths)
        if (hidden_away(d.path) || std::find(hidden.begin(), hidden.end(), d.path) != hidden.end())
            d.decision = Decision::hidden;
    std::erase_if(plan.pins, [&](const Pin& pin) { return hidden_away(pin.link); });
    std::erase_if(plan.dot_blocks, [&](const MountPlan::DotBlock& b) {
        return hidden_away(b.dir) || std::find(hidden.begin(), hidden.end(), b.dir) != hidden.end();
    });
}

}  // namespace sbx::planning
