// The shared state of plan making (draft.hpp): resolution through the seam, the roots'
// verdict on a place, and the anchors that keep protected paths where they were checked.
#include "plan/draft.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "fs/path.hpp"
#include "fs/placeholder.hpp"

namespace sbx::planning {

std::size_t canonical_depth(std::string_view path) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) ++n;
    }
    return n;
}

int Draft::keep_fd(UniqueFd fd) {
    plan.fds.push_back(std::move(fd));
    return static_cast<int>(plan.fds.size()) - 1;
}

Result<int> Draft::keep_fd(Resolved& r) {
    if (r.fd || r.borrowed_fd < 0) return keep_fd(std::move(r.fd));
    if (auto it = kept_borrowed.find(r.borrowed_fd); it != kept_borrowed.end()) return it->second;
    UniqueFd dup(::fcntl(r.borrowed_fd, F_DUPFD_CLOEXEC, 3));
    if (!dup) return os_error("cannot duplicate a directory descriptor", errno, r.real);
    const int index = keep_fd(std::move(dup));
    kept_borrowed.emplace(r.borrowed_fd, index);
    return index;
}

void Draft::add(MountOp op, int rank) {
    const std::size_t depth = canonical_depth(op.dest);
    auto [it, added] = by_dest.try_emplace(op.dest, candidates.size());
    if (!added && rank > candidates[it->second].rank) it->second = candidates.size();
    candidates.push_back(Candidate{std::move(op), rank, depth});
}

namespace {

constexpr std::size_t kMaxTopEntries = 65536;  // a larger top is not listed: resolved per path

// `dir`'s entry names (not . and ..), read from `fd`; false when it cannot be read or is
// larger than kMaxTopEntries.
bool read_names(int fd, std::unordered_set<std::string>& names) {
    alignas(8) char buf[16384];
    while (true) {
        long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        for (long off = 0; off < n;) {
            const auto* e = reinterpret_cast<const struct dirent64*>(buf + off);
            off += e->d_reclen;
            const std::string_view name = e->d_name;
            if (name == "." || name == "..") continue;
            if (names.size() >= kMaxTopEntries) return false;
            names.emplace(name);
        }
    }
}

int open_no_links(const std::string& path, std::uint64_t flags) {
    open_how how{};
    how.flags = flags | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = ::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
    } while (fd < 0 && errno == EAGAIN);
    return static_cast<int>(fd);
}

}  // namespace

const Draft::TopEntries* Draft::top_entries(std::string_view path) const {
    // Only with the real resolver, whose answers the listing must agree with, and openat2.
    if (opts.resolver || !have_openat2()) return nullptr;
    // The roots only grow while the plan is made, and the homes are resolved after the first
    // denied paths: the set follows them.
    std::string homes = workspace_real + '\0' + home_real + '\0' + passwd_home_real;
    if (top_names_roots_ != writable_roots.size() || top_names_homes_ != homes) {
        top_names_.clear();
        for (const auto& r : writable_roots) top_names_.insert(r);
        for (const std::string* t : {&workspace_real, &home_real, &passwd_home_real})
            if (!t->empty()) top_names_.insert(*t);
        top_names_roots_ = writable_roots.size();
        top_names_homes_ = std::move(homes);
    }
    if (path.empty() || path.front() != '/' || path == "/") return nullptr;
    std::string top;
    for (std::string_view at = path_parent_view(path);; at = path_parent_view(at)) {
        top.assign(at);
        if (top_names_.count(top) != 0) break;
        if (at == "/") return nullptr;
    }
    auto [it, fresh] = tops_.try_emplace(top);
    TopEntries& t = it->second;
    if (!fresh) return t.listed ? &t : nullptr;
    t.top = top;
    // Opened refusing every link: a top that is not canonical any more is not listed.
    t.fd.reset(open_no_links(t.top, O_PATH));
    UniqueFd rd(open_no_links(t.top, O_RDONLY | O_NONBLOCK));
    // Searchable too (a directory that can be read but not searched fails every lookup inside,
    // which resolve() reports and a listing would not).
    t.listed = t.fd && rd && ::fstat(t.fd.get(), &t.st) == 0 &&
               ::faccessat(rd.get(), ".", F_OK, 0) == 0 && read_names(rd.get(), t.names);
    struct stat again {};
    // The one that was read is the one kept.
    if (t.listed && (::fstat(rd.get(), &again) != 0 || again.st_dev != t.st.st_dev ||
                     again.st_ino != t.st.st_ino))
        t.listed = false;
    if (!t.listed) t.names.clear();
    return t.listed ? &t : nullptr;
}

const Draft::TopEntries* Draft::top_lacking(std::string_view path) const {
    const TopEntries* t = top_entries(path);
    if (t == nullptr) return nullptr;
    std::string_view rest = path.substr(t->top == "/" ? 1 : t->top.size() + 1);
    const std::string_view first = rest.substr(0, rest.find('/'));
    if (first.empty() || first == "." || first == "..") return nullptr;
    return t->names.count(std::string(first)) == 0 ? t : nullptr;
}

const std::unordered_set<std::string>* Draft::top_names(const std::string& top) const {
    const TopEntries* t = top_entries(path_join(top, "x"));
    return t != nullptr && t->top == top ? &t->names : nullptr;
}

bool Draft::surely_missing(std::string_view path) const {
    return top_lacking(path) != nullptr;
}

Result<Resolved> Draft::missing_below(const TopEntries& t, const std::string& path) const {
    Resolved r;
    r.requested = path;
    r.real = path;
    r.exists = false;
    r.missing_tail = path.substr(t.top == "/" ? 1 : t.top.size() + 1);
    r.borrowed_fd = t.fd.get();
    r.st = t.st;
    return r;
}

Result<Resolved> Draft::resolve_with(const std::string& path, const ResolveOptions& ro) const {
    if (opts.resolver) return opts.resolver(path, ro);
    // A normalised path whose first component below a top is absent: what resolve() would
    // find, without looking (the top's entries were read with every link refused).
    if (path == normalize_path(path)) {
        if (const TopEntries* t = top_lacking(path)) return missing_below(*t, path);
    }
    return resolve(path, ro);
}

Result<Resolved> Draft::resolve_path(const std::string& path) const {
    return resolve_with(path, opts.resolve);
}

Result<Resolved> Draft::resolve_rule(const std::string& path, const Origin& origin,
                                     bool readable_dir) const {
    ResolveOptions ro = opts.resolve;
    ro.readable_dir = readable_dir;
    auto r = resolve_with(path, ro);
    if (!r.ok()) {
        Error e = std::move(r).error();
        if (e.origin.empty()) e.origin = origin;
        // A rule's path that cannot be resolved (a file in the middle, a directory sbxrun
        // may not search) is the policy's to fix: 125 naming the rule, not "no backend
        // can run here". A path that changed under the walk (EAGAIN) stays an os error,
        // and running out of descriptors stays ErrorKind::resource.
        const bool policy_to_fix = e.kind == ErrorKind::os && e.sys_errno != EAGAIN;
        if (policy_to_fix || e.kind == ErrorKind::resource) {
            if (policy_to_fix) e.kind = ErrorKind::bad_path;
            e.message = "cannot resolve '" + path +
                        "': " + (e.path.empty() || e.path == path ? "" : e.path + ": ") + e.message;
        }
        if (e.path.empty()) e.path = path;
        return e;
    }
    return r;
}

const Candidate* Draft::deciding_root(std::string_view real) const {
    const Candidate* best = nullptr;
    std::size_t best_depth = 0;
    for (const auto& c : roots) {
        if (!path_is_within(real, c.op.dest)) continue;
        std::size_t d = c.depth;
        if (best == nullptr || d > best_depth || (d == best_depth && c.rank > best->rank)) {
            best = &c;
            best_depth = d;
        }
    }
    return best;
}

bool Draft::writable_root_on(dev_t dev) const {
    return std::any_of(roots.begin(), roots.end(), [dev](const Candidate& c) {
        return c.op.kind == OpKind::bind_rw && c.op.dev == dev;
    });
}

bool Draft::writable_place(std::string_view real) const {
    const Candidate* c = deciding_root(real);
    return c != nullptr && (c->op.kind == OpKind::bind_rw || c->op.kind == OpKind::tmpfs);
}

const Candidate* Draft::deciding_op(std::string_view real) const {
    for (std::string_view up = real;; up = path_parent_view(up)) {
        if (auto it = by_dest.find(std::string(up)); it != by_dest.end())
            return &candidates[it->second];
        if (up == "/") return nullptr;
    }
}

bool host_writable_kind(OpKind k) {
    return k == OpKind::bind_rw || k == OpKind::anchor;
}

Status Draft::anchor_ancestors(const std::string& path, const RuleRef& rule) {
    if (path == "/") return {};
    for (std::string_view up = path_parent_view(path); up != "/"; up = path_parent_view(up)) {
        if (anchored.count(std::string(up)) != 0) break;    // it and everything above: done
        if (by_dest.count(std::string(up)) != 0) continue;  // a mount of the plan already
        const Candidate* around = deciding_op(path_parent_view(up));
        if (around == nullptr || !host_writable_kind(around->op.kind)) continue;
        const std::string dir(up);
        anchored.insert(dir);
        auto r = resolve_rule(dir, rule.origin());
        if (!r.ok()) return std::move(r).error();
        if (!r->exists || r->real != dir || !S_ISDIR(r->st.st_mode)) {
            // It changed since the protected path was resolved: refuse rather than guess.
            return Error(ErrorKind::os, "directory changed while the plan was made")
                .with_path(dir)
                .with_errno(EAGAIN)
                .with_origin(rule.origin());
        }
        MountOp op;
        op.kind = OpKind::anchor;
        op.dest = dir;
        op.dev = r->st.st_dev;
        op.ino = r->st.st_ino;
        op.rule = rule;
        op.rule.why = "keeps " + path + " where it is";
        auto kept = keep_fd(*r);
        if (!kept.ok()) return std::move(kept).error();
        op.fd = *kept;
        add(std::move(op), kWrite);
    }
    return {};
}

Status Draft::anchor_every_mount() {
    // Anchors added here are candidates too; their own ancestors are the ones being walked.
    const std::size_t n = candidates.size();
    for (std::size_t i = 0; i < n; ++i) {
        const std::string dest = candidates[i].op.dest;
        const RuleRef rule = candidates[i].op.rule;
        SBX_TRY(anchor_ancestors(dest, rule));
    }
    return {};
}

RuleRef rule_ref(const std::string& list, const PathRule& rule, std::string why) {
    return RuleRef{list, rule.text, rule.origin, std::move(why)};
}

std::string chain_text(const std::vector<SymlinkHop>& chain) {
    std::string s;
    for (const auto& hop : chain) {
        if (!s.empty()) s += ", ";
        s += hop.link + " -> " + hop.link_text;
    }
    return s;
}

void add_reason(std::string& detail, const std::string& reason) {
    if (reason.empty()) return;
    detail += (detail.empty() ? "" : "; ") + reason;
}

Error with_rule(Error e, const std::string& path, const RuleRef& rule) {
    if (e.path.empty()) e.path = path;
    if (e.origin.empty()) e.origin = rule.origin();
    return e;
}

bool is_placeholder_result(const Resolved& r) {
    return r.exists && S_ISREG(r.st.st_mode) && r.st.st_size == 0 && is_placeholder(r.fd.get()) &&
           placeholder_in_use(r.fd.get());
}

Error hard_link_refusal(KeptAs how, const std::string& path, const std::string& file, nlink_t links,
                        const RuleRef& rule) {
    const bool hidden = how == KeptAs::hidden;
    const std::string which = file == path ? std::string("it") : "'" + file + "'";
    Error e(ErrorKind::unenforceable,
            std::string("sandbox cannot ") + (hidden ? "hide '" : "protect '") + path +
                "': " + which + " has " + std::to_string(links) +
                (hidden ? " hard links, and the command could read it by another name"
                        : " hard links on the filesystem of a writable root, and a write "
                          "through another name changes it"));
    e.path = path;
    e.target = file;
    e.origin = rule.origin();
    e.suggestion = "replace the other hard links of '" + file +
                   "' by symbolic links (or copies), or take it out of filesystem." +
                   (hidden ? "deny" : "protect");
    return e;
}

}  // namespace sbx::planning
