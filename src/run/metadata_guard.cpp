#include "run/metadata_guard.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>

#include "inner/landlock_apply.hpp"
#include "util/home_dot_names.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

// ASCII case folding: the names sbxrun protects are ASCII.
static std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

MetadataGuard::MetadataGuard(std::vector<GuardRule> rules, std::vector<GuardRestricted> restricted)
    : restricted_(std::move(restricted)) {
    rules_.reserve(rules.size());
    for (const GuardRule& r : rules) rules_[r.id] |= r.access;
    for (GuardRestricted& r : restricted_) {
        for (std::string& t : r.towards) t = lower(t);
        std::sort(r.towards.begin(), r.towards.end());
    }
}

Result<MetadataGuard> MetadataGuard::from_spec(const LandlockSpec& spec,
                                               const std::vector<LandlockRestrictedDir>& dirs) {
    std::vector<GuardRule> rules;
    rules.reserve(spec.rules.size());
    for (const LandlockRule& r : spec.rules) {
        struct stat st {};
        if (::fstat(r.fd, &st) != 0) return os_error("fstat of a Landlock rule", errno);
        rules.push_back({id_of(st), r.access});
    }
    std::vector<GuardRestricted> restricted;
    for (const LandlockRestrictedDir& d : dirs) {
        struct stat st {};
        if (::fstat(d.fd, &st) != 0) return os_error("fstat of a restricted directory", errno);
        GuardRestricted g{id_of(st), d.want, d.towards, {}, d.dot_names};
        for (const std::string& name : d.towards) {
            struct stat es {};
            if (::fstatat(d.fd, name.c_str(), &es, AT_SYMLINK_NOFOLLOW) == 0)
                g.towards_ids.push_back(id_of(es));
            else if (errno != ENOENT)
                return os_error("fstatat of an entry of a restricted directory", errno)
                    .with_path(d.path + "/" + name);
        }
        restricted.push_back(std::move(g));
    }
    return MetadataGuard(std::move(rules), std::move(restricted));
}

const GuardRestricted* MetadataGuard::restricted(const FileId& id) const {
    for (const GuardRestricted& r : restricted_)
        if (r.id == id) return &r;
    return nullptr;
}

bool MetadataGuard::is_root(const FileId& id) const {
    for (const FileId& root : roots_)
        if (id == root) return true;
    return false;
}

bool MetadataGuard::may_change(const std::vector<FileId>& chain, mode_t mode,
                               const std::vector<std::string>* names) const {
    if (S_ISCHR(mode) || S_ISBLK(mode) || chain.empty()) return false;
    if (is_root(chain.front())) return false;
    if (std::find(unchanged_.begin(), unchanged_.end(), chain.front()) != unchanged_.end())
        return false;
    return (policy_rights(chain, names) & ll::kWriteFile) != 0;
}

std::uint64_t MetadataGuard::native_rights(const std::vector<FileId>& chain) const {
    std::uint64_t granted = 0;
    for (const FileId& id : chain) {
        auto it = rules_.find(id);
        if (it != rules_.end()) granted |= it->second;
    }
    return granted;
}

std::uint64_t MetadataGuard::policy_rights(const std::vector<FileId>& chain,
                                           const std::vector<std::string>* names) const {
    std::uint64_t granted = native_rights(chain);
    // The nearest restricted ancestor, reached only through directories (and an object) that
    // have no rule of their own: what has a rule is decided by it, natively. The entry of the
    // restricted directory on the way must not be one that leads to a hole (a denied or
    // protected directory has no rule either: this is what keeps the guard out of it).
    for (std::size_t i = 1; i < chain.size(); ++i) {
        if (has_rule(chain[i - 1])) break;
        const GuardRestricted* r = restricted(chain[i]);
        if (r == nullptr) continue;
        for (const FileId& t : r->towards_ids)
            if (t == chain[i - 1]) return granted;
        if (names != nullptr) {
            if (names->size() != chain.size()) return granted;
            if (std::binary_search(r->towards.begin(), r->towards.end(), lower((*names)[i - 1])))
                return granted;
        }
        return granted | r->want;
    }
    return granted;
}

std::uint64_t MetadataGuard::entry_rights(const std::vector<FileId>& dir_chain,
                                          std::string_view name,
                                          const std::vector<std::string>* dir_names) const {
    std::uint64_t granted = policy_rights(dir_chain, dir_names);
    if (dir_chain.empty()) return granted;
    const GuardRestricted* r = restricted(dir_chain.front());
    if (r == nullptr || name.empty() || name == "." || name == ".." ||
        name.find('/') != std::string_view::npos)
        return granted;
    const std::string key = lower(name);
    if (std::binary_search(r->towards.begin(), r->towards.end(), key)) return granted;
    if (r->dot_names && home_dot_name_blocked(key)) return granted;
    return granted | r->want;
}

}  // namespace sbx
