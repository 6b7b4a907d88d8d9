#include "run/fs_denials.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/refusal.hpp"

namespace sbx {
namespace {

std::string shown(const std::string& path, const std::string& home) {
    if (!home.empty() && home != "/" && path.compare(0, home.size(), home) == 0 &&
        (path.size() == home.size() || path[home.size()] == '/'))
        return "~" + path.substr(home.size());
    return path;
}

std::string plural(std::uint64_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

bool is_directory(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_directory(std::filesystem::symlink_status(path, ec));
}

// Strictly beneath (fs/path.hpp's path_is_within counts the directory itself).
bool below(const std::string& dir, const std::string& path) {
    return path != dir && path_is_within(path, dir);
}

// Whether `a` is `b`, or one lies beneath the other.
bool related(const std::string& a, const std::string& b) {
    return path_is_within(a, b) || path_is_within(b, a);
}

// The directory to suggest for a refused path; "" for none (see the header). `home` is
// canonical, as the refused paths are.
std::string suggested_dir(const std::string& path, const std::string& home) {
    for (unsigned char c : path)
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return {};  // plain TOML strings only
    if (home.empty() || home == "/" || !below(home, path)) return {};
    auto rel = path_components(std::string_view(path).substr(home.size()));
    rel.pop_back();  // the entry itself: its directory is what a rule can name
    std::size_t keep = 0;
    if (!rel.empty() && (rel[0] == ".cache" || rel[0] == ".config"))
        keep = 2;  // ~/.cache/pip, never ~/.cache
    else if (rel.size() >= 2 && rel[0] == ".local" && (rel[1] == "share" || rel[1] == "state"))
        keep = 3;  // ~/.local/share/app
    else if (!rel.empty() && rel[0] != ".local" && rel[0].size() > 1 && rel[0][0] == '.')
        keep = 1;  // ~/.npm: a tool's own directory; never ~/Documents or ~/projects
    if (keep == 0 || rel.size() < keep) return {};
    std::string dir = home;
    for (std::size_t i = 0; i < keep; ++i) dir += "/" + rel[i];
    // An existing directory, never through a link: a missing root is ignored by the policy,
    // and its parent would be wider than the tool's own (~/.config for ~/.config/newtool).
    return is_directory(dir) ? dir : std::string();
}

// A denied file under bwrap is a bind of a deleted file (--ro-bind-data), and the kernel names
// an object reached through it "PATH (deleted)": that is the plan's PATH (thirty-sixth review:
// a chmod of a denied file was listed as "cred.txt (deleted)", outside every writable root).
std::string as_planned(const std::string& path, const MountPlan& plan) {
    constexpr std::string_view kDeleted = " (deleted)";
    if (path.size() <= kDeleted.size() ||
        path.compare(path.size() - kDeleted.size(), kDeleted.size(), kDeleted) != 0)
        return path;
    const std::string_view bare(path.data(), path.size() - kDeleted.size());
    for (const MountOp& op : plan.ops)
        if (op.kind == OpKind::hide_file && op.dest == bare) return std::string(bare);
    return path;
}

// The plan's cause for `path`, or, where the path as named explains nothing (a write refused
// inside a writable root), for where its links lead on the host now: `echo x >cfg` with
// cfg -> .mcp.json was listed as "outside every writable root" at cfg. Only ever turns
// "outside" into protected or denied, which suggest nothing, so a link the command re-pointed
// before it ended can make the report less generous, never more.
RefusalCause cause_through_links(const MountPlan& plan, const std::string& path) {
    const RefusalCause named = refusal_cause(plan, path);
    if (named.kind != RefusalCause::Kind::outside) return named;
    const std::string real = resolved_through_links(path);
    if (real == path) return named;
    const RefusalCause led = refusal_cause(plan, real);
    return led.kind == RefusalCause::Kind::outside ? named : led;
}

// The first three of `texts`, joined, and how many more.
std::string first_few(const std::vector<std::string>& texts) {
    constexpr std::size_t kShown = 3;
    std::string names;
    for (std::size_t i = 0; i < texts.size() && i < kShown; ++i)
        names += (i == 0 ? "" : ", ") + texts[i];
    if (texts.size() > kShown) names += " and " + std::to_string(texts.size() - kShown) + " more";
    return names;
}

// "N reads of denied paths (~/.ssh, ~/.aws)": the rules, as written; empty for none.
std::string reads_part(const std::vector<Outcome::FsDenial>& reads) {
    if (reads.empty()) return {};
    std::uint64_t count = 0;
    std::vector<std::string> texts;
    for (const auto& d : reads) {
        count += d.count;
        const std::string& t = d.rule_text.empty() ? d.path : d.rule_text;
        if (std::find(texts.begin(), texts.end(), t) == texts.end()) texts.push_back(t);
    }
    return plural(count, "read") + " of denied paths (" + first_few(texts) + ")";
}

std::string changes_summary(const std::vector<Outcome::FsDenial>& denials, std::uint64_t dropped,
                            const std::string& home) {
    if (denials.size() == 1 && dropped == 0) {
        const auto& d = denials.front();
        return "refused " + (d.count == 1 ? std::string("a write") : plural(d.count, "write")) +
               " to " + shown(d.path, home) + " (" +
               (d.rule.empty() ? d.why : d.why + ": " + d.rule) + ")";
    }
    // Outside the writable roots: by directory, the busiest one named. Protected and denied:
    // the rules, as written.
    std::uint64_t total = dropped, outside = 0;
    std::map<std::string, std::uint64_t> dirs;
    std::map<std::string, std::pair<std::uint64_t, std::vector<std::string>>> by_rule;
    for (const auto& d : denials) {
        total += d.count;
        if (d.rule.empty()) {
            outside += d.count;
            dirs[path_parent(d.path)] += d.count;
            continue;
        }
        auto& [count, texts] = by_rule[d.why];
        count += d.count;
        if (std::find(texts.begin(), texts.end(), d.rule_text) == texts.end())
            texts.push_back(d.rule_text);
    }
    std::vector<std::string> parts;
    if (outside != 0) {
        auto busiest = dirs.begin();
        for (auto it = dirs.begin(); it != dirs.end(); ++it)
            if (it->second > busiest->second) busiest = it;
        parts.push_back(dirs.size() == 1
                            ? std::to_string(outside) + " under " + shown(busiest->first, home) +
                                  " (outside every writable root)"
                            : std::to_string(outside) +
                                  " outside every writable root, most under " +
                                  shown(busiest->first, home));
    }
    for (const auto& [why, entry] : by_rule) {
        const auto& [count, texts] = entry;
        parts.push_back(std::to_string(count) + " to " + why + " paths (" + first_few(texts) + ")");
    }
    // The parts add up to the total (thirty-ninth review: "refused 1500 writes: 256 to denied
    // paths").
    if (dropped != 0)
        parts.push_back(std::to_string(dropped) + " more past the " +
                        std::to_string(DenialLog::kMaxDistinct) + " paths listed");
    std::string line = "refused " + plural(total, "write") + ":";
    for (std::size_t i = 0; i < parts.size(); ++i) line += (i == 0 ? " " : ", ") + parts[i];
    return line;
}

}  // namespace

void add_fs_denials(Outcome& o, const SandboxExit& e, const MountPlan& plan) {
    for (const auto& r : e.refusals) {
        if (is_network(r.op)) continue;  // run/direct_denials.hpp
        const std::string path = as_planned(r.path, plan);
        const RefusalCause cause = cause_through_links(plan, path);
        o.fs_denials.push_back({to_string(r.op), path, r.count, to_string(cause.kind),
                                cause.rule != nullptr ? rule_name(*cause.rule) : "",
                                cause.rule != nullptr ? cause.rule->text() : ""});
    }
    o.fs_dropped = e.refusals_dropped;
}

void add_exec_denial(Outcome& o, const SandboxExit& e, const MountPlan& plan,
                     const std::string& command, const std::string& cwd) {
    if (e.kind != SandboxExit::Kind::exec_failed || command.find('/') == std::string::npos) return;
    const std::string path =
        normalize_path(command.front() == '/' ? command : path_join(cwd, command));
    // Through a link too (work/r -> ../secret/run.sh: forty-third review).
    const std::string real = resolved_through_links(path);
    RefusalCause cause = refusal_cause(plan, path);
    if (cause.kind != RefusalCause::Kind::denied) cause = refusal_cause(plan, real);
    if (cause.kind != RefusalCause::Kind::denied || cause.rule == nullptr) return;
    auto seen = std::find_if(o.fs_denials.begin(), o.fs_denials.end(), [&](const auto& d) {
        return d.path == path || (d.path == real && d.op == "read");
    });
    if (seen != o.fs_denials.end() && seen->op == "read") {
        seen->op = "exec";
        seen->path = path;
        seen->count = 1;
        return;
    }
    if (seen != o.fs_denials.end()) return;
    o.fs_denials.push_back(
        {"exec", path, 1, to_string(cause.kind), rule_name(*cause.rule), cause.rule->text()});
}

std::string fs_denial_summary(const Outcome& o, const std::string& home, bool status_doc) {
    if (o.fs_denials.empty() && o.fs_dropped == 0) return {};
    const std::string where =
        status_doc ? "; the status document lists each" : "; --status-file lists each";
    // Reads (of denied paths, seen under bwrap) and the command's own exec of one are said
    // apart: "writes" is what the rest are.
    std::vector<Outcome::FsDenial> reads, execs, changes;
    for (const auto& d : o.fs_denials)
        (d.op == "read" ? reads : d.op == "exec" ? execs : changes).push_back(d);
    std::string read_part = reads_part(reads);
    if (!execs.empty()) {
        const auto& x = execs.front();
        const std::string exec_part =
            "the exec of " + shown(x.path, home) + " (denied: " + x.rule_text + ")";
        read_part = read_part.empty() ? exec_part : exec_part + ", and " + read_part;
    }
    if (!changes.empty()) {
        // Refusals past the list's bound are counted with the writes, as before reads were
        // seen (most refusals are writes).
        const std::string change_part = changes_summary(changes, o.fs_dropped, home);
        return change_part + (read_part.empty() ? "" : ", and " + read_part) + where;
    }
    // No write listed: what was dropped may be anything (thirty-sixth review: 256 reads and 49
    // dropped ones read "refused 49 writes:, and 256 reads").
    const std::string past =
        " (past the " + std::to_string(DenialLog::kMaxDistinct) + " paths listed)";
    if (read_part.empty())
        return "refused " + std::to_string(o.fs_dropped) +
               (o.fs_dropped == 1 ? " change or read" : " changes or reads") + past + where;
    return "refused " + read_part +
           (o.fs_dropped == 0 ? "" : ", and " + std::to_string(o.fs_dropped) + " more" + past) +
           where;
}

bool write_root_would_allow(const Outcome::FsDenial& d) {
    // A refused link's path is the file linked, which a write root there would only make
    // writable: what was refused is giving it a writable name, never a write to it.
    return d.rule.empty() && d.why == to_string(RefusalCause::Kind::outside) && d.op != "link";
}

std::vector<std::string> suggested_write_dirs(const Outcome& o, const std::string& real_home,
                                              const std::vector<std::string>& keep_out) {
    std::vector<std::string> dirs;
    for (const auto& d : o.fs_denials) {
        if (!write_root_would_allow(d)) continue;
        const std::string dir = suggested_dir(d.path, real_home);
        if (dir.empty() || std::any_of(keep_out.begin(), keep_out.end(), [&](const std::string& k) {
                return related(k, dir) || related(k, d.path);
            }))
            continue;
        dirs.push_back(dir);
    }
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
    std::vector<std::string> out;
    for (const auto& d : dirs) out.push_back("~" + d.substr(real_home.size()));
    return out;
}

}  // namespace sbx
